/*
 * Ipv4Reassembler: IPv4 reassembly (RFC 791 section 3.2 "reassembly", RFC 1122 3.3.2) for one interface: fragments
 * are gathered per buffer identifier (source, destination, protocol, identification) in a ReassemblyBuffer with
 * RFC 791's fragment block bit table, in a bounded table, each datagram with a reassembly timer; on timeout with the
 * first fragment present, ICMP time exceeded code 1 is sent (RFC 792, RFC 1122 3.3.2).
 *
 * Choices (documented, counted):
 *  - Overlap (RFC 5722's rule for IPv6, which Linux has applied to IPv4 since 2018): a fragment that overlaps data
 *    already received discards the whole datagram (FRAGMENT_OVERLAP), unless it is an exact duplicate: wholly inside
 *    the data received and equal to it byte for byte, which is ignored (FRAGMENT_DUPLICATE) and the datagram kept.
 *  - Malformed fragments are dropped alone, the datagram kept: no data, or MF set and data not a multiple of 8
 *    (FRAGMENT_MALFORMED); offset + data + header beyond 65535 (FRAGMENT_OVERSIZE); a first fragment shorter than the
 *    transport header, or a TCP fragment at offset 8 (RFC 1858 3.1, 3.2: FRAGMENT_TINY).
 *  - A last fragment (MF clear) whose end differs from the known end or lies below data received, or data past the
 *    known end, discards the datagram (FRAGMENT_END_CONFLICT).
 *  - Limits (ReassemblyConfig): at most maxDatagrams incomplete datagrams and maxBytes of buffer; a new datagram or
 *    a buffer growth beyond them evicts the oldest incomplete datagrams first (REASSEMBLY_TABLE_FULL): an old
 *    incomplete datagram has most likely lost a fragment, a new one may still complete. No ICMP on eviction.
 *  - The timer is fixed (RFC 1122 3.3.2: not taken from the TTL) and starts with the first fragment to arrive; the
 *    default is Linux's 30 s rather than RFC 1122's recommended 60-120 s.
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ustack.engine.StackCounters;
import io.ustack.engine.TimerWheel;
import io.ustack.wire.DropReason;
import io.ustack.wire.Icmpv4Packet;
import io.ustack.wire.Ipv4Packet;

/** The reassembly table of one interface. Engine thread only. */
final class Ipv4Reassembler {
    /** Data bytes of an ICMP time exceeded quote after the header (RFC 792: "64 bits of Data Datagram"). */
    static final int QUOTED_DATA = 8;
    private static final int TCP_HEADER = 20;
    private static final int MIN_TRANSPORT_HEADER = 8;

    private final ByteBufAllocator alloc;
    private final TimerWheel timers;
    private final IcmpLayer icmp;
    private final StackCounters counters;
    private ReassemblyConfig limits;
    private ReassemblyBuffer[] buckets;
    private ReassemblyBuffer oldest;
    private ReassemblyBuffer newest;
    private int count;
    private long bufferedBytes;

    Ipv4Reassembler(ByteBufAllocator alloc, TimerWheel timers, IcmpLayer icmp, StackCounters counters,
                    ReassemblyConfig limits) {
        this.alloc = alloc;
        this.timers = timers;
        this.icmp = icmp;
        this.counters = counters;
        limits(limits);
    }

    /** New limits; datagrams beyond them are evicted as new fragments come. */
    void limits(ReassemblyConfig limits) {
        this.limits = limits;
        int size = Integer.highestOneBit(Math.max(16, Math.min(limits.maxDatagrams(), 1 << 16)) * 2 - 1);
        if (buckets == null || buckets.length != size) {
            buckets = new ReassemblyBuffer[size];
            for (ReassemblyBuffer b = oldest; b != null; b = b.newer) {
                int i = bucket(b.src, b.dst, b.protocol, b.identification);
                b.nextInBucket = buckets[i];
                buckets[i] = b;
            }
        }
    }

    /** Datagrams in reassembly. */
    int size() {
        return count;
    }

    /** Buffer bytes held by datagrams in reassembly. */
    long bufferedBytes() {
        return bufferedBytes;
    }

