/*
 * RackTlp: the RACK-TLP loss detection of RFC 8985 for one connection. RACK (section 6): the most recently delivered
 * segment's transmit time (RACK.xmit_ts, RACK.end_seq), RACK.rtt and RACK.min_RTT, reordering detection with
 * RACK.fack, the reordering window with its D-SACK adaptation (RACK.reo_wnd_mult, RACK.reo_wnd_persist,
 * RACK.dsack_round) and the time-based marking of lost segments, including lost retransmissions. TLP (section 7):
 * the probe timeout (PTO), the probe itself is sent by the sender, and the detection of a loss that the probe
 * repaired (TLP.end_seq, TLP.is_retrans).
 */
package io.ustack.tcp;

import static io.ustack.tcp.SequenceNumbers.geq;
import static io.ustack.tcp.SequenceNumbers.gt;
import static io.ustack.tcp.SequenceNumbers.lt;

/** RACK and TLP state. Engine thread only. */
final class RackTlp {
    /** RFC 8985 7.2 WCDelAckT: the worst-case delayed ACK timer a probe of one segment must outwait. */
    static final long WC_DEL_ACK_NANOS = 200_000_000L;
    /** RFC 8985 7.2: the PTO when there is no RTT sample yet. */
    static final long PTO_NO_SRTT_NANOS = 1_000_000_000L;
    /** RFC 8985 6.2 step 4: recoveries a grown reordering window persists for. */
    static final int REO_WND_PERSIST = 16;
    /**
     * The smallest reordering window once reordering is allowed for: the clock granularity (1 ms). On a path of tens
     * of microseconds min_RTT/4 is shorter than the jitter of the hosts themselves (system calls, batching, a
     * receiver's SACK compression), and every such delay became a spurious retransmission; Linux's timer-driven
     * RACK gets the same floor from its jiffies.
     */
    static final long REO_WND_MIN_NANOS = 250_000L;

    // ---- RACK (RFC 8985 section 6.1)
    boolean valid;
    long xmitTs;
    int endSeq;
    long rtt;
    long minRtt = Long.MAX_VALUE;
    private int fack;
    private boolean fackValid;
    boolean reorderingSeen;
    int reoWndMult = 1;
    private int reoWndPersist;
    private boolean dsackRoundActive;
    private int dsackRound;

    /** Retransmissions marked lost again (statistics). */
    long lostRetransmits;

    // ---- TLP (RFC 8985 section 7)
    boolean tlpOutstanding;
    int tlpEndSeq;
    boolean tlpIsRetrans;

    /** RFC 8985 RACK_sent_after(t1, seq1, t2, seq2). */
    static boolean sentAfter(long t1, int seq1, long t2, int seq2) {
        return t1 - t2 > 0 || (t1 == t2 && gt(seq1, seq2));
    }

    /**
     * RFC 8985 6.2 steps 1-4 for the ACK whose deliveries {@code board} just recorded. Step 2's test for an ACK of
     * the original rather than the retransmission uses RACK.min_RTT only: TSecr cannot tell, since a receiver echoes
     * the TSval of the last in-order segment (RFC 7323 4.3), not of an out-of-order retransmission. With
     * {@code retransmissionsAmbiguous} every delivered retransmission counts as ambiguous (an F-RTO episode runs:
     * whether the ACK is the original's is the question Frto answers).
     */
    void onAck(SackScoreboard board, int sndUna, int sndNxt, boolean retransmissionsAmbiguous, long now) {
        if (board.delivered) {
            long t = board.deliveredXmitTs;
            int e = board.deliveredEnd;
            boolean usable = true;
            if (board.deliveredRetransmitted) {
                // step 2: an ACK that may be for the original transmission says nothing about the retransmission
                boolean ambiguous = retransmissionsAmbiguous || now - t < minRtt;
                if (ambiguous) {
                    usable = board.deliveredOriginal;
                    t = board.deliveredOriginalXmitTs;
                    e = board.deliveredOriginalEnd;
                }
            }
            if (usable) {
                rtt = now - t;
                minRtt = Math.min(minRtt, rtt); // step 1
                if (!valid || sentAfter(t, e, xmitTs, endSeq)) {
                    xmitTs = t;
                    endSeq = e;
                    valid = true;
                }
            }
            // step 3: a never retransmitted segment delivered below the highest delivered one was reordered
            if (board.deliveredOriginal && fackValid && lt(board.minOriginalEnd, fack)) {
                reorderingSeen = true;
            }
            if (!fackValid || gt(board.maxDeliveredEnd, fack)) {
                fack = board.maxDeliveredEnd;
                fackValid = true;
            }
        }
        // step 4: D-SACK adaptation of the reordering window, once per round trip
        if (dsackRoundActive && geq(sndUna, dsackRound)) {
            dsackRoundActive = false;
        }
        if (board.dsack) {
            // a duplicate arrived: something deemed lost was not. Without this the window stays 0 during recovery
            // on a path that never reorders, and a receiver that reports only 3 SACK blocks (the latest first)
            // leaves holes its retransmissions filled unreported behind newer blocks: every such retransmission
            // would be deemed lost again as soon as a later segment is SACKed, and sent a third time
            reorderingSeen = true;
        }
        if (!dsackRoundActive && board.dsack) {
            dsackRoundActive = true;
            dsackRound = sndNxt;
            reoWndMult++;
            reoWndPersist = REO_WND_PERSIST;
        }
    }

