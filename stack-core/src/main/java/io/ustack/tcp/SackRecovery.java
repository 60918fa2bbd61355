/*
 * SackRecovery: SACK-based loss recovery (RFC 6675) for a connection whose SYNs exchanged SACK-permitted. The
 * scoreboard (SackScoreboard) is updated from every ACK; losses are detected by RACK (RFC 8985 section 6) when
 * enabled, otherwise by RFC 6675 IsLost and DupThresh duplicate ACKs (section 5 step 4). Entering recovery sets
 * RecoveryPoint = HighData and lets the congestion control reduce cwnd to ssthresh (no inflation); during recovery
 * the sender transmits while cwnd - pipe >= 1 SMSS, lost segments first (NextSeg rule 1), then new data (rule 2).
 * With Proportional Rate Reduction (RFC 9937, Prr; on by default, not for BBR) the window filled during fast
 * recovery is instead pipe + sndcnt, set on every ACK in proportion to what it delivered, so sending follows the ACK
 * clock down to ssthresh rather than pausing and then bursting.
 * Recovery ends when the cumulative ACK reaches RecoveryPoint (section 5 step 2), with cwnd = ssthresh. After a
 * timeout every segment not SACKed is deemed lost (section 5.1) and retransmitted under the slow-starting window. A
 * Tail Loss Probe that repaired a loss (RFC 8985 7.4) draws one window reduction.
 */
package io.ustack.tcp;

import static io.ustack.tcp.SequenceNumbers.geq;

/** RFC 6675 + RFC 8985 recovery. Engine thread only. */
final class SackRecovery implements LossRecovery {
    private final TcpSender snd;
    final SackScoreboard board;
    /** RACK-TLP, or null for plain RFC 6675 loss detection. */
    final RackTlp rack;
    /** RecoveryPoint of RFC 6675. */
    int recoveryPoint;
    /** The current recovery began with a retransmission timeout (cwnd grows in slow start meanwhile). */
    boolean rtoRecovery;
    /** RFC 6675 DupAcks (only counted without RACK). */
    int dupAcks;
    /** RFC 6675 5 step 4.3: the first retransmission of a recovery goes out whatever pipe says. */
    boolean forceRetransmit;
    /** Recovery episodes entered (fast recovery, not timeouts): for tests and statistics. */
    int recoveries;
    /** RFC 9937 PRR, or null for RFC 6675's cwnd = ssthresh during fast recovery. */
    final Prr prr;
    /** RFC 5682 F-RTO, or null for the conventional RTO recovery only. */
    final Frto frto;

    SackRecovery(TcpSender snd, SackScoreboard board, TcpConfig config) {
        this.snd = snd;
        this.board = board;
        this.rack = config.rackTlp() ? new RackTlp() : null;
        this.prr = config.prr() ? new Prr() : null;
        this.frto = config.frto() ? new Frto(true) : null;
    }

    @Override
    public boolean onAck(Segment seg, int acked, boolean duplicate, long now) {
        int sackedBefore = board.sackedBytes;
        int outstandingBefore = snd.flightSize() + acked - sackedBefore; // before this ACK: RecoverFS if it starts one
        if (acked > 0) {
            board.cumulativeAck(snd.sndUna);
        }
        if (seg.options.sackBlockCount() > 0) {
            board.applySack(seg.options, snd.sndUna, snd.sndMax);
            if (board.dsack) {
                snd.undo.onDsack(board.dsackLeft, board.dsackRight, snd.sndMax);
            }
        }
        if (board.deliveredOriginal) {
            snd.onRttMeasured(now - board.deliveredOriginalXmitTs, snd.sndUna, now);
        }
        boolean tlpRepairedLoss = false;
        if (rack != null) {
            rack.onAck(board, snd.sndUna, snd.sndMax, frto != null && frto.active(), now);
            tlpRepairedLoss = rack.tlpOnAck(board, seg.ack, acked > 0, duplicate);
        }
        if (frto != null && frto.active()) {
            frtoOnAck(acked, duplicate);
        }
        if (snd.inRecovery && snd.undo.spurious() && board.nextLost() < 0) {
            undoSpuriousEpisode();
        } else if (snd.inRecovery && geq(snd.sndUna, recoveryPoint)) {
            exitRecovery(now);
        }
        if (rack == null) {
            dupAcks = duplicate ? dupAcks + 1 : acked > 0 ? 0 : dupAcks;
        }
        int lostBefore = board.newlyLostBytes;
        detectLosses(now);
        if (!snd.inRecovery && board.lostBytes > 0) {
            enterRecovery(outstandingBefore, now);
        } else if (tlpRepairedLoss && !snd.inRecovery) {
            snd.cc.onLossDetected(snd.flightSize(), now); // RFC 8985 7.4.2: the probe repaired a real loss
        }
        if (acked > 0 && (!snd.inRecovery || rtoRecovery)) {
            snd.cc.onAck(acked, now);
        }
        if (prrActive()) {
            // RFC 9937: DeliveredData = change in SND.UNA + change in SACKed bytes; SafeACK = SND.UNA advanced and
            // no further loss was indicated
            int deliveredData = acked + board.sackedBytes - sackedBefore;
            boolean safeAck = acked > 0 && board.newlyLostBytes == lostBefore;
            prr.onAck(deliveredData, inFlight(), snd.cc.ssthresh(), safeAck, snd.smss);
        }
        return true;
    }

