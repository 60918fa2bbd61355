/*
 * RenoRecovery: loss recovery without SACK: duplicate ACK counting with fast retransmit and fast recovery
 * (RFC 5681 3.2), NewReno partial acknowledgments and the "recover" variable (RFC 6582 3.2, "impatient" timer
 * variant), limited transmit on the first two duplicate ACKs (RFC 3042), and the go-back-N retransmission after a
 * timeout (RFC 5681 3.1 / RFC 6582 3.2 step 4).
 * With Proportional Rate Reduction (RFC 9937 section 6.2, Prr; on by default, not for BBR) fast recovery fills
 * pipe + sndcnt instead of RFC 5681's cwnd inflated by each duplicate ACK and deflated by partial ACKs: a duplicate
 * ACK counts as 1 SMSS delivered, a partial ACK as the rest of its change in SND.UNA, pipe is the flight less the
 * duplicate ACK estimate, so new data follows the ACK clock down to ssthresh from the first ACK of recovery rather
 * than after half a window of silence. The retransmissions on entry and on partial ACKs stay unconditional.
 * With F-RTO (RFC 5682 section 2, Frto; on by default) a timeout that starts a loss episode retransmits the first
 * segment only and then, on the ACK that advances SND.UNA, sends new data rather than going back N; when the next
 * ACK advances SND.UNA too the timeout was spurious and its window reduction is undone (RecoveryUndo), otherwise the
 * go-back-N of the conventional recovery begins from SND.UNA.
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
    /** RFC 9937 PRR, or null for RFC 5681 / RFC 6582 cwnd inflation and deflation during fast recovery. */
    private final Prr prr;
    /** RFC 5682 section 2 F-RTO, or null for the conventional RTO recovery only. */
    private final Frto frto;

    RenoRecovery(TcpSender snd, int iss, TcpConfig config) {
        this.snd = snd;
        this.recover = iss; // RFC 6582 3.2 step 1: recover is initialised to the ISS
        this.prr = config.prr() ? new Prr() : null;
        this.frto = config.frto() ? new Frto(false) : null;
    }

    @Override
    public boolean onAck(Segment seg, int acked, boolean duplicate, long now) {
        CongestionControl cc = snd.cc;
        if (frto != null && frto.active()) {
            frtoOnAck(acked, duplicate);
        }
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
                    boolean prrActive = prrActive();
                    if (!prrActive) {
                        cc.onPartialAck(acked);
                    }
                    snd.retransmitHead(now);
                    if (prrActive) {
                        prrOnAck(acked, false); // the partial ACK shows the next loss: not a SafeACK
                    }
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
                if (prrActive()) {
                    prrOnAck(0, true);
                } else {
                    cc.onRecoveryDupAck(); // RFC 5681 3.2 step 4; output() may now send new data
                }
            } else if (dupAcks == DUPACK_THRESHOLD && gt(snd.sndUna, recover)) {
                // RFC 6582 3.2 step 2 (the ACK covers more than recover) and RFC 5681 3.2 steps 2-3
                recover = snd.sndMax;
                snd.inRecovery = true;
                snd.extCounters().renoRecoveries++;
                partialAckSeen = false;
                cc.onEnterRecovery(snd.flightSize(), now);
                snd.stopTiming(); // Karn: the timed segment may be the one being retransmitted
                boolean prrActive = prrActive();
                if (prrActive) {
                    // RFC 9937 6.1: RecoverFS = SND.NXT - SND.UNA, less the earlier duplicate ACKs' segments
                    prr.beginWithoutSack(snd.sndNxt - snd.sndUna, (dupAcks - 1) * snd.smss, snd.smss);
                }
                snd.retransmitHead(now);
                if (prrActive) {
                    prrOnAck(0, true); // the ACK that starts recovery is the first one PRR counts
                }
            }
        }
        return false;
    }

    /** RFC 5682 section 2 steps 2 and 3, on an ACK while an F-RTO episode runs (before the ACK's other effects). */
    private void frtoOnAck(int acked, boolean duplicate) {
        boolean step3 = frto.newDataOnly();
        int decision = frto.onAck(snd.sndUna, acked > 0, duplicate, acked > 0, snd);
        if (decision == Frto.SEND_NEW) {
            snd.sndNxt = snd.sndMax; // step 2b: new data instead of the go-back-N retransmissions
        } else if (decision == Frto.SPURIOUS) {
            snd.extCounters().spuriousRtos++; // step 3b: the originals were only late
            snd.undo.undo(snd.cc, snd.extCounters());
            afterTimeout = false;
        } else if (!frto.active()) {
            snd.undo.end(); // 2a, 2b without new data, or 3a (a duplicate ACK): conventional recovery
            if (decision == Frto.CONVENTIONAL && step3) {
                snd.sndNxt = snd.sndUna; // 3a: go back N (in slow start) from SND.UNA
            }
        }
    }

    /** Fast recovery paced by PRR. */
    private boolean prrActive() {
        return prr != null && snd.inRecovery && snd.cc.proportionalRateReduction();
    }

    /**
     * RFC 9937 6.2 on an ACK that started or arrived during fast recovery, after the retransmission it triggered
     * (counted in prr_out, so sndcnt is what may follow it; pipe counts the retransmission in place of the lost
     * segment). SafeACK is never true: a partial ACK of NewReno shows the next loss.
     */
    private void prrOnAck(int acked, boolean duplicate) {
        int deliveredData = prr.deliveredWithoutSack(acked, duplicate, snd.sndNxt - snd.sndUna, snd.smss);
        prr.onAck(deliveredData, inFlight(), snd.cc.ssthresh(), false, snd.smss);
    }

    @Override
    public void onRetransmitTimeout(long now) {
        // RFC 6582 3.2 step 4: recover = highest sent, leave recovery; go back N from SND.UNA. RFC 5682 section 2
        // step 1, F-RTO, unless in fast recovery or before the data outstanding at an earlier timeout is acknowledged
        boolean frtoBegins = frto != null && !snd.inRecovery && (!afterTimeout || geq(snd.sndUna, recover));
        snd.inRecovery = false;
        dupAcks = 0;
        recover = snd.sndMax;
        afterTimeout = true;
        snd.sndNxt = snd.sndUna;
        snd.retransmitHead(now);
        if (frtoBegins) {
            frto.begin(snd.sndMax); // the undo was armed before the window reduction (TcpSender)
        } else if (frto != null) {
            frto.end(); // a timeout again, or inside a fast recovery: conventional recovery
            snd.undo.end();
        }
    }

    @Override
    public int inFlight() {
        int flight = snd.sndNxt - snd.sndUna;
        // RFC 9937 6.2 without SACK: pipe leaves out 1 SMSS per duplicate ACK SND.UNA has not passed (bounded)
        return prrActive() ? Math.max(0, flight - prr.dupAckEstimate()) : flight;
    }

    @Override
    public int window(int cwnd) {
        if (frto != null && frto.newDataOnly()) {
            return inFlight() + frto.newDataAllowance(); // RFC 5682 2b: two new segments, whatever cwnd says
        }
        if (prrActive()) {
            return prr.window(); // RFC 9937: pipe + sndcnt
        }
        // RFC 3042: the first and second duplicate ACKs each let one new segment out, cwnd unchanged
        return snd.inRecovery ? cwnd : cwnd + Math.min(dupAcks, 2) * snd.smss;
    }

    @Override
    public void onTransmit(int bytes) {
        if (frto != null) {
            frto.onTransmit(bytes);
        }
        if (prrActive()) {
            prr.onTransmit(bytes);
        }
    }

    @Override
    public void onReorderTimeout(long now) {
    }

    @Override
    public String toString() {
        return prrActive() ? "reno[dupAcks=" + dupAcks + " " + prr + "]" : "reno[dupAcks=" + dupAcks + "]";
    }
}
