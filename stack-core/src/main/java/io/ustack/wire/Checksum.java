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
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Internet checksum arithmetic (RFC 1071). Stateless; no allocation. */
public final class Checksum {
    private static final VarHandle LONG_BE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE_UNALIGNED =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    /**
     * The whole address space as one segment, so that a direct buffer's memory is read by address with no per-call
     * segment object (MemorySegment.ofBuffer allocates one, which only escape analysis removes). Null when native
     * access is denied to this module; the per-call view is used then.
     */
    private static final MemorySegment ALL_MEMORY = allMemory();

    private Checksum() {}

    /**
     * Adds {@code length} bytes at absolute {@code offset} to the partial sum {@code initial} (an unsigned 32-bit
     * one's complement partial sum, as returned by this method or the pseudo-header methods). An odd trailing byte
     * is padded with a zero byte on the right, as RFC 1071 requires. Returns a partial sum in 0..0xffff.
     */
    public static int sum(ByteBuf buf, int offset, int length, int initial) {
        // One's complement addition is associative over any word width as long as carries wrap around, so the
        // data is added as unsigned 32-bit halves of 64-bit big-endian words into a 64-bit accumulator (no carry
        // can be lost for any int length), then folded to 16 bits. Heap buffers are read straight from the array.
        long acc = initial & 0xffff_ffffL;
        if (buf.hasArray()) {
            if (offset < 0 || length < 0 || offset + length > buf.capacity()) {
                throw new IndexOutOfBoundsException("checksum range " + offset + "+" + length + " of capacity "
                        + buf.capacity());
            }
            acc = sumArray(buf.array(), buf.arrayOffset() + offset, length, acc);
        } else if (buf.isDirect() && buf.nioBufferCount() == 1) {
            acc = sumDirect(buf, offset, length, acc);
        } else {
            int i = offset;
            int end = offset + length;
            while (end - i >= 8) {
                long w = buf.getLong(i);
                acc += (w >>> 32) + (w & 0xffff_ffffL);
                i += 8;
            }
            acc = sumTail(buf, i, end, acc);
        }
        return fold64(acc);
    }

    /**
     * Direct memory read as big-endian longs through a MemorySegment: by address in the all-memory segment when the
     * buffer has one (no object per call, so no reliance on escape analysis; the range is checked once here), else
     * through a view of the buffer's internal NIO buffer. Two accumulators let the adds overlap. About twice as fast
     * as ByteBuf.getLong (which checks bounds on every call) on a 1500-byte frame.
     */
    private static long sumDirect(ByteBuf buf, int offset, int length, long acc) {
        MemorySegment seg;
        long base;
        if (ALL_MEMORY != null && buf.hasMemoryAddress()) {
            if (offset < 0 || length < 0 || offset + length > buf.capacity()) {
                throw new IndexOutOfBoundsException("checksum range " + offset + "+" + length + " of capacity "
                        + buf.capacity());
            }
            seg = ALL_MEMORY;
            base = buf.memoryAddress() + offset;
        } else {
            seg = MemorySegment.ofBuffer(buf.internalNioBuffer(offset, length));
            base = 0;
        }
        long a1 = 0;
        long i = 0;
        for (; length - i >= 16; i += 16) {
            long w0 = seg.get(LONG_BE_UNALIGNED, base + i);
            long w1 = seg.get(LONG_BE_UNALIGNED, base + i + 8);
            acc += (w0 >>> 32) + (w0 & 0xffff_ffffL);
            a1 += (w1 >>> 32) + (w1 & 0xffff_ffffL);
        }
        acc += a1;
        if (length - i >= 8) {
            long w = seg.get(LONG_BE_UNALIGNED, base + i);
            acc += (w >>> 32) + (w & 0xffff_ffffL);
            i += 8;
        }
        return sumTail(buf, offset + (int) i, offset + length, acc);
    }

    private static MemorySegment allMemory() {
        try {
            return MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
        } catch (IllegalCallerException | UnsupportedOperationException denied) {
            return null;
        }
    }

    /** The last 0..7 bytes of a range [i, end). */
    private static long sumTail(ByteBuf buf, int i, int end, long acc) {
        if (end - i >= 4) {
            acc += buf.getUnsignedInt(i);
            i += 4;
        }
        if (end - i >= 2) {
            acc += buf.getUnsignedShort(i);
            i += 2;
        }
        if (end - i == 1) {
            acc += buf.getUnsignedByte(i) << 8;
        }
        return acc;
    }

    private static long sumArray(byte[] a, int start, int length, long acc) {
        int i = start;
        int end = start + length;
        while (end - i >= 8) {
            long w = (long) LONG_BE.get(a, i);
            acc += (w >>> 32) + (w & 0xffff_ffffL);
            i += 8;
        }
        if (end - i >= 4) {
            acc += (int) INT_BE.get(a, i) & 0xffff_ffffL;
            i += 4;
        }
        if (end - i >= 2) {
            acc += ((a[i] & 0xff) << 8) | (a[i + 1] & 0xff);
            i += 2;
        }
        if (end - i == 1) {
            acc += (a[i] & 0xff) << 8;
        }
        return acc;
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
