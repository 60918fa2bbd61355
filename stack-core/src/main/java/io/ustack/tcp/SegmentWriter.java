/*
 * SegmentWriter: builds and sends outgoing TCP segments (RFC 9293 3.1 header format) through IpOutput: header and
 * options at the writer index of a buffer with head room, payload copied out of a connection's send ring, then the
 * pseudo-header checksum (RFC 9293 3.1, "Checksum"). Also sends the resets of RFC 9293 3.10.7.1 for segments that
 * belong to no connection. One per TCP layer; its option holder is reused for every SYN.
 *
 * TCP segmentation offload: when the link cuts TCP super-segments itself (IpOutput#tcpSegmentationOffload, a TAP
 * with the virtio-net header), the consecutive data segments of one output burst (beginBurst/endBurst) that differ
 * only in their sequence numbers are built as one super-segment of up to 64 KiB and leave in one frame, as Linux's
 * TSO/GSO does; the first segment's payload length is the piece size. The sender's bookkeeping (scoreboard, RACK,
 * counters) still sees MSS-sized segments.
 */
package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ustack.engine.StackCounters;
import io.ustack.ip.IpOutput;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;
import io.ustack.wire.TcpSegmentation;

/** Emits segments. Engine thread only. */
final class SegmentWriter {
    /** Largest TCP length of a super-segment: an IPv4 packet of at most 65535 bytes with a 20-byte header. */
    static final int MAX_SUPER_SEGMENT = Ipv4Packet.MAX_TOTAL_LENGTH - Ipv4Packet.MIN_HEADER_LENGTH;

    private final IpOutput ip;
    private final StackCounters counters;
    private final TcpOptions options = new TcpOptions();
    /** The options of a segment offered for merging, encoded to compare them with the pending super-segment's. */
    private final ByteBuf optionScratch = Unpooled.buffer(TcpSegment.MAX_HEADER_LENGTH);

    /** Depth of beginBurst calls not yet ended; segments merge only inside a burst. */
    private int burstDepth;
    /** The super-segment being built (readable bytes: TCP header and payload), or null. */
    private ByteBuf pending;
    private int pendingSrcIp;
    private int pendingDstIp;
    private int pendingHeaderLength;
    private int pendingGsoSize;
    private int pendingPieces;
    private int pendingNextSeq;
    private long pendingNow;

    SegmentWriter(IpOutput ip, StackCounters counters) {
        this.ip = ip;
        this.counters = counters;
    }

    /** The shared option holder, cleared, for a SYN about to be sent. */
    TcpOptions clearedOptions() {
        return options.clear();
    }

    /** Starts a burst of output: data segments sent until {@link #endBurst} may leave as one super-segment. */
    void beginBurst() {
        burstDepth++;
    }

    /** Ends a burst; at the outermost end whatever was merged is sent. */
    void endBurst() {
        if (--burstDepth <= 0) {
            burstDepth = 0;
            flush();
        }
    }

    /**
     * Sends one segment. {@code dataLength} payload bytes are copied from {@code data} starting {@code dataOffset}
     * bytes past its head ({@code data} may be null when {@code dataLength} is 0).
     *
     * @return whether IP accepted the packet (true while it waits in a super-segment)
     */
    boolean send(int srcIp, int srcPort, int dstIp, int dstPort, int seq, int ack, int flags, int window,
            TcpOptions opts, SendBuffer data, int dataOffset, int dataLength, long now) {
        if (pending != null) {
            if (appendable(srcIp, srcPort, dstIp, dstPort, seq, ack, flags, window, opts, dataLength)) {
                if (pending.writableBytes() < dataLength) {
                    grow();
                }
                data.copyTo(dataOffset, dataLength, pending);
                if ((flags & TcpSegment.PSH) != 0) {
                    int at = pending.readerIndex() + TcpSegment.FLAGS_OFFSET;
                    pending.setByte(at, pending.getUnsignedByte(at) | TcpSegment.PSH); // on the last piece only
                }
                pendingPieces++;
                pendingNextSeq = seq + dataLength;
                counters.tcpSegmentsOut++;
                return true;
            }
            flush();
        }
        boolean merge = burstDepth > 0 && dataLength > 0 && (flags & ~TcpSegment.PSH) == TcpSegment.ACK
                && ip.tcpSegmentationOffload();
        int optionBytes = opts == null ? 0 : opts.encodedLength();
        ByteBuf b = ip.allocate(TcpSegment.MIN_HEADER_LENGTH + optionBytes + dataLength);
        int start = b.writerIndex();
        int hl = TcpSegment.emitHeader(b, start, srcPort, dstPort, seq, ack, flags, window, opts);
        b.writerIndex(start + hl);
        if (dataLength > 0) {
            data.copyTo(dataOffset, dataLength, b);
        }
        counters.tcpSegmentsOut++;
        if (merge) {
            pending = b;
            pendingSrcIp = srcIp;
            pendingDstIp = dstIp;
            pendingHeaderLength = hl;
            pendingGsoSize = dataLength;
            pendingPieces = 1;
            pendingNextSeq = seq + dataLength;
            pendingNow = now;
            return true;
        }
        TcpSegment.fillChecksum(b, start, hl + dataLength, srcIp, dstIp);
        if ((flags & TcpSegment.RST) != 0) {
            counters.tcpResetsSent++;
        }
        return ip.sendIpv4(b, srcIp, dstIp, Ipv4Packet.PROTOCOL_TCP, now);
    }