    /**
     * Adds the fragment {@code f} (a checked IPv4 packet with MF set or a non-zero offset, the buffer borrowed);
     * {@code unicast} is true if it is addressed to our own address.
     *
     * @return the reassembled datagram (IPv4 header and data, readable bytes, header checksum valid, no longer a
     *     fragment) when this fragment completed one, which the caller releases; else null
     */
    ByteBuf add(Ipv4Packet f, boolean unicast, long now) {
        counters.ipReasmReqds++;
        if (!limits.enabled()) {
            counters.drop(DropReason.FRAGMENT);
            return null;
        }
        int headerLength = f.headerLength();
        int length = f.payloadLength();
        int offset = f.fragmentOffset();
        int end = offset + length;
        boolean more = f.moreFragments();
        int protocol = f.protocol();
        if (length == 0 || (more && (length & 7) != 0)) {
            counters.drop(DropReason.FRAGMENT_MALFORMED);
            return null;
        }
        if (end + headerLength > Ipv4Packet.MAX_TOTAL_LENGTH) {
            counters.drop(DropReason.FRAGMENT_OVERSIZE);
            return null;
        }
        if ((offset == 0 && length < minTransportHeader(protocol))
                || (offset == 8 && protocol == Ipv4Packet.PROTOCOL_TCP)) {
            counters.drop(DropReason.FRAGMENT_TINY);
            return null;
        }
        ReassemblyBuffer b = find(f.source(), f.destination(), protocol, f.identification());
        if (b == null) {
            b = create(f.source(), f.destination(), protocol, f.identification(), unicast, now);
        }
        if (more ? b.totalDataLength >= 0 && end > b.totalDataLength
                : (b.totalDataLength >= 0 && end != b.totalDataLength) || end < b.highest) {
            discard(b, DropReason.FRAGMENT_END_CONFLICT);
            return null;
        }
        int firstBlock = offset >>> 3;
        int endBlock = (end + 7) >>> 3;
        int seen = b.receivedBlocks(firstBlock, endBlock);
        if (seen == endBlock - firstBlock && b.sameData(f.buffer(), f.payloadOffset(), offset, length)) {
            counters.drop(DropReason.FRAGMENT_DUPLICATE);
            return null;
        }
        if (seen != 0) {
            counters.ipReasmOverlaps++;
            discard(b, DropReason.FRAGMENT_OVERLAP);
            return null;
        }
        if (!reserve(b, end)) {
            return null;
        }
        b.store(f.buffer(), f.payloadOffset(), offset, length);
        if (offset == 0) {
            b.storeFirstHeader(f.buffer(), f.offset(), headerLength);
        }
        if (!more) {
            b.totalDataLength = end;
        }
        return b.complete() ? finish(b) : null;
    }

    // RFC 1858 3.1: a first fragment must hold the transport header (TCP's 20 bytes; 8 for UDP, ICMP and others).
    private static int minTransportHeader(int protocol) {
        return protocol == Ipv4Packet.PROTOCOL_TCP ? TCP_HEADER : MIN_TRANSPORT_HEADER;
    }

    private ReassemblyBuffer find(int src, int dst, int protocol, int identification) {
        for (ReassemblyBuffer b = buckets[bucket(src, dst, protocol, identification)]; b != null; b = b.nextInBucket) {
            if (b.matches(src, dst, protocol, identification)) {
                return b;
            }
        }
        return null;
    }

    private ReassemblyBuffer create(int src, int dst, int protocol, int identification, boolean unicast, long now) {
        while (count >= limits.maxDatagrams() && oldest != null) {
            discard(oldest, DropReason.REASSEMBLY_TABLE_FULL);
        }
        ReassemblyBuffer b = new ReassemblyBuffer(this, src, dst, protocol, identification, unicast);
        int i = bucket(src, dst, protocol, identification);
        b.nextInBucket = buckets[i];
        buckets[i] = b;
        b.older = newest;
        if (newest != null) {
            newest.newer = b;
        } else {
            oldest = b;
        }
        newest = b;
        count++;
        timers.schedule(b.timer, now + limits.timeoutNanos());
        return b;
    }

