/*
 * Bbr: BBR congestion control, version 1 (draft-cardwell-iccrg-bbr-congestion-control-00; the algorithm of Linux's
 * tcp_bbr). It models the path from the delivery rate samples of every ACK (DeliveryRate): BtlBw, the windowed
 * maximum delivery rate over the last 10 round trips (section 4.1.1), and RTprop, the minimum RTT over 10 s (4.1.2).
 * It paces at pacing_gain x BtlBw (4.2.1) and caps the data in flight at cwnd_gain x BDP plus a quantum allowance
 * (4.2.3). States (4.3): STARTUP (gains 2/ln 2 until three rounds without 25% bandwidth growth: the pipe is full),
 * DRAIN (pacing gain 1/2.89 until in flight <= BDP), PROBE_BW (pacing gains 5/4, 3/4, then six phases of 1, each
 * about one RTprop long; cwnd gain 2) and PROBE_RTT (RTprop not refreshed for 10 s: at most 4 segments in flight for
 * 200 ms and one round). Loss does not change the model: each loss takes its bytes off cwnd, a loss episode holds
 * the window to packet conservation for its first round (4.2.3.4), a timeout drops it to one segment, and the end of
 * either restores the window from before it (4.2.3.5). That is what keeps BBR's window open on a path with random
 * loss, where loss-based controls collapse.
 *
 * Deterministic where Linux randomises: PROBE_BW starts in the first cruising phase rather than a random one. Not
 * implemented: Linux's long-term bandwidth sampling for token-bucket policers and the pacing of an idle restart.
 */
package io.ustack.tcp;

/** BBR v1. Engine thread only. */
public final class Bbr implements CongestionControl {
    /** 2/ln(2): the smallest gain that doubles the sending rate each round (section 4.3.2.1). */
    static final double HIGH_GAIN = 2.885;
    static final double DRAIN_GAIN = 1 / HIGH_GAIN;
    static final double CWND_GAIN = 2.0;
    /** The PROBE_BW pacing gain cycle (section 4.3.4.3). */
    private static final double[] PACING_GAINS = {1.25, 0.75, 1, 1, 1, 1, 1, 1};
    /** Where PROBE_BW starts in the cycle: the first cruising phase. */
    static final int FIRST_CYCLE_PHASE = 2;
    /** BtlBwFilterLen: rounds in the bandwidth filter. */
    static final int BW_FILTER_ROUNDS = 10;
    static final long MIN_RTT_WINDOW_NANOS = 10_000_000_000L;
    static final long PROBE_RTT_NANOS = 200_000_000L;
    static final int MIN_PIPE_SEGMENTS = 4;
    /** The pipe counts as full after this many rounds without 25% more bandwidth. */
    static final int FULL_BW_ROUNDS = 3;
    static final double FULL_BW_GROWTH = 1.25;
    /** Pacing runs 1% below the estimate so that queues drain (Linux's pacing margin). */
    static final double PACING_MARGIN = 0.99;
    /** The pacing rate before any RTT is known assumes this RTT. */
    static final long DEFAULT_RTT_NANOS = 1_000_000L;

    enum Mode { STARTUP, DRAIN, PROBE_BW, PROBE_RTT }

    private int smss;
    private final InitialWindow iw;
    private long cwnd;
    private long pacingRate;
    private Mode mode = Mode.STARTUP;
    private double pacingGain = HIGH_GAIN;
    private double cwndGain = HIGH_GAIN;

    // BtlBw: the largest sample of each of the last BW_FILTER_ROUNDS rounds
    private final long[] roundMaxBw = new long[BW_FILTER_ROUNDS];
    private long roundCount;
    private long nextRoundDelivered;
    private boolean roundStart;

    // RTprop
    private long minRtt = Long.MAX_VALUE;
    private long minRttStamp;
    private boolean minRttExpiredSample;

    // full pipe detection
    private long fullBw;
    private int fullBwCount;
    private boolean filledPipe;

    private int cycleIndex;
    private long cycleStamp;

    private boolean probeRttDone;
    private long probeRttDoneStamp;
    private boolean probeRttRoundDone;

    /** The window before a loss episode, a timeout or PROBE_RTT, restored after it. */
    private long priorCwnd;
    /** Inside a loss or timeout recovery (Linux's ca_state >= Recovery). */
    private boolean recovering;
    private boolean enteringRecovery;
    private boolean packetConservation;

