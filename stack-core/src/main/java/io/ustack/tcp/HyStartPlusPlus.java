/*
 * HyStartPlusPlus: the modified slow start of RFC 9406 (HyStart++): per round trip (a round ends when the ACK reaches
 * the SND.NXT of its start) it tracks the minimum RTT of at least N_RTT_SAMPLE samples; when it rises by RttThresh
 * over the last round's, slow start turns into Conservative Slow Start (growth divided by CSS_GROWTH_DIVISOR), which
 * after CSS_ROUNDS rounds ends slow start (ssthresh = cwnd), or goes back to slow start if the RTT falls again
 * (section 4.2).
 */
package io.ustack.tcp;

import static io.ustack.tcp.SequenceNumbers.geq;

/** HyStart++ state of one connection. Engine thread only. */
final class HyStartPlusPlus {
    static final long MIN_RTT_THRESH = 4_000_000L;
    static final long MAX_RTT_THRESH = 16_000_000L;
    static final int MIN_RTT_DIVISOR = 8;
    static final int N_RTT_SAMPLE = 8;
    static final int CSS_GROWTH_DIVISOR = 4;
    static final int CSS_ROUNDS = 5;

    private boolean roundStarted;
    private int windowEnd;
    private long lastRoundMinRtt = Long.MAX_VALUE;
    private long currentRoundMinRtt = Long.MAX_VALUE;
    private int rttSampleCount;
    /** In Conservative Slow Start. */
    boolean inCss;
    private long cssBaselineMinRtt = Long.MAX_VALUE;
    private int cssRounds;
    /** CSS finished: slow start is over (the caller sets ssthresh = cwnd). */
    boolean exitSlowStart;

    /** An RTT sample from an ACK of {@code ack}; {@code sndMax} starts the next round. */
    void onRttSample(long rtt, int ack, int sndMax) {
        if (!roundStarted || geq(ack, windowEnd)) {
            // a round ends: RFC 9406 4.2, "at the start of each round"
            roundStarted = true;
            windowEnd = sndMax;
            lastRoundMinRtt = currentRoundMinRtt;
            currentRoundMinRtt = Long.MAX_VALUE;
            rttSampleCount = 0;
            if (inCss && ++cssRounds >= CSS_ROUNDS) {
                exitSlowStart = true;
            }
        }
        currentRoundMinRtt = Math.min(currentRoundMinRtt, rtt);
        rttSampleCount++;
        if (rttSampleCount < N_RTT_SAMPLE || currentRoundMinRtt == Long.MAX_VALUE) {
            return;
        }
        if (!inCss) {
            if (lastRoundMinRtt != Long.MAX_VALUE) {
                long thresh = Math.max(MIN_RTT_THRESH, Math.min(lastRoundMinRtt / MIN_RTT_DIVISOR, MAX_RTT_THRESH));
                if (currentRoundMinRtt >= lastRoundMinRtt + thresh) {
                    inCss = true;
                    cssBaselineMinRtt = currentRoundMinRtt;
                    cssRounds = 0;
                }
            }
        } else if (currentRoundMinRtt < cssBaselineMinRtt) {
            inCss = false; // the RTT increase was spurious: back to slow start
            cssBaselineMinRtt = Long.MAX_VALUE;
        }
    }

    /**
     * The slow start increase for {@code bytesAcked}: min(N, L), divided in CSS. L is the RFC 3465 limit of 2*SMSS
     * (RFC 9406 4.3 allows up to 8*SMSS without pacing; this stack keeps ABC's L for both algorithms).
     */
    int increase(int bytesAcked, int limit) {
        int inc = Math.min(bytesAcked, limit);
        return inCss ? inc / CSS_GROWTH_DIVISOR : inc;
    }

    /** A congestion event or timeout ends the episode (RFC 9406 4.2: slow start after a timeout uses it again). */
    void reset() {
        inCss = false;
        exitSlowStart = false;
        cssBaselineMinRtt = Long.MAX_VALUE;
        roundStarted = false;
        lastRoundMinRtt = Long.MAX_VALUE;
        currentRoundMinRtt = Long.MAX_VALUE;
        rttSampleCount = 0;
    }
}
