/*
 * SequenceNumbers: modulo-2^32 sequence number arithmetic (RFC 9293 section 3.4, "Sequence Numbers"; RFC 1982
 * serial number comparison). Every comparison of SND.* / RCV.* / SEG.* values goes through here.
 */
package io.ustack.tcp;

/** Comparisons of 32-bit sequence numbers that wrap around. Valid while the two values are less than 2^31 apart. */
public final class SequenceNumbers {
    private SequenceNumbers() {
    }

    /** a < b in sequence space. */
    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    /** a =< b in sequence space. */
    public static boolean leq(int a, int b) {
        return a - b <= 0;
    }

    /** a > b in sequence space. */
    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    /** a >= b in sequence space. */
    public static boolean geq(int a, int b) {
        return a - b >= 0;
    }

    /** The later of a and b. */
    public static int max(int a, int b) {
        return a - b >= 0 ? a : b;
    }

    /** The earlier of a and b. */
    public static int min(int a, int b) {
        return a - b <= 0 ? a : b;
    }

    /** start =< seq < start + length (length >= 0, unsigned distance). */
    public static boolean inWindow(int seq, int start, int length) {
        return Integer.compareUnsigned(seq - start, length) < 0;
    }

    /** low =< seq =< high. */
    public static boolean between(int low, int seq, int high) {
        return Integer.compareUnsigned(seq - low, high - low) <= 0;
    }
}