    public Bbr(int smss) {
        this(smss, InitialWindow.RFC6928);
    }

    public Bbr(int smss, InitialWindow iw) {
        if (smss <= 0) {
            throw new IllegalArgumentException("smss " + smss);
        }
        this.smss = smss;
        this.iw = iw;
        this.cwnd = iw.bytes(smss);
        this.pacingRate = initialPacingRate(DEFAULT_RTT_NANOS);
    }

    private long initialPacingRate(long rttNanos) {
        return (long) (HIGH_GAIN * cwnd * 1e9 / Math.max(rttNanos, 1));
    }

    @Override
    public int cwnd() {
        return (int) Math.min(cwnd, Integer.MAX_VALUE / 2);
    }

    /** BBR keeps no slow start threshold. */
    @Override
    public int ssthresh() {
        return Integer.MAX_VALUE;
    }

    @Override
    public long pacingRate() {
        return pacingRate;
    }

    /** BBR bounds its window in recovery itself (packet conservation, draft 4.2.3.4), as Linux's BBR skips PRR. */
    @Override
    public boolean proportionalRateReduction() {
        return false;
    }

    Mode mode() {
        return mode;
    }

    /** BtlBw in bytes per second. */
    long btlBw() {
        long max = 0;
        for (long b : roundMaxBw) {
            max = Math.max(max, b);
        }
        return max;
    }

    /** RTprop in nanoseconds (Long.MAX_VALUE before the first sample). */
    long minRtt() {
        return minRtt;
    }

    boolean filledPipe() {
        return filledPipe;
    }

    @Override
    public void onRttSample(long rttNanos, int ack, int sndMax, long now) {
        if (rttNanos <= 0) {
            return;
        }
        boolean expired = minRtt != Long.MAX_VALUE && now - minRttStamp > MIN_RTT_WINDOW_NANOS;
        if (rttNanos < minRtt || expired) {
            boolean first = minRtt == Long.MAX_VALUE;
            minRttExpiredSample |= expired;
            minRtt = rttNanos;
            minRttStamp = now;
            if (first && btlBw() == 0) {
                pacingRate = initialPacingRate(rttNanos); // Linux: once the first RTT is known
            }
        }
    }

    @Override
    public void onDelivered(DeliveryRate rs, boolean valid, int newlyLost, int inFlight, long now) {
        int acked = rs.newlyDelivered();
        updateRound(rs);
        if (valid) {
            long bw = rs.rateBytesPerSecond();
            int slot = (int) (roundCount % BW_FILTER_ROUNDS);
            if (!rs.sampleAppLimited() || bw >= btlBw()) {
                roundMaxBw[slot] = Math.max(roundMaxBw[slot], bw); // section 4.1.1.5
            }
        }
        long bw = btlBw();
        if (mode == Mode.PROBE_BW && nextCyclePhase(newlyLost, inFlight + acked, bw, now)) {
            advanceCycle(now);
        }
        checkFullPipe(rs, bw);
        if (mode == Mode.STARTUP && filledPipe) {
            mode = Mode.DRAIN; // section 4.3.3
            pacingGain = DRAIN_GAIN;
            cwndGain = HIGH_GAIN;
        }
        if (mode == Mode.DRAIN && inFlight <= inflight(bw, 1.0)) {
            enterProbeBw(now);
        }
        updateProbeRtt(rs, inFlight, now);
        setPacingRate(bw);
        setCwnd(rs, acked, newlyLost, inFlight, bw);
    }

    /** Section 4.1.1.3: a round ends when a segment sent after the round began is delivered. */
    private void updateRound(DeliveryRate rs) {
        roundStart = false;
        if (rs.hasSample() && rs.priorDelivered() - nextRoundDelivered >= 0) {
            nextRoundDelivered = rs.delivered();
            roundCount++;
            roundStart = true;
            packetConservation = false;
            roundMaxBw[(int) (roundCount % BW_FILTER_ROUNDS)] = 0; // the oldest round leaves the window
        }
    }