    /**
     * Moves the pending segment into a buffer with room for a whole super-segment: done when the second piece comes,
     * so a burst of one segment never takes a 64 KiB buffer.
     */
    private void grow() {
        ByteBuf small = pending;
        ByteBuf big = ip.allocate(MAX_SUPER_SEGMENT);
        big.writeBytes(small, small.readerIndex(), small.readableBytes());
        small.release();
        pending = big;
    }

    /**
     * Whether the segment continues the pending super-segment: same connection, the next sequence number, a plain
     * data segment no longer than the piece size after only full pieces, the same ACK, window and options, and room.
     */
    private boolean appendable(int srcIp, int srcPort, int dstIp, int dstPort, int seq, int ack, int flags,
            int window, TcpOptions opts, int dataLength) {
        ByteBuf p = pending;
        int h = p.readerIndex();
        if (srcIp != pendingSrcIp || dstIp != pendingDstIp || seq != pendingNextSeq || dataLength <= 0
                || dataLength > pendingGsoSize || p.readableBytes() + dataLength > MAX_SUPER_SEGMENT
                || (p.readableBytes() - pendingHeaderLength) % pendingGsoSize != 0 // a short piece ends it
                || (flags & ~TcpSegment.PSH) != TcpSegment.ACK
                || p.getUnsignedShort(h + TcpSegment.SOURCE_PORT_OFFSET) != srcPort
                || p.getUnsignedShort(h + TcpSegment.DESTINATION_PORT_OFFSET) != dstPort
                || p.getInt(h + TcpSegment.ACKNOWLEDGMENT_OFFSET) != ack
                || p.getUnsignedShort(h + TcpSegment.WINDOW_OFFSET) != window) {
            return false;
        }
        int optionBytes = opts == null ? 0 : opts.emit(optionScratch, 0);
        if (TcpSegment.MIN_HEADER_LENGTH + optionBytes != pendingHeaderLength) {
            return false;
        }
        for (int i = 0; i < optionBytes; i++) {
            if (optionScratch.getByte(i) != p.getByte(h + TcpSegment.OPTIONS_OFFSET + i)) {
                return false;
            }
        }
        return true;
    }

    /** Sends the pending super-segment, if any: as an ordinary segment if it holds one piece. */
    void flush() {
        ByteBuf b = pending;
        if (b == null) {
            return;
        }
        pending = null;
        int start = b.readerIndex();
        int length = b.readableBytes();
        if (pendingPieces == 1) {
            TcpSegment.fillChecksum(b, start, length, pendingSrcIp, pendingDstIp);
            ip.sendIpv4(b, pendingSrcIp, pendingDstIp, Ipv4Packet.PROTOCOL_TCP, pendingNow);
            return;
        }
        b.setShort(start + TcpSegment.CHECKSUM_OFFSET,
                TcpSegmentation.partialChecksum(pendingSrcIp, pendingDstIp, length));
        counters.tcpSuperSegmentsOut++;
        ip.sendTcpSegments(b, pendingSrcIp, pendingDstIp, pendingGsoSize, pendingNow);
    }

    /**
     * RFC 9293 3.10.7.1 (CLOSED, and LISTEN for an ACK): answer {@code seg} with a reset. If it carries an ACK the
     * reset is {@code <SEQ=SEG.ACK><CTL=RST>}, otherwise {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}. Never
     * answers a reset.
     */
    void sendResetFor(Segment seg, long now) {
        if (seg.has(TcpSegment.RST)) {
            return;
        }
        if (seg.has(TcpSegment.ACK)) {
            send(seg.dstIp, seg.dstPort, seg.srcIp, seg.srcPort, seg.ack, 0, TcpSegment.RST, 0, null, null, 0, 0,
                    now);
        } else {
            send(seg.dstIp, seg.dstPort, seg.srcIp, seg.srcPort, 0, seg.seq + seg.seqLength(),
                    TcpSegment.RST | TcpSegment.ACK, 0, null, null, 0, 0, now);
        }
    }
}
