/*
 * NewReno: TCP congestion control per RFC 5681 (slow start with appropriate byte counting, RFC 3465 2.2 with
 * L = 2*SMSS; congestion avoidance with byte counting per RFC 3465 2.1, fast retransmit / fast recovery window
 * arithmetic) and RFC 6582 (NewReno partial acknowledgments); with SACK, RFC 6675 cwnd = ssthresh on loss.
 */
package io.ustack.tcp;

/** RFC 5681 + RFC 6582 congestion window. Engine thread only. */
public final class NewReno implements CongestionControl {
    private int smss;
    private int cwnd;
    private int ssthresh;
    /** RFC 3465 2.2: the slow start limit L on the growth per ACK, in segments. */
    static final int ABC_LIMIT_SEGMENTS = 2;
    /** Bytes acknowledged since cwnd last grew in congestion avoidance (RFC 5681 3.1, RFC 3465 2.1). */
    private int bytesAckedInAvoidance;
    private final InitialWindow iw;

    public NewReno(int smss) {
        this(smss, InitialWindow.RFC6928);
    }

    public NewReno(int smss, InitialWindow iw) {
        if (smss <= 0) {
            throw new IllegalArgumentException("smss " + smss);
        }
        this.smss = smss;
        this.iw = iw;
        this.cwnd = iw.bytes(smss);
        this.ssthresh = Integer.MAX_VALUE; // RFC 5681 3.1: "arbitrarily high"
    }

    @Override
    public int cwnd() {
        return cwnd;
    }

    @Override
    public int ssthresh() {
        return ssthresh;
    }

    @Override
    public void onAck(int bytesAcked, long now) {
        if (bytesAcked <= 0) {
            return;
        }
        if (cwnd < ssthresh) {
            // RFC 3465 2.2: cwnd += min(N, L), L = 2*SMSS (RFC 5681 3.1 equation 2 allows SMSS per ACK; byte
            // counting with L = 2*SMSS makes up for delayed ACKs), never beyond ssthresh in one step
            cwnd = saturatingAdd(cwnd, Math.min(bytesAcked, ABC_LIMIT_SEGMENTS * smss));
            if (ssthresh != Integer.MAX_VALUE && cwnd > ssthresh) {
                cwnd = ssthresh;
            }
            bytesAckedInAvoidance = 0;
        } else {
            // RFC 5681 3.1 (byte counting variant, RFC 3465): cwnd += SMSS once a whole cwnd has been acknowledged
            bytesAckedInAvoidance += bytesAcked;
            if (bytesAckedInAvoidance >= cwnd) {
                bytesAckedInAvoidance -= cwnd;
                cwnd = saturatingAdd(cwnd, smss);
            }
        }
    }

    @Override
    public void onEnterRecovery(int flightSize, long now) {
        // RFC 5681 3.2 step 2: ssthresh = max (FlightSize / 2, 2*SMSS), equation 4
        ssthresh = Math.max(flightSize / 2, 2 * smss);
        // step 3: cwnd = ssthresh + 3*SMSS ("inflates" by the three segments that left the network)
        cwnd = ssthresh + 3 * smss;
        bytesAckedInAvoidance = 0;
    }

    @Override
    public void onLossDetected(int flightSize, long now) {
        // RFC 6675 section 5 step 4.2 / RFC 5681 equation 4: ssthresh = cwnd = max(FlightSize / 2, 2*SMSS), in
        // whole segments (CongestionControl.wholeSegments)
        ssthresh = CongestionControl.wholeSegments(flightSize / 2, smss);
        cwnd = ssthresh;
        bytesAckedInAvoidance = 0;
    }

    @Override
    public void onRecoveryDupAck() {
        // RFC 5681 3.2 step 4: cwnd += SMSS for each additional duplicate ACK
        cwnd = saturatingAdd(cwnd, smss);
    }

    @Override
    public void onPartialAck(int bytesAcked) {
        // RFC 6582 3.2 step 3 (partial ack): deflate by the amount acknowledged, add back SMSS if that was >= SMSS
        cwnd = Math.max(cwnd - bytesAcked, smss);
        if (bytesAcked >= smss) {
            cwnd = saturatingAdd(cwnd, smss);
        }
    }

    @Override
    public void onExitRecovery(int flightSize, long now) {
        // RFC 6582 3.2 step 3 (full ack), option 1: cwnd = min (ssthresh, max(FlightSize, SMSS) + SMSS)
        cwnd = Math.min(ssthresh, Math.max(flightSize, smss) + smss);
        bytesAckedInAvoidance = 0;
    }

    /** RFC 5681 4.1: RW = min(IW, cwnd). */
    @Override
    public void onIdleRestart(long now) {
        cwnd = Math.min(cwnd, iw.bytes(smss));
        bytesAckedInAvoidance = 0;
    }

    @Override
    public void undo(int priorCwnd, int priorSsthresh) {
        cwnd = Math.max(cwnd, priorCwnd);
        ssthresh = Math.max(ssthresh, priorSsthresh);
        bytesAckedInAvoidance = 0;
    }

    @Override
    public void onExitSackRecovery(long now) {
        cwnd = ssthresh;
        bytesAckedInAvoidance = 0;
    }

    @Override
    public void onRetransmitTimeout(int flightSize, boolean repeated, long now) {
        if (!repeated) {
            // RFC 5681 3.1 equation 4; held constant for a segment retransmitted by the timer again
            ssthresh = Math.max(flightSize / 2, 2 * smss);
        }
        cwnd = smss; // loss window LW = 1 SMSS
        bytesAckedInAvoidance = 0;
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

    private static int saturatingAdd(int a, int b) {
        int s = a + b;
        return s < 0 ? Integer.MAX_VALUE : s;
    }

    @Override
    public String toString() {
        return "NewReno[cwnd=" + cwnd + " ssthresh=" + ssthresh + " smss=" + smss + "]";
    }
}