    // Room for data up to `end` in b, evicting the oldest other datagrams if the byte limit needs it.
    private boolean reserve(ReassemblyBuffer b, int end) {
        int capacity = b.capacityFor(end);
        int growth = capacity - b.bufferBytes();
        if (growth == 0) {
            return true;
        }
        ReassemblyBuffer v = oldest;
        while (bufferedBytes + growth > limits.maxBytes() && v != null) {
            ReassemblyBuffer next = v.newer;
            if (v != b) {
                discard(v, DropReason.REASSEMBLY_TABLE_FULL);
            }
            v = next;
        }
        if (bufferedBytes + growth > limits.maxBytes()) {
            discard(b, DropReason.REASSEMBLY_TABLE_FULL); // this datagram alone is over the limit
            return false;
        }
        b.grow(capacity, alloc);
        bufferedBytes += growth;
        return true;
    }

    // The datagram is whole: its first fragment's header, made the header of the whole datagram.
    private ByteBuf finish(ReassemblyBuffer b) {
        int headerLength = b.firstHeaderLength;
        int total = headerLength + b.totalDataLength;
        if (total > Ipv4Packet.MAX_TOTAL_LENGTH) {
            discard(b, DropReason.FRAGMENT_OVERSIZE); // the first header is longer than the last fragment's
            return null;
        }
        ByteBuf d = b.data;
        b.data = null;
        bufferedBytes -= d.capacity();
        remove(b);
        int start = ReassemblyBuffer.HEADER_ROOM - headerLength;
        d.setShort(start + Ipv4Packet.TOTAL_LENGTH_OFFSET, total);
        d.setShort(start + Ipv4Packet.FLAGS_FRAGMENT_OFFSET,
                d.getUnsignedShort(start + Ipv4Packet.FLAGS_FRAGMENT_OFFSET) & Ipv4Packet.FLAG_DF);
        Ipv4Packet.fillChecksum(d, start, headerLength);
        d.setIndex(start, ReassemblyBuffer.HEADER_ROOM + b.totalDataLength);
        counters.ipReasmOKs++;
        return d;
    }

    /** The reassembly timer of {@code b} ran out (RFC 791 3.2; RFC 1122 3.3.2 time exceeded if fragment 0 came). */
    void expired(ReassemblyBuffer b, long now) {
        counters.ipReasmTimeout++;
        if (b.firstHeaderLength > 0 && b.unicast) {
            int ipOffset = ReassemblyBuffer.HEADER_ROOM - b.firstHeaderLength;
            icmp.timeExceeded(b.data, ipOffset, b.firstHeaderLength + QUOTED_DATA,
                    Icmpv4Packet.CODE_REASSEMBLY_TIME_EXCEEDED, b.dst, b.src, now);
        }
        discard(b, DropReason.REASSEMBLY_TIMEOUT);
    }

    // Gives up on b: counted as a reassembly failure for `reason`, its buffer released.
    private void discard(ReassemblyBuffer b, DropReason reason) {
        counters.drop(reason);
        counters.ipReasmFails++;
        bufferedBytes -= b.bufferBytes();
        b.release();
        remove(b);
    }

    private void remove(ReassemblyBuffer b) {
        timers.cancel(b.timer);
        int i = bucket(b.src, b.dst, b.protocol, b.identification);
        if (buckets[i] == b) {
            buckets[i] = b.nextInBucket;
        } else {
            ReassemblyBuffer p = buckets[i];
            while (p.nextInBucket != b) {
                p = p.nextInBucket;
            }
            p.nextInBucket = b.nextInBucket;
        }
        if (b.older != null) {
            b.older.newer = b.newer;
        } else {
            oldest = b.newer;
        }
        if (b.newer != null) {
            b.newer.older = b.older;
        } else {
            newest = b.older;
        }
        b.nextInBucket = null;
        b.older = null;
        b.newer = null;
        count--;
    }

    /** Discards every datagram in reassembly without counting it (stack shutdown). */
    void clear() {
        while (oldest != null) {
            ReassemblyBuffer b = oldest;
            bufferedBytes -= b.bufferBytes();
            b.release();
            remove(b);
        }
    }

    private int bucket(int src, int dst, int protocol, int identification) {
        int h = src * 0x9E3779B1 + dst;
        h = h * 0x9E3779B1 + (identification << 8 | protocol);
        h ^= h >>> 15;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h & (buckets.length - 1);
    }
}
