/*
 * Checksum: the Internet checksum (RFC 1071), the 16-bit one's complement of the one's complement sum of the data
 * taken as big-endian 16-bit words, plus the TCP/UDP pseudo-header sums for IPv4 (RFC 9293 3.1, RFC 768) and IPv6
 * (RFC 8200 section 8.1).
 *
 * Usage: partial = pseudoHeaderV4(...); partial = sum(buf, off, len, partial); field = finish(partial).
 * A region that contains a correct checksum field verifies as finish(sum(region)) == 0.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/** Internet checksum arithmetic (RFC 1071). Stateless; no allocation. */
public final class Checksum {
    private Checksum() {}

    /**
     * Adds {@code length} bytes at absolute {@code offset} to the partial sum {@code initial} (an unsigned 32-bit
     * one's complement partial sum, as returned by this method or the pseudo-header methods). An odd trailing byte
     * is padded with a zero byte on the right, as RFC 1071 requires. Returns a partial sum in 0..0xffff.
     */
    public static int sum(ByteBuf buf, int offset, int length, int initial) {
        // One's complement addition is associative over any word width as long as carries wrap around; adding
        // 64-bit big-endian words with end-around carry and folding to 16 bits equals the 16-bit word sum.
        long acc = initial & 0xffff_ffffL;
        int i = offset;
        int end = offset + length;
        while (end - i >= 8) {
            long w = buf.getLong(i);
            acc += w;
            if (Long.compareUnsigned(acc, w) < 0) {
                acc++; // end-around carry
            }
            i += 8;
        }
        if (end - i >= 4) {
            acc = addUnsigned(acc, buf.getUnsignedInt(i));
            i += 4;
        }
        if (end - i >= 2) {
            acc = addUnsigned(acc, buf.getUnsignedShort(i));
            i += 2;
        }
        if (end - i == 1) {
            acc = addUnsigned(acc, (long) buf.getUnsignedByte(i) << 8);
        }
        return fold64(acc);
    }

    private static long addUnsigned(long acc, long v) {
        long r = acc + v;
        if (Long.compareUnsigned(r, v) < 0) {
            r++;
        }
        return r;
    }

    private static int fold64(long acc) {
        long s = (acc >>> 32) + (acc & 0xffff_ffffL); // <= 2^33
        s = (s >>> 32) + (s & 0xffff_ffffL); // <= 2^32
        s = (s >>> 16) + (s & 0xffff); // <= 0x1fffe... plus carry
        s = (s >>> 16) + (s & 0xffff);
        s = (s >>> 16) + (s & 0xffff);
        return (int) s;
    }

    /** Folds a partial sum to 16 bits and complements it: the value to put in a checksum field (0..0xffff). */
    public static int finish(int sum) {
        return ~fold64(sum & 0xffff_ffffL) & 0xffff;
    }

    /**
     * Partial sum of the IPv4 pseudo-header (RFC 9293 3.1, RFC 768): source, destination, zero, protocol, and the
     * transport length (header plus data).
     */
    public static int pseudoHeaderV4(int src, int dst, int protocol, int length) {
        long s = (long) (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff)
                + (protocol & 0xff) + (length & 0xffff_ffffL);
        return fold64(s);
    }

    /**
     * Partial sum of the IPv6 pseudo-header (RFC 8200 section 8.1): source and destination addresses (each as two
     * big-endian longs, high then low), the 32-bit upper-layer packet length and the next header value.
     */
    public static int pseudoHeaderV6(long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int length) {
        long s = words(srcHi) + words(srcLo) + words(dstHi) + words(dstLo)
                + (length >>> 16) + (length & 0xffff) + (nextHeader & 0xff);
        return fold64(s);
    }

    private static long words(long v) {
        return (v >>> 48) + ((v >>> 32) & 0xffff) + ((v >>> 16) & 0xffff) + (v & 0xffff);
    }

    /** The checksum field value of {@code length} bytes at {@code offset}: {@code finish(sum(buf, offset, length, 0))}. */
    public static int compute(ByteBuf buf, int offset, int length) {
        return finish(sum(buf, offset, length, 0));
    }
}