    /** Section 4.3.2.2: three rounds without 25% growth of BtlBw (samples not application-limited). */
    private void checkFullPipe(DeliveryRate rs, long bw) {
        if (filledPipe || !roundStart || rs.sampleAppLimited()) {
            return;
        }
        if (bw >= fullBw * FULL_BW_GROWTH) {
            fullBw = bw;
            fullBwCount = 0;
            return;
        }
        if (++fullBwCount >= FULL_BW_ROUNDS) {
            filledPipe = true;
        }
    }

    private void enterProbeBw(long now) {
        mode = Mode.PROBE_BW;
        cwndGain = CWND_GAIN;
        cycleIndex = FIRST_CYCLE_PHASE - 1;
        advanceCycle(now);
    }

    private void advanceCycle(long now) {
        cycleIndex = (cycleIndex + 1) % PACING_GAINS.length;
        cycleStamp = now;
        pacingGain = PACING_GAINS[cycleIndex];
    }

    /** Section 4.3.4.4: a phase lasts RTprop; probing also waits for a full pipe or a loss, draining may end early. */
    private boolean nextCyclePhase(int newlyLost, int priorInFlight, long bw, long now) {
        boolean fullLength = now - cycleStamp > (minRtt == Long.MAX_VALUE ? DEFAULT_RTT_NANOS : minRtt);
        if (pacingGain == 1.0) {
            return fullLength;
        }
        if (pacingGain > 1.0) {
            return fullLength && (newlyLost > 0 || priorInFlight >= inflight(bw, pacingGain));
        }
        return fullLength || priorInFlight <= inflight(bw, 1.0);
    }

    /** Section 4.3.5: PROBE_RTT when RTprop was not refreshed for 10 s; at least 200 ms and a round at 4 segments. */
    private void updateProbeRtt(DeliveryRate rs, int inFlight, long now) {
        boolean expired = minRttExpiredSample
                || (minRtt != Long.MAX_VALUE && now - minRttStamp > MIN_RTT_WINDOW_NANOS);
        minRttExpiredSample = false;
        if (expired && mode != Mode.PROBE_RTT) {
            mode = Mode.PROBE_RTT;
            pacingGain = 1.0;
            cwndGain = 1.0;
            saveCwnd();
            probeRttDone = false;
        }
        if (mode != Mode.PROBE_RTT) {
            return;
        }
        rs.markAppLimited(inFlight); // the low rate is our choice, not the path's: no bandwidth samples from it
        if (!probeRttDone && inFlight <= MIN_PIPE_SEGMENTS * smss) {
            probeRttDone = true;
            probeRttDoneStamp = now + PROBE_RTT_NANOS;
            probeRttRoundDone = false;
            nextRoundDelivered = rs.delivered();
        } else if (probeRttDone) {
            probeRttRoundDone |= roundStart;
            if (probeRttRoundDone && now - probeRttDoneStamp > 0) {
                minRttStamp = now;
                cwnd = Math.max(cwnd, priorCwnd);
                if (filledPipe) {
                    enterProbeBw(now);
                } else {
                    mode = Mode.STARTUP;
                    pacingGain = HIGH_GAIN;
                    cwndGain = HIGH_GAIN;
                }
            }
        }
    }

    /**
     * Section 4.2.1: pacing_gain x BtlBw; before the pipe is full it only ever grows. Never below the minimum window
     * per RTprop: samples taken across retransmission timeouts (long ACK intervals, one segment each) can fill the
     * bandwidth filter with rates of a few bytes per second, and pacing at them would space segments minutes apart,
     * slower than the 4-segment window BBR never goes below anyway.
     */
    private void setPacingRate(long bw) {
        if (bw == 0) {
            return;
        }
        long rate = Math.max((long) (pacingGain * bw * PACING_MARGIN), minimumPacingRate());
        if (filledPipe || rate > pacingRate) {
            pacingRate = rate;
        }
    }

    /** MIN_PIPE_SEGMENTS segments per RTprop (per the default RTT before one is measured). */
    long minimumPacingRate() {
        long rtt = minRtt == Long.MAX_VALUE ? DEFAULT_RTT_NANOS : Math.max(minRtt, 1);
        return (long) (MIN_PIPE_SEGMENTS * smss * 1e9 / rtt);
    }

