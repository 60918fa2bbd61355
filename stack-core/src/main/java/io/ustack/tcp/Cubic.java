/*
 * Cubic: CUBIC congestion control (RFC 9438). Window growth in congestion avoidance follows
 * W_cubic(t) = C * (t - K)^3 + W_max (section 4.2, equation 1) with K = cubic_root((W_max - cwnd_epoch) / C)
 * (equation 2), the target W_cubic(t + RTT) clamped to [cwnd, 1.5 * cwnd] (section 4.4), the Reno-friendly
 * estimate W_est with alpha_cubic = 3 * (1 - beta) / (1 + beta), 1 once W_est reaches cwnd_prior (section 4.3),
 * multiplicative decrease by beta_cubic = 0.7 (section 4.6) with fast convergence (section 4.7), timeouts as in
 * section 4.8. Slow start uses RFC 3465 byte counting with L = 2*SMSS, optionally HyStart++ (RFC 9406). Without SACK,
 * fast recovery inflates and deflates the window as RFC 5681 / RFC 6582 do. Windows are kept in bytes; the cubic
 * arithmetic works in segments and seconds, as the RFC writes it.
 */
package io.ustack.tcp;

/** RFC 9438 congestion window. Engine thread only. */
public final class Cubic implements CongestionControl {
    /** RFC 9438 section 5: C = 0.4 (segments / second^3). */
    static final double C = 0.4;
    /** RFC 9438 section 4.6: beta_cubic = 0.7. */
    static final double BETA = 0.7;
    /** RFC 9438 section 4.3: alpha_cubic for the Reno-friendly region. */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private int smss;
    private final InitialWindow iw;
    /** cwnd in bytes, with fractions of the cubic increase. */
    private double cwnd;
    private int ssthresh;
    /** W_max and cwnd_prior, in segments. */
    private double wMax;
    private double cwndPrior;
    /** Start of the current congestion avoidance epoch (t_epoch), valid if {@link #epochStarted}. */
    private long epochStart;
    private boolean epochStarted;
    private double k;
    /** W_est in segments. */
    private double wEst;
    /** The minimum RTT seen, in nanoseconds (the RTT of W_cubic(t + RTT); 0 before any sample). */
    private long minRtt;
    private final HyStartPlusPlus hystart;

    public Cubic(int smss) {
        this(smss, true);
    }

    public Cubic(int smss, boolean hystart) {
        this(smss, hystart, InitialWindow.RFC6928);
    }

    public Cubic(int smss, boolean hystart, InitialWindow iw) {
        if (smss <= 0) {
            throw new IllegalArgumentException("smss " + smss);
        }
        this.smss = smss;
        this.iw = iw;
        this.cwnd = iw.bytes(smss);
        this.ssthresh = Integer.MAX_VALUE;
        this.hystart = hystart ? new HyStartPlusPlus() : null;
    }

    @Override
    public int cwnd() {
        return (int) Math.min(cwnd, Integer.MAX_VALUE);
    }

    @Override
    public int ssthresh() {
        return ssthresh;
    }

    /** W_max in segments (for tests). */
    double wMax() {
        return wMax;
    }

    /** K in seconds (for tests). */
    double k() {
        return k;
    }

    /** RFC 9438 equation 1, in segments, {@code t} in seconds since the epoch. */
    double wCubic(double t) {
        double d = t - k;
        return C * d * d * d + wMax;
    }

    @Override
    public void onRttSample(long rttNanos, int ack, int sndMax, long now) {
        if (rttNanos > 0 && (minRtt == 0 || rttNanos < minRtt)) {
            minRtt = rttNanos;
        }
        if (hystart != null && cwnd < ssthresh && rttNanos > 0) {
            hystart.onRttSample(rttNanos, ack, sndMax);
            if (hystart.exitSlowStart) {
                ssthresh = cwnd(); // RFC 9406 4.2: CSS_ROUNDS done, enter congestion avoidance
            }
        }
    }

