/*
 * SegmentWriter: builds and sends outgoing TCP segments (RFC 9293 3.1 header format) through IpOutput: header and
 * options at the writer index of a buffer with head room, payload copied out of a connection's send ring, then the
 * pseudo-header checksum (RFC 9293 3.1, "Checksum"). Also sends the resets of RFC 9293 3.10.7.1 for segments that
 * belong to no connection. One per TCP layer; its option holder is reused for every SYN.
 */
package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.ustack.engine.StackCounters;
import io.ustack.ip.IpOutput;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;

/** Emits segments. Engine thread only. */
final class SegmentWriter {
    private final IpOutput ip;
    private final StackCounters counters;
    private final TcpOptions options = new TcpOptions();

    SegmentWriter(IpOutput ip, StackCounters counters) {
        this.ip = ip;
        this.counters = counters;
    }

    /** The shared option holder, cleared, for a SYN about to be sent. */
    TcpOptions clearedOptions() {
        return options.clear();
    }

    /**
     * Sends one segment. {@code dataLength} payload bytes are copied from {@code data} starting {@code dataOffset}
     * bytes past its head ({@code data} may be null when {@code dataLength} is 0).
     *
     * @return whether IP accepted the packet
     */
    boolean send(int srcIp, int srcPort, int dstIp, int dstPort, int seq, int ack, int flags, int window,
            TcpOptions opts, SendBuffer data, int dataOffset, int dataLength, long now) {
        int optionBytes = opts == null ? 0 : opts.encodedLength();
        ByteBuf b = ip.allocate(TcpSegment.MIN_HEADER_LENGTH + optionBytes + dataLength);
        int start = b.writerIndex();
        int hl = TcpSegment.emitHeader(b, start, srcPort, dstPort, seq, ack, flags, window, opts);
        b.writerIndex(start + hl);
        if (dataLength > 0) {
            data.copyTo(dataOffset, dataLength, b);
        }
        TcpSegment.fillChecksum(b, start, hl + dataLength, srcIp, dstIp);
        counters.tcpSegmentsOut++;
        if ((flags & TcpSegment.RST) != 0) {
            counters.tcpResetsSent++;
        }
        return ip.sendIpv4(b, srcIp, dstIp, Ipv4Packet.PROTOCOL_TCP, now);
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