    /** The BDP times {@code gain} plus the allowance for quanta in flight (section 4.2.3.2, Linux's budget). */
    long inflight(long bw, double gain) {
        if (minRtt == Long.MAX_VALUE || bw == 0) {
            return iw.bytes(smss);
        }
        long bdp = (long) (gain * bw * (double) minRtt / 1e9);
        long quantum = Math.max(2L * smss, Math.min(pacingRate / 1000, 65536));
        long target = bdp + 3 * quantum;
        if (mode == Mode.PROBE_BW && cycleIndex == 0) {
            target += 2L * smss; // room for the probe's extra segments
        }
        return target;
    }

    /** Sections 4.2.3.4-4.2.3.6: losses, packet conservation, growth towards the target, the PROBE_RTT cap. */
    private void setCwnd(DeliveryRate rs, int acked, int newlyLost, int inFlight, long bw) {
        if (newlyLost > 0) {
            cwnd = Math.max(cwnd - newlyLost, smss);
        }
        if (enteringRecovery) {
            enteringRecovery = false;
            packetConservation = true;
            nextRoundDelivered = rs.delivered(); // conservation lasts one round from now
            cwnd = (long) inFlight + acked;
        }
        if (packetConservation) {
            cwnd = Math.max(cwnd, (long) inFlight + acked);
        } else {
            long target = inflight(bw, cwndGain);
            if (filledPipe) {
                cwnd = Math.min(cwnd + acked, target);
            } else if (cwnd < target || rs.delivered() < iw.bytes(smss)) {
                cwnd += acked;
            }
            cwnd = Math.max(cwnd, (long) MIN_PIPE_SEGMENTS * smss);
        }
        if (mode == Mode.PROBE_RTT) {
            cwnd = Math.min(cwnd, (long) MIN_PIPE_SEGMENTS * smss);
        }
        cwnd = Math.min(cwnd, Integer.MAX_VALUE / 2);
    }

    private void saveCwnd() {
        priorCwnd = !recovering && mode != Mode.PROBE_RTT ? cwnd : Math.max(priorCwnd, cwnd);
    }

    /** The window from before the episode comes back (section 4.2.3.5). */
    private void restore() {
        cwnd = Math.max(cwnd, priorCwnd);
        recovering = false;
        packetConservation = false;
        enteringRecovery = false;
    }

    @Override
    public void onAck(int bytesAcked, long now) {
        // growth happens in onDelivered, with and without recovery
    }

    @Override
    public void onLossDetected(int flightSize, long now) {
        saveCwnd();
        recovering = true;
        enteringRecovery = true;
    }

    @Override
    public void onEnterRecovery(int flightSize, long now) {
        onLossDetected(flightSize, now);
    }

    @Override
    public void onRecoveryDupAck() {
    }

    @Override
    public void onPartialAck(int bytesAcked) {
    }

    @Override
    public void onExitRecovery(int flightSize, long now) {
        restore();
    }

    @Override
    public void onExitSackRecovery(long now) {
        restore();
    }

    @Override
    public void onExitTimeoutRecovery(long now) {
        restore();
    }

    @Override
    public void onRetransmitTimeout(int flightSize, boolean repeated, long now) {
        saveCwnd();
        recovering = true;
        enteringRecovery = false;
        packetConservation = false;
        cwnd = smss; // everything outstanding is deemed lost: in flight 0, plus one segment
        fullBw = 0;  // a timeout ends the round, and growth is measured afresh
        fullBwCount = 0;
    }

    @Override
    public void undo(int priorCwndOfEpisode, int priorSsthresh) {
        priorCwnd = Math.max(priorCwnd, priorCwndOfEpisode);
        fullBw = 0;
        fullBwCount = 0;
        restore();
    }

    @Override
    public void mss(int newSmss) {
        if (newSmss <= 0 || newSmss == smss) {
            return;
        }
        boolean untouched = cwnd == iw.bytes(smss);
        smss = newSmss;
        cwnd = untouched ? iw.bytes(newSmss) : Math.max(cwnd, newSmss);
    }

    @Override
    public String toString() {
        return "Bbr[" + mode + " cwnd=" + cwnd + " btlbw=" + btlBw() * 8 / 1_000_000 + "Mbit/s minrtt="
                + (minRtt == Long.MAX_VALUE ? "-" : minRtt / 1000 + "us") + " pacing=" + pacingRate * 8 / 1_000_000
                + "Mbit/s gain=" + pacingGain + " smss=" + smss + "]";
    }
}
