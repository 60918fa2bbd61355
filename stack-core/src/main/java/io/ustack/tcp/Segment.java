/*
 * Segment: one arriving TCP segment as the state machine sees it (RFC 9293 3.10.7: SEG.SEQ, SEG.ACK, SEG.LEN,
 * SEG.WND, the control bits), parsed once from the wire view. The same instance is reused for every segment a
 * layer receives; trimming to the receive window (RFC 9293 3.10.7.4 "first") edits it in place.
 */
package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;

/** Mutable, reusable description of the segment being processed. Engine thread only. */
final class Segment {
    int srcIp;
    int dstIp;
    int srcPort;
    int dstPort;
    /** SEG.SEQ */
    int seq;
    /** SEG.ACK */
    int ack;
    /** Control bits (TcpSegment.FIN ... CWR). */
    int flags;
    /** SEG.WND as on the wire (unscaled). */
    int window;
    ByteBuf buf;
    /** Absolute index of the first payload byte in {@link #buf}. */
    int payloadOffset;
    int payloadLength;
    /** The options of this segment (valid until the next one is loaded). */
    final TcpOptions options = new TcpOptions();

    /** Copies the header fields of a checked view. Options are parsed separately into {@link #options}. */
    void load(TcpSegment view, int srcIp, int dstIp) {
        this.srcIp = srcIp;
        this.dstIp = dstIp;
        this.srcPort = view.sourcePort();
        this.dstPort = view.destinationPort();
        this.seq = view.sequenceNumber();
        this.ack = view.acknowledgmentNumber();
        this.flags = view.flags();
        this.window = view.window();
        this.buf = view.buffer();
        this.payloadOffset = view.payloadOffset();
        this.payloadLength = view.payloadLength();
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** SEG.LEN: payload plus one for SYN and one for FIN. */
    int seqLength() {
        return payloadLength + ((flags & TcpSegment.SYN) != 0 ? 1 : 0) + ((flags & TcpSegment.FIN) != 0 ? 1 : 0);
    }

    /** Sequence number just past the payload (where a FIN of this segment sits). */
    int payloadEnd() {
        return seq + ((flags & TcpSegment.SYN) != 0 ? 1 : 0) + payloadLength;
    }

    /** Drops the first {@code n} sequence numbers (a SYN first, then payload bytes): they were received before. */
    void trimFront(int n) {
        if (n <= 0) {
            return;
        }
        if ((flags & TcpSegment.SYN) != 0) {
            flags &= ~TcpSegment.SYN;
            seq++;
            n--;
        }
        int d = Math.min(n, payloadLength);
        payloadOffset += d;
        payloadLength -= d;
        seq += d;
        n -= d;
        if (n > 0 && (flags & TcpSegment.FIN) != 0) {
            flags &= ~TcpSegment.FIN;
            seq++;
        }
    }

    /**
     * Keeps at most {@code allowed} sequence numbers of SYN and payload; a FIN survives only if no payload was cut
     * (it then sits at most at the right window edge and takes no buffer space).
     */
    void trimBack(int allowed) {
        int syn = (flags & TcpSegment.SYN) != 0 ? 1 : 0;
        if (syn + payloadLength > allowed) {
            payloadLength = Math.max(0, allowed - syn);
            flags &= ~TcpSegment.FIN;
        }
    }

    @Override
    public String toString() {
        return srcPort + ">" + dstPort + " [" + flagString(flags) + "] seq=" + Integer.toUnsignedString(seq) + " ack="
                + Integer.toUnsignedString(ack) + " win=" + window + " len=" + payloadLength;
    }

    /** tcpdump-style flags ("S", "F", "R", "P", "." for ACK), for logs and test output. */
    static String flagString(int flags) {
        StringBuilder f = new StringBuilder();
        if ((flags & TcpSegment.SYN) != 0) {
            f.append('S');
        }
        if ((flags & TcpSegment.FIN) != 0) {
            f.append('F');
        }
        if ((flags & TcpSegment.RST) != 0) {
            f.append('R');
        }
        if ((flags & TcpSegment.PSH) != 0) {
            f.append('P');
        }
        if ((flags & TcpSegment.ACK) != 0) {
            f.append('.');
        }
        return f.toString();
    }
}