    /** RFC 5682 section 3 steps 2 and 3, on an ACK while an F-RTO episode runs (after the scoreboard took it). */
    private void frtoOnAck(int acked, boolean duplicate) {
        if (!snd.inRecovery || !rtoRecovery) {
            frto.end(); // the episode was undone (D-SACK) or ended meanwhile
            return;
        }
        int decision = frto.onAck(snd.sndUna, acked > 0, duplicate || board.delivered, frto.sackedOriginal(board), snd);
        if (decision == Frto.SPURIOUS) {
            snd.extCounters().spuriousRtos++; // step 3a: the originals were only late
            undoSpuriousEpisode();
        } else if (decision == Frto.CONVENTIONAL) {
            board.markAllLost(); // step 2b without new data to send, or 3b: the timeout was real
        }
    }

    /** Fast recovery (not timeout recovery) paced by PRR. */
    private boolean prrActive() {
        return prr != null && snd.inRecovery && !rtoRecovery && snd.cc.proportionalRateReduction();
    }

    private void detectLosses(long now) {
        if (rack != null) {
            long lostRetransmits = rack.lostRetransmits;
            long timeout = rack.detectLoss(board, snd.inRecovery, snd.rtt.srtt(), now);
            snd.extCounters().lostRetransmits += rack.lostRetransmits - lostRetransmits;
            snd.lossTimer.armReorder(timeout, now);
        } else {
            board.markLostByDupThresh(snd.smss);
            if (dupAcks >= SackScoreboard.DUP_THRESH && board.count() > 0 && !snd.inRecovery) {
                board.markLost(0); // RFC 6675 5 step 4: DupAcks >= DupThresh
            }
        }
    }

    /**
     * RFC 6675 section 5 step 4 (with RACK, RFC 8985 section 6.2: a segment was marked lost); {@code recoverFs}: the
     * bytes outstanding and not yet delivered before the ACK that revealed the loss (RFC 9937 RecoverFS).
     */
    private void enterRecovery(int recoverFs, long now) {
        snd.undo.begin(snd.sndUna, snd.cc.cwnd(), snd.cc.ssthresh());
        snd.inRecovery = true;
        rtoRecovery = false;
        recoveries++;
        snd.extCounters().sackRecoveries++;
        recoveryPoint = snd.sndMax;
        snd.cc.onLossDetected(snd.flightSize(), now);
        snd.stopTiming();
        forceRetransmit = true;
        if (prr != null) {
            prr.begin(recoverFs);
        }
    }

    /** RFC 3708: every retransmission of the episode was a duplicate; the window goes back (RFC 4015 4). */
    private void undoSpuriousEpisode() {
        snd.undo.undo(snd.cc, snd.extCounters());
        snd.inRecovery = false;
        rtoRecovery = false;
        dupAcks = 0;
        if (rack != null) {
            rack.onRecoveryExit();
        }
    }

    private void exitRecovery(long now) {
        snd.undo.end();
        snd.inRecovery = false;
        if (rtoRecovery) {
            snd.cc.onExitTimeoutRecovery(now);
        } else {
            snd.cc.onExitSackRecovery(now);
        }
        rtoRecovery = false;
        dupAcks = 0;
        if (rack != null) {
            rack.onRecoveryExit();
        }
    }

    @Override
    public void onRetransmitTimeout(long now) {
        if (frto != null && !snd.inRecovery && board.count() > 0) {
            frto.begin(snd.sndMax); // RFC 5682 step 1: only the first unacknowledged segment is retransmitted
            board.markLost(0);
        } else {
            if (frto != null) {
                frto.end(); // a timeout again, or inside a fast recovery: conventional recovery
            }
            board.markAllLost();
        }
        snd.inRecovery = true;
        rtoRecovery = true;
        recoveryPoint = snd.sndMax;
        forceRetransmit = true;
        if (rack != null) {
            rack.onRetransmitTimeout();
        }
    }

    @Override
    public int inFlight() {
        return board.pipe(snd.flightSize());
    }

    @Override
    public int window(int cwnd) {
        if (frto != null && frto.newDataOnly()) {
            return inFlight() + frto.newDataAllowance();
        }
        return prrActive() ? prr.window() : cwnd;
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
        detectLosses(now);
        if (!snd.inRecovery && board.lostBytes > 0) {
            enterRecovery(snd.flightSize() - board.sackedBytes, now);
            if (prrActive()) {
                // no ACK delivered anything: count one segment, as Linux does on this path (tcp_rack_reo_timeout)
                prr.onAck(snd.smss, inFlight(), snd.cc.ssthresh(), false, snd.smss);
            }
        }
    }

    /** NextSeg rule 1: the record to retransmit now, or -1 (the caller checks cwnd - pipe). */
    int nextLost() {
        return frto != null && frto.newDataOnly() ? -1 : board.nextLost();
    }

    @Override
    public String toString() {
        return board + (snd.inRecovery ? " recovering to " + Integer.toUnsignedString(recoveryPoint) : "");
    }
}
