/*
 * SegmentArrives: the "SEGMENT ARRIVES" event processing of RFC 9293 section 3.10.7 for a connection that exists:
 * 3.10.7.3 (SYN-SENT) and 3.10.7.4 (every other state) step by step: sequence number check, RST (with RFC 5961
 * 3.2 exact-match and challenge ACKs), SYN (RFC 5961 4.2 challenge ACK), ACK, text, FIN. LISTEN and CLOSED
 * (3.10.7.1 / 3.10.7.2) are handled by TcpLayer and TcpListener.
 */
package io.ustack.tcp;

import io.ustack.engine.StackCounters;
import io.ustack.spi.WsaError;
import io.ustack.wire.DropReason;
import io.ustack.wire.TcpSegment;

import static io.ustack.tcp.SequenceNumbers.gt;
import static io.ustack.tcp.SequenceNumbers.leq;
import static io.ustack.tcp.SequenceNumbers.lt;

/** Stateless processor of arriving segments. Engine thread only. */
final class SegmentArrives {
    private SegmentArrives() {
    }

    /** Processes {@code seg} for {@code c}, then sends whatever it made due (data, ACK). */
    static void process(TcpConnection c, Segment seg, StackCounters counters, SegmentWriter writer, long now) {
        switch (c.state()) {
            case CLOSED, LISTEN -> counters.drop(DropReason.TCP_UNACCEPTABLE);
            case SYN_SENT -> synSent(c, seg, counters, writer, now);
            default -> synchronizedOrSynReceived(c, seg, counters, writer, now);
        }
        c.output(now);
    }

    /** RFC 9293 3.10.7.3, SYN-SENT. */
    private static void synSent(TcpConnection c, Segment seg, StackCounters counters, SegmentWriter writer,
            long now) {
        TcpSender snd = c.sender;
        boolean ackAcceptable = false;
        // first, check the ACK bit: SEG.ACK =< ISS or SEG.ACK > SND.NXT is unacceptable
        if (seg.has(TcpSegment.ACK)) {
            if (leq(seg.ack, snd.iss) || gt(seg.ack, snd.sndMax)) {
                counters.drop(DropReason.TCP_UNACCEPTABLE);
                writer.sendResetFor(seg, now); // <SEQ=SEG.ACK><CTL=RST>, never for a RST
                return;
            }
            ackAcceptable = true; // SND.UNA < SEG.ACK =< SND.NXT, since SND.UNA = ISS
        }
        // second, the RST bit: acceptable only with an acceptable ACK ("connection refused")
        if (seg.has(TcpSegment.RST)) {
            if (ackAcceptable) {
                c.terminate(WsaError.WSAECONNREFUSED);
            } else {
                counters.drop(DropReason.TCP_UNACCEPTABLE);
            }
            return;
        }
        // fourth, the SYN bit
        if (!seg.has(TcpSegment.SYN)) {
            counters.drop(DropReason.TCP_UNACCEPTABLE); // fifth: neither SYN nor RST
            return;
        }
        c.receiver.init(seg.seq); // RCV.NXT = SEG.SEQ + 1, IRS = SEG.SEQ
        c.negotiate(seg.options, now);
        if (ackAcceptable) {
            // our SYN is acknowledged: ESTABLISHED; the window of a SYN is never scaled (RFC 7323 2.2)
            snd.onSynAcked(seg, false, now);
            c.established(now);
            c.receiver.ackNow = true;
            // data or FIN in the SYN-ACK: continue at the sixth step
            seg.trimFront(1);
            if (seg.payloadLength > 0 || seg.has(TcpSegment.FIN)) {
                c.receiver.trim(seg);
                textAndFin(c, seg, now);
            }
        } else {
            // simultaneous open (RFC 9293 3.5 Figure 7): SYN-RECEIVED, answer SYN-ACK <SEQ=ISS><ACK=RCV.NXT>
            c.state(TcpState.SYN_RECEIVED);
            snd.sndWnd = seg.window;
            snd.sndWl1 = seg.seq;
            snd.sndWl2 = seg.ack;
            snd.sendSyn(true, now);
        }
    }

