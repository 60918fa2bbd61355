/*
 * ReassemblyBuffer: the reassembly resources of one IPv4 datagram, as RFC 791 section 3.2 describes them: a data
 * buffer, a fragment block bit table (one bit per 8-octet block of data), the total data length once the last
 * fragment has come, the header of the first fragment, and the reassembly timer. Buffer identifier: source,
 * destination, protocol and identification.
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ustack.engine.Timer;
import io.ustack.wire.Ipv4Packet;

/**
 * One datagram in reassembly. The data buffer holds the first fragment's header in the
 * {@link #HEADER_ROOM} bytes in front of the data, so the completed datagram is contiguous. Fragments never overlap in
 * it (an overlapping fragment discards the datagram), so the count of data bytes received is exact. Engine thread
 * only; owned by an {@link Ipv4Reassembler}.
 */
final class ReassemblyBuffer implements Timer.Task {
    /** Bytes in front of the data for the first fragment's header (the longest IPv4 header). */
    static final int HEADER_ROOM = Ipv4Packet.MAX_HEADER_LENGTH;
    /** Data bytes a datagram can have at most (65535 less the shortest header). */
    static final int MAX_DATA = Ipv4Packet.MAX_TOTAL_LENGTH - Ipv4Packet.MIN_HEADER_LENGTH;
    private static final int BLOCKS = (MAX_DATA + 7) >>> 3;

    private final Ipv4Reassembler owner;
    final Timer timer = new Timer(this);
    final int src;
    final int dst;
    final int protocol;
    final int identification;
    /** The destination is our own unicast address (ICMP errors may be sent about the datagram). */
    final boolean unicast;
    /** The fragment block bit table: bit i set when data octets 8i..8i+7 have arrived. */
    private final long[] blocks = new long[(BLOCKS + 63) >>> 6];
    /** The data, after {@link #HEADER_ROOM} bytes that take the first fragment's header; null until data comes. */
    ByteBuf data;
    /** Data bytes received so far. */
    int received;
    /** The end of the highest data received so far. */
    int highest;
    /** The total data length, known once the last fragment (MF clear) has come; -1 until then. */
    int totalDataLength = -1;
    /** Header length of the first fragment (offset 0), 0 until it has come. */
    int firstHeaderLength;
    /** Hash chain of the reassembler's table. */
    ReassemblyBuffer nextInBucket;
    /** Age list of the reassembler, oldest first. */
    ReassemblyBuffer older;
    ReassemblyBuffer newer;

    ReassemblyBuffer(Ipv4Reassembler owner, int src, int dst, int protocol, int identification, boolean unicast) {
        this.owner = owner;
        this.src = src;
        this.dst = dst;
        this.protocol = protocol;
        this.identification = identification;
        this.unicast = unicast;
    }

    boolean matches(int src, int dst, int protocol, int identification) {
        return this.identification == identification && this.src == src && this.dst == dst
                && this.protocol == protocol;
    }

    /** Bytes of buffer this datagram holds (its data buffer's capacity). */
    int bufferBytes() {
        return data == null ? 0 : data.capacity();
    }

    /** The buffer capacity needed to hold data up to {@code end}: grown at least twofold, to limit copying. */
    int capacityFor(int end) {
        int need = HEADER_ROOM + end;
        int now = bufferBytes();
        if (need <= now) {
            return now;
        }
        return Math.max(need, Math.min(2 * now, HEADER_ROOM + MAX_DATA));
    }

    /** Replaces the data buffer by one of {@code capacity} bytes holding what the old one held. */
    void grow(int capacity, ByteBufAllocator alloc) {
        ByteBuf bigger = alloc.directBuffer(capacity, capacity);
        if (data != null) {
            bigger.setBytes(0, data, 0, data.capacity());
            data.release();
        }
        bigger.writerIndex(capacity); // all of it is addressable data (ByteBufUtil.equals looks at the indexes)
        data = bigger;
    }

    /** True once every data byte up to the known total length has come. */
    boolean complete() {
        return totalDataLength >= 0 && received == totalDataLength;
    }

    /** Number of blocks in {@code [from, to)} already received ({@code from < to}). */
    int receivedBlocks(int from, int to) {
        int n = 0;
        int last = to - 1;
        for (int w = from >>> 6; w <= last >>> 6; w++) {
            n += Long.bitCount(blocks[w] & rangeMask(w, from, last));
        }
        return n;
    }

    /** Stores {@code length} data bytes at data offset {@code offset} (room reserved) and marks their blocks. */
    void store(ByteBuf buf, int from, int offset, int length) {
        data.setBytes(HEADER_ROOM + offset, buf, from, length);
        int last = (offset + length - 1) >>> 3;
        for (int w = (offset >>> 3) >>> 6; w <= last >>> 6; w++) {
            blocks[w] |= rangeMask(w, offset >>> 3, last);
        }
        received += length;
        highest = Math.max(highest, offset + length);
    }

    /** Keeps the first fragment's header ({@code length} bytes at {@code from}) in front of the data. */
    void storeFirstHeader(ByteBuf buf, int from, int length) {
        data.setBytes(HEADER_ROOM - length, buf, from, length);
        firstHeaderLength = length;
    }

    /** True if the {@code length} bytes at {@code from} equal the data received at {@code offset}. */
    boolean sameData(ByteBuf buf, int from, int offset, int length) {
        return io.netty.buffer.ByteBufUtil.equals(data, HEADER_ROOM + offset, buf, from, length);
    }

    // Bits of word w that fall in the block range [first, last].
    private static long rangeMask(int w, int first, int last) {
        long mask = -1L;
        if (w == first >>> 6) {
            mask &= -1L << (first & 63);
        }
        if (w == last >>> 6) {
            mask &= -1L >>> (63 - (last & 63));
        }
        return mask;
    }

    /** The reassembly timer ran out. */
    @Override
    public void onTimer(long now) {
        owner.expired(this, now);
    }

    /** Releases the data buffer (the datagram is discarded). */
    void release() {
        if (data != null) {
            data.release();
            data = null;
        }
    }
}