    /** RFC 8985 6.2 step 4: a fast or RTO recovery ended. */
    void onRecoveryExit() {
        if (--reoWndPersist <= 0) {
            reoWndMult = 1;
        }
    }

    /** RFC 8985 6.2 step 4 RACK_update_reo_wnd. */
    long reoWnd(SackScoreboard board, boolean inRecovery, long srtt) {
        if (!reorderingSeen && (inRecovery || board.sackedSegments >= SackScoreboard.DUP_THRESH)) {
            return 0;
        }
        long w = minRtt == Long.MAX_VALUE ? 0 : reoWndMult * (minRtt / 4);
        w = Math.max(w, REO_WND_MIN_NANOS);
        return srtt > 0 ? Math.min(w, srtt) : w;
    }

    /**
     * RFC 8985 6.2 step 5 RACK_detect_loss: marks lost every outstanding segment sent before RACK.xmit_ts whose
     * reordering window has passed. Returns the time until the next such window ends (0: none pending), for the
     * reordering timer (section 6.3).
     */
    long detectLoss(SackScoreboard board, boolean inRecovery, long srtt, long now) {
        if (!valid) {
            return 0;
        }
        long reo = reoWnd(board, inRecovery, srtt);
        long timeout = 0;
        int n = board.count();
        for (int i = 0; i < n; i++) {
            int f = board.flags(i);
            if ((f & SackScoreboard.SACKED) != 0
                    || (f & (SackScoreboard.LOST | SackScoreboard.RETRANS)) == SackScoreboard.LOST) {
                continue; // delivered, or already waiting to be retransmitted
            }
            long t = board.xmitTs(i);
            int e = board.end(i);
            if (!sentAfter(xmitTs, endSeq, t, e)) {
                // sent after the last delivered one: so is every later first transmission; only retransmissions
                // further on can still be older
                if ((f & SackScoreboard.EVER_RETRANS) == 0
                        && (!board.anyRetransmitted || !lt(board.start(i), board.retransHighEnd))) {
                    break;
                }
                continue;
            }
            long remaining = t + rtt + reo - now;
            if (remaining <= 0) {
                if ((f & SackScoreboard.RETRANS) != 0) {
                    lostRetransmits++;
                }
                board.markLost(i);
            } else {
                timeout = Math.max(timeout, remaining);
            }
        }
        return timeout;
    }

    // ------------------------------------------------------------------ TLP

    /** RFC 8985 7.2: a probe may be scheduled (SACK on, nothing SACKed, not in recovery, no probe outstanding). */
    boolean mayScheduleProbe(SackScoreboard board, boolean inRecovery) {
        return !inRecovery && board.sackedSegments == 0 && !tlpOutstanding && board.count() > 0;
    }

    /** RFC 8985 7.2 PTO: 2*SRTT (plus WCDelAckT for a single segment in flight), 1 s without an RTT sample. */
    static long pto(boolean hasSrtt, long srtt, int flightSize, int smss) {
        if (!hasSrtt) {
            return PTO_NO_SRTT_NANOS;
        }
        long pto = 2 * srtt;
        if (flightSize <= smss) {
            pto += WC_DEL_ACK_NANOS;
        }
        return Math.max(pto, RttEstimator.CLOCK_GRANULARITY_NANOS);
    }

    /** RFC 8985 7.3: a probe went out, ending at {@code endSeq}. */
    void probeSent(int endSeq, boolean retransmission) {
        tlpOutstanding = true;
        tlpEndSeq = endSeq;
        tlpIsRetrans = retransmission;
    }

    /**
     * RFC 8985 7.4: did the probe repair a loss? A probe of new data needs nothing; a retransmitted probe that draws
     * a D-SACK, or a pure duplicate ACK at TLP.end_seq, shows that both copies arrived; a cumulative ACK reaching
     * TLP.end_seq without either shows the original was lost and the congestion window must be reduced.
     *
     * @return true if a congestion response is due
     */
    boolean tlpOnAck(SackScoreboard board, int ack, boolean advanced, boolean pureDuplicate) {
        if (!tlpOutstanding || lt(ack, tlpEndSeq)) {
            return false;
        }
        if (!tlpIsRetrans || board.dsack) {
            tlpOutstanding = false;
        } else if (advanced) {
            tlpOutstanding = false;
            return true;
        } else if (pureDuplicate && board.newlySackedBytes == 0) {
            tlpOutstanding = false;
        }
        return false;
    }

    /** A timeout ends any probe episode. */
    void onRetransmitTimeout() {
        tlpOutstanding = false;
    }
}