    /** RFC 9293 3.10.7.4: SYN-RECEIVED and the synchronized states. */
    private static void synchronizedOrSynReceived(TcpConnection c, Segment seg, StackCounters counters,
            SegmentWriter writer, long now) {
        TcpReceiver rcv = c.receiver;
        TcpSender snd = c.sender;
        TcpState state = c.state();

        // the peer retransmitted its SYN because our SYN-ACK was lost: answer with the SYN-ACK at once
        if (state == TcpState.SYN_RECEIVED && seg.has(TcpSegment.SYN) && !seg.has(TcpSegment.ACK)
                && !seg.has(TcpSegment.RST) && seg.seq == rcv.irs) {
            counters.tcpRetransmits++;
            snd.sendSyn(true, now);
            return;
        }

        // RFC 7323 5.3 R1: PAWS, before the sequence number check
        if (c.timestamps.pawsReject(seg, now)) {
            counters.drop(DropReason.TCP_UNACCEPTABLE);
            rcv.ackNow = true;
            return;
        }
        rcv.noteDuplicate(seg); // RFC 2883 D-SACK for text below RCV.NXT

        // first, check the sequence number
        if (!rcv.acceptable(seg) && rcv.rcvWnd() == 0 && seg.seq == rcv.rcvNxt && !seg.has(TcpSegment.SYN)) {
            // RFC 9293 3.10.7.4: with RCV.WND = 0 no text is acceptable, "but special allowance should be made to
            // accept valid ACKs, URGs, and RSTs": a peer probing our zero window carries its acknowledgments (and
            // window updates) on the probe. The text (and a FIN behind it) is dropped; the rest goes on.
            counters.drop(DropReason.TCP_UNACCEPTABLE);
            seg.trimBack(0);
            rcv.ackNow = true;
        }
        if (!rcv.acceptable(seg)) {
            counters.drop(DropReason.TCP_UNACCEPTABLE);
            if (!seg.has(TcpSegment.RST)) {
                rcv.ackNow = true; // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
                if (state == TcpState.TIME_WAIT && seg.has(TcpSegment.FIN)) {
                    c.timers.restartTimeWait(now); // a retransmitted FIN: acknowledge it, restart 2 MSL
                }
            }
            return;
        }
        int originalSeq = seg.seq;
        rcv.trim(seg);
        c.lastReceivedAt = now; // the peer is alive (keep-alive, zero-window user timeout)
        c.timestamps.update(seg, originalSeq, now); // RFC 7323 4.3 (2): TS.Recent

        // second, check the RST bit (RFC 5961 3.2: only an exact RCV.NXT match resets; in window: challenge ACK)
        if (seg.has(TcpSegment.RST)) {
            if (originalSeq != rcv.rcvNxt) {
                c.challengeAck(now);
                counters.drop(DropReason.TCP_UNACCEPTABLE);
                return;
            }
            switch (state) {
                // passive OPEN: back to LISTEN, i.e. this embryonic connection disappears quietly
                case SYN_RECEIVED -> c.terminate(c.passive ? 0 : WsaError.WSAECONNREFUSED);
                case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK ->
                        c.terminate(WsaError.WSAECONNRESET);
                default -> c.terminate(0); // TIME-WAIT
            }
            return;
        }

        // fourth, check the SYN bit (RFC 5961 4.2: challenge ACK; RFC 9293 3.10.7.4 passive SYN-RECEIVED: LISTEN)
        if (seg.has(TcpSegment.SYN)) {
            counters.drop(DropReason.TCP_UNACCEPTABLE);
            if (state == TcpState.SYN_RECEIVED && c.passive) {
                c.terminate(0);
            } else {
                c.challengeAck(now);
            }
            return;
        }

        // fifth, check the ACK field
        if (!seg.has(TcpSegment.ACK)) {
            counters.drop(DropReason.TCP_UNACCEPTABLE);
            return;
        }
        if (state == TcpState.SYN_RECEIVED) {
            if (lt(snd.sndUna, seg.ack) && leq(seg.ack, snd.sndMax)) {
                snd.onSynAcked(seg, true, now); // SND.WND <- SEG.WND (scaled), SND.WL1, SND.WL2
                c.established(now);
                state = c.state();
            } else {
                counters.drop(DropReason.TCP_UNACCEPTABLE);
                writer.sendResetFor(seg, now); // <SEQ=SEG.ACK><CTL=RST>
                return;
            }
        }
        if (!snd.processAck(seg, now)) {
            counters.drop(DropReason.TCP_UNACCEPTABLE);
            return;
        }
        switch (state) {
            case FIN_WAIT_1 -> {
                if (snd.finAcked()) {
                    c.finWait1Acked(now);
                }
            }
            case CLOSING -> {
                if (snd.finAcked()) {
                    c.enterTimeWait(now);
                }
                return;
            }
            case LAST_ACK -> {
                if (snd.finAcked()) {
                    c.terminate(0);
                }
                return;
            }
            default -> {
            }
        }

        // sixth, the URG bit: urgent data is delivered in line as ordinary data (RFC 6093)
        textAndFin(c, seg, now);
    }

    /** RFC 9293 3.10.7.4 "seventh, process the segment text" and "eighth, check the FIN bit". */
    private static void textAndFin(TcpConnection c, Segment seg, long now) {
        if (!c.receivesData()) {
            return; // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: the peer's FIN came before; ignore the text
        }
        if (seg.payloadLength > 0 && c.userClosed()) {
            // RFC 1122 4.2.2.13: data arriving after CLOSE cannot be delivered: reset
            c.resetAndTerminate(WsaError.WSAECONNABORTED, now);
            return;
        }
        if (c.receiver.processText(seg, now)) {
            c.finReceived(now);
        }
        c.buffers.onData(seg, now); // receive auto-sizing: the receiver's RTT
    }
}