    @Override
    public void onAck(int bytesAcked, long now) {
        if (bytesAcked <= 0) {
            return;
        }
        if (cwnd < ssthresh) {
            int limit = NewReno.ABC_LIMIT_SEGMENTS * smss; // RFC 3465 2.2
            cwnd += hystart != null ? hystart.increase(bytesAcked, limit) : Math.min(bytesAcked, limit);
            if (ssthresh != Integer.MAX_VALUE && cwnd > ssthresh) {
                cwnd = ssthresh;
            }
            return;
        }
        double segs = cwnd / smss;
        if (!epochStarted) {
            // section 4.2: a new epoch begins with the first ACK in congestion avoidance
            epochStarted = true;
            epochStart = now;
            if (wMax < segs) {
                wMax = segs; // no congestion event yet (slow start ended by HyStart++ or ssthresh)
            }
            k = Math.cbrt((wMax - segs) / C);
            wEst = segs;
        }
        double acked = (double) bytesAcked / smss;
        // section 4.3: the Reno-friendly estimate
        double alpha = wEst >= cwndPrior ? 1.0 : ALPHA;
        wEst += alpha * acked / segs;
        double t = (now - epochStart) / 1e9;
        double rtt = minRtt / 1e9;
        double target = wCubic(t + rtt);
        target = Math.max(segs, Math.min(target, 1.5 * segs)); // section 4.4
        double next;
        if (wCubic(t) < wEst) {
            next = wEst; // section 4.3: the Reno-friendly region
        } else {
            next = segs + (target - segs) / segs * acked; // sections 4.4 and 4.5
        }
        cwnd = Math.min(Math.max(next, segs) * smss, Integer.MAX_VALUE);
    }

    /** Section 4.6 / 4.7: a congestion event; returns the new ssthresh in bytes. */
    private int congestionEvent(int flightSize) {
        double segs = cwnd / smss;
        // fast convergence (4.7): release bandwidth if the window did not reach the last W_max
        wMax = segs < wMax ? segs * (1 + BETA) / 2 : segs;
        cwndPrior = segs;
        epochStarted = false;
        if (hystart != null) {
            hystart.reset();
        }
        // 4.6: ssthresh = cwnd * beta_cubic (bounded by the flight size), in whole segments, at least 2
        long s = (long) (Math.min(cwnd, Math.max(flightSize, smss)) * BETA);
        return CongestionControl.wholeSegments(s, smss);
    }

    @Override
    public void onLossDetected(int flightSize, long now) {
        ssthresh = congestionEvent(flightSize);
        cwnd = ssthresh;
    }

    @Override
    public void onEnterRecovery(int flightSize, long now) {
        ssthresh = congestionEvent(flightSize);
        cwnd = (double) ssthresh + 3 * smss; // RFC 5681 3.2 step 3
    }

    @Override
    public void onRecoveryDupAck() {
        cwnd += smss; // RFC 5681 3.2 step 4
    }

    @Override
    public void onPartialAck(int bytesAcked) {
        // RFC 6582 3.2 step 3: deflate by the amount acknowledged, add back SMSS if that was >= SMSS
        cwnd = Math.max(cwnd - bytesAcked, smss);
        if (bytesAcked >= smss) {
            cwnd += smss;
        }
    }

    @Override
    public void onExitRecovery(int flightSize, long now) {
        // RFC 6582 3.2 step 3 option 1, as for NewReno: min(ssthresh, max(FlightSize, SMSS) + SMSS)
        cwnd = Math.min(ssthresh, Math.max(flightSize, smss) + smss);
    }

    /** RFC 5681 4.1 restart window; RFC 9438 5.8: a new congestion avoidance epoch starts with the next ACK. */
    @Override
    public void onIdleRestart(long now) {
        cwnd = Math.min(cwnd, iw.bytes(smss));
        epochStarted = false;
    }

    @Override
    public void undo(int priorCwnd, int priorSsthresh) {
        cwnd = Math.max(cwnd, priorCwnd);
        ssthresh = Math.max(ssthresh, priorSsthresh);
        epochStarted = false;
    }

    @Override
    public void onExitSackRecovery(long now) {
        cwnd = ssthresh;
    }

    @Override
    public void onRetransmitTimeout(int flightSize, boolean repeated, long now) {
        // section 4.8: ssthresh as for a congestion event (once per timeout series), cwnd = 1 SMSS
        if (!repeated) {
            ssthresh = congestionEvent(flightSize);
        }
        epochStarted = false;
        cwnd = smss;
    }

    @Override
    public void mss(int newSmss) {
        if (newSmss <= 0 || newSmss == smss) {
            return;
        }
        boolean untouched = cwnd == iw.bytes(smss) && ssthresh == Integer.MAX_VALUE;
        smss = newSmss;
        cwnd = untouched ? iw.bytes(newSmss) : Math.max(cwnd, newSmss);
    }

    @Override
    public String toString() {
        return "Cubic[cwnd=" + cwnd() + " ssthresh=" + ssthresh + " wmax=" + (long) (wMax * smss) + " smss=" + smss
                + "]";
    }
}
