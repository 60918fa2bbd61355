/*
 * RenoRecovery: loss recovery without SACK: duplicate ACK counting with fast retransmit and fast recovery
 * (RFC 5681 3.2), NewReno partial acknowledgments and the "recover" variable (RFC 6582 3.2, "impatient" timer
 * variant), limited transmit on the first two duplicate ACKs (RFC 3042), and the go-back-N retransmission after a
 * timeout (RFC 5681 3.1 / RFC 6582 3.2 step 4).
 */
package io.ustack.tcp;

import static io.ustack.tcp.SequenceNumbers.geq;
import static io.ustack.tcp.SequenceNumbers.gt;

/** Duplicate-ACK based recovery. Engine thread only. */
final class RenoRecovery implements LossRecovery {
    /** RFC 5681 3.2: fast retransmit on the third duplicate ACK. */
    static final int DUPACK_THRESHOLD = 3;

    private final TcpSender snd;
    int dupAcks;
    /** "recover" of RFC 6582: SND.MAX when recovery (or the last timeout) began. */
    int recover;
    private boolean partialAckSeen;
    /** A retransmission timeout's go-back-N is under way until SND.UNA passes {@link #recover}. */
    private boolean afterTimeout;

    RenoRecovery(TcpSender snd, int iss) {
        this.snd = snd;
        this.recover = iss; // RFC 6582 3.2 step 1: recover is initialised to the ISS
    }

    @Override
    public boolean onAck(Segment seg, int acked, boolean duplicate, long now) {
        CongestionControl cc = snd.cc;
        if (acked > 0) {
            if (snd.inRecovery) {
                if (geq(snd.sndUna, recover)) {
                    // RFC 6582 3.2 step 3, full acknowledgment
                    snd.inRecovery = false;
                    dupAcks = 0;
                    cc.onExitRecovery(snd.flightSize(), now);
                } else {
                    // RFC 6582 3.2 step 3, partial acknowledgment: retransmit the first unacknowledged segment;
                    // "impatient" variant: the timer is reset for the first partial ACK only
                    cc.onPartialAck(acked);
                    snd.retransmitHead(now);
                    boolean restart = !partialAckSeen;
                    partialAckSeen = true;
                    return restart;
                }
            } else {
                dupAcks = 0;
                cc.onAck(acked, now);
                if (afterTimeout && geq(snd.sndUna, recover)) {
                    afterTimeout = false;
                    cc.onExitTimeoutRecovery(now);
                }
            }
            return true;
        }
        if (duplicate) {
            dupAcks++;
            if (snd.inRecovery) {
                cc.onRecoveryDupAck(); // RFC 5681 3.2 step 4; output() may now send new data
            } else if (dupAcks == DUPACK_THRESHOLD && gt(snd.sndUna, recover)) {
                // RFC 6582 3.2 step 2 (the ACK covers more than recover) and RFC 5681 3.2 steps 2-3
                recover = snd.sndMax;
                snd.inRecovery = true;
                snd.extCounters().renoRecoveries++;
                partialAckSeen = false;
                cc.onEnterRecovery(snd.flightSize(), now);
                snd.stopTiming(); // Karn: the timed segment may be the one being retransmitted
                snd.retransmitHead(now);
            }
        }
        return false;
    }

    @Override
    public void onRetransmitTimeout(long now) {
        // RFC 6582 3.2 step 4: recover = highest sent, leave recovery; go back N from SND.UNA
        snd.inRecovery = false;
        dupAcks = 0;
        recover = snd.sndMax;
        afterTimeout = true;
        snd.sndNxt = snd.sndUna;
        snd.retransmitHead(now);
    }

    @Override
    public int inFlight() {
        return snd.sndNxt - snd.sndUna;
    }

    @Override
    public int window(int cwnd) {
        // RFC 3042: the first and second duplicate ACKs each let one new segment out, cwnd unchanged
        return snd.inRecovery ? cwnd : cwnd + Math.min(dupAcks, 2) * snd.smss;
    }

    @Override
    public void onReorderTimeout(long now) {
    }
}
