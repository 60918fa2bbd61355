/*
 * SipHash: SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012), the keyed hash F() of
 * RFC 6528 section 3 for initial sequence numbers and of RFC 6056 section 3.3.3 for ephemeral ports. Written from
 * the paper's description; only messages of up to 15 bytes (two 64-bit words) are needed, so there is no array.
 */
package io.ustack.tcp;

/** SipHash-2-4 of a message of at most 15 bytes, given as two little-endian words. Allocation-free. */
public final class SipHash {
    private SipHash() {
    }

    /**
     * SipHash-2-4 with key (k0, k1) (each the little-endian reading of 8 key bytes) of the {@code length}-byte
     * message whose bytes are those of {@code w0} then {@code w1}, least significant byte first.
     *
     * @param length 0..15; bytes of w0/w1 at or past {@code length} must be zero
     */
    public static long hash(long k0, long k1, long w0, long w1, int length) {
        if (length < 0 || length > 15) {
            throw new IllegalArgumentException("length " + length);
        }
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        // the last block carries the remaining bytes and, in its top byte, the message length mod 256
        long last;
        if (length >= 8) {
            long m = w0;
            v3 ^= m;
            for (int i = 0; i < 2; i++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
            last = w1;
        } else {
            last = w0;
        }
        last |= ((long) length) << 56;
        v3 ^= last;
        for (int i = 0; i < 2; i++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= last;
        v2 ^= 0xff;
        for (int i = 0; i < 4; i++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
