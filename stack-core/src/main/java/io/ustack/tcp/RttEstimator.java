/*
 * RttEstimator: the retransmission timeout computation of RFC 6298 (SRTT, RTTVAR, RTO with K = 4, alpha = 1/8,
 * beta = 1/4), its bounds (section 2.4, 2.5), the exponential back-off (section 5.5) and the 3-second re-initialisation
 * after a lost SYN (section 5.7). Karn's rule (section 3) is the caller's job: it only feeds samples of segments that
 * were never retransmitted. All times are nanoseconds.
 */
package io.ustack.tcp;

/** RFC 6298 estimator for one connection. Engine thread only. */
public final class RttEstimator {
    /** K of RFC 6298 section 2. */
    static final int K = 4;
    /** Clock granularity G of RFC 6298 section 2: the timer wheel's 1 ms tick. */
    public static final long CLOCK_GRANULARITY_NANOS = 1_000_000L;
    /** RFC 6298 section 5.7: the RTO after a handshake whose SYN had to be retransmitted. */
    static final long SYN_LOSS_RTO_NANOS = 3_000_000_000L;

    private final long rtoMin;
    private final long rtoMax;
    private long srtt;
    private long rttvar;
    private boolean hasSample;
    /** The RTO computed from the estimates (or the initial one), before back-off. */
    private long baseRto;
    /** Number of doublings (RFC 6298 5.5) since the last valid sample. */
    private int backoff;

    public RttEstimator(long rtoInitial, long rtoMin, long rtoMax) {
        if (rtoMin <= 0 || rtoMax < rtoMin || rtoInitial <= 0) {
            throw new IllegalArgumentException("bad RTO bounds " + rtoInitial + " " + rtoMin + " " + rtoMax);
        }
        this.rtoMin = rtoMin;
        this.rtoMax = rtoMax;
        this.baseRto = clamp(rtoInitial); // RFC 6298 2.1: RTO <- 1 second before any measurement
    }

    /** Feeds one round-trip time measurement R (RFC 6298 sections 2.2 and 2.3) and clears the back-off. */
    public void sample(long r) {
        if (r < 0) {
            return;
        }
        if (!hasSample) {
            // 2.2: SRTT <- R, RTTVAR <- R/2
            srtt = r;
            rttvar = r / 2;
            hasSample = true;
        } else {
            // 2.3: RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'| first (with the old SRTT), then
            //      SRTT <- (1 - alpha) * SRTT + alpha * R'
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        // 2.2 / 2.3: RTO <- SRTT + max (G, K*RTTVAR), then 2.4 and 2.5 bounds
        baseRto = clamp(srtt + Math.max(CLOCK_GRANULARITY_NANOS, K * rttvar));
        backoff = 0;
    }

    /**
     * RFC 7323 Appendix G: with timestamps every ACK of new data yields a sample, so each one weighs
     * 1/{@code expectedSamples} of a normal one (alpha' = alpha / ExpectedSamples, beta' = beta / ExpectedSamples,
     * ExpectedSamples = ceil(FlightSize / (SMSS * 2))).
     */
    public void sample(long r, int expectedSamples) {
        if (r < 0) {
            return;
        }
        if (!hasSample || expectedSamples <= 1) {
            sample(r);
            return;
        }
        rttvar += (Math.abs(srtt - r) - rttvar) / (4L * expectedSamples);
        srtt += (r - srtt) / (8L * expectedSamples);
        baseRto = clamp(srtt + Math.max(CLOCK_GRANULARITY_NANOS, K * rttvar));
        backoff = 0;
    }

    /** The current RTO including back-off, within [min, max]. */
    public long rto() {
        long r = baseRto;
        for (int i = 0; i < backoff && r < rtoMax; i++) {
            r <<= 1;
        }
        return Math.min(r, rtoMax);
    }

    /** RFC 6298 5.5: RTO <- RTO * 2 (capped at the maximum). */
    public void backOff() {
        if (rto() < rtoMax) {
            backoff++;
        }
    }

    /** Number of back-offs in effect. */
    public int backoffCount() {
        return backoff;
    }

    /**
     * RFC 6298 5.7: when the handshake completes after a SYN retransmission and no RTT sample was taken, RTO
     * becomes 3 seconds (if it was smaller) for the data transfer.
     */
    public void onSynRetransmittedHandshakeDone() {
        backoff = 0;
        if (!hasSample && baseRto < SYN_LOSS_RTO_NANOS) {
            baseRto = clamp(SYN_LOSS_RTO_NANOS);
        }
    }

    public boolean hasSample() {
        return hasSample;
    }

    /** SRTT in nanoseconds (0 before the first sample). */
    public long srtt() {
        return srtt;
    }

    /** RTTVAR in nanoseconds (0 before the first sample). */
    public long rttvar() {
        return rttvar;
    }

    private long clamp(long rto) {
        return Math.max(rtoMin, Math.min(rtoMax, rto));
    }
}
