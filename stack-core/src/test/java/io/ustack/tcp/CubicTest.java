package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** CUBIC window arithmetic (RFC 9438), driven ACK by ACK with a fixed round-trip time. */
class CubicTest {
    private static final int SMSS = 1000;
    private static final long MS = 1_000_000L;

    /** Grows cwnd to {@code segments} in slow start, then signals a loss at time {@code now}. */
    private static Cubic afterLossAt(int segments, long now) {
        Cubic c = new Cubic(SMSS, false, InitialWindow.RFC3390); // starts below the smallest window used here
        while (c.cwnd() < segments * SMSS) {
            c.onAck(SMSS, 0);
        }
        c.onLossDetected(c.cwnd(), now);
        return c;
    }

    /** One round trip of per-segment ACKs at {@code now}: a whole cwnd is acknowledged. */
    private static void oneRound(Cubic c, long now) {
        int acks = c.cwnd() / SMSS;
        for (int i = 0; i < acks; i++) {
            c.onAck(SMSS, now);
        }
    }

    @Test
    void multiplicativeDecreaseByBeta() {
        Cubic c = afterLossAt(100, 0);
        assertThat(c.ssthresh()).isEqualTo(70 * SMSS); // beta_cubic = 0.7 (RFC 9438 4.6)
        assertThat(c.cwnd()).isEqualTo(70 * SMSS);
        assertThat(c.wMax()).isEqualTo(100.0);
    }

    @Test
    void thresholdIsWholeSegmentsAndSackRecoveryEndsAtIt() {
        Cubic c = afterLossAt(4, 0); // 4 * 0.7 = 2.8 segments: a window of 2 usable ones without rounding
        assertThat(c.ssthresh()).isEqualTo(3 * SMSS);
        Cubic tiny = new Cubic(SMSS, false);
        tiny.onLossDetected(2 * SMSS, 0); // 1.4 segments in flight: never below 2
        assertThat(tiny.ssthresh()).isEqualTo(2 * SMSS);
        assertThat(CongestionControl.wholeSegments(70 * SMSS, SMSS)).isEqualTo(70 * SMSS);
        assertThat(CongestionControl.wholeSegments(70 * SMSS + 1, SMSS)).isEqualTo(71 * SMSS);
        // RFC 6675 / RFC 6937: cwnd = ssthresh at the end, however little was in flight then
        Cubic d = afterLossAt(100, 0);
        d.onExitSackRecovery(1);
        assertThat(d.cwnd()).isEqualTo(70 * SMSS);
        NewReno r = new NewReno(SMSS);
        r.onLossDetected(9 * SMSS, 0);
        assertThat(r.ssthresh()).isEqualTo(5 * SMSS); // 4.5 segments rounded up
        r.onExitSackRecovery(1);
        assertThat(r.cwnd()).isEqualTo(5 * SMSS);
    }

    @Test
    void congestionAvoidanceFollowsTheCubicFunction() {
        long rtt = 100 * MS;
        Cubic c = afterLossAt(100, 0);
        c.onRttSample(rtt, 0, 0, 0);
        long now = 0;
        // K = cbrt(W_max (1 - beta) / C) = cbrt(100 * 0.3 / 0.4) = 4.217 s (RFC 9438 equation 2)
        oneRound(c, now); // the epoch starts with the first ACK in congestion avoidance
        assertThat(c.k()).isCloseTo(Math.cbrt(75), within(1e-9));
        for (int round = 1; round <= 80; round++) {
            now += rtt;
            oneRound(c, now);
            double t = now / 1e9;
            // after the ACKs of a round at time t the window approaches W_cubic(t + RTT) (RFC 9438 4.4)
            double expected = 0.4 * Math.pow(t + 0.1 - Math.cbrt(75), 3) + 100;
            double actual = (double) c.cwnd() / SMSS;
            if (round % 10 == 0) {
                assertThat(actual).as("round %d (t = %.1f s)", round, t).isCloseTo(expected, within(0.05 * expected));
            }
        }
        // concave up to W_max around K, convex beyond: at 8 s the window is well past W_max
        assertThat(c.cwnd()).isGreaterThan(110 * SMSS);
    }

    @Test
    void renoFriendlyRegionWhenTheRttIsShort() {
        // with a 1 ms RTT the cubic function hardly moves in a second; W_est of RFC 9438 4.3 grows by alpha_cubic
        // per round and takes over
        long rtt = MS;
        Cubic c = afterLossAt(100, 0);
        c.onRttSample(rtt, 0, 0, 0);
        long now = 0;
        for (int round = 0; round < 20; round++) {
            oneRound(c, now);
            now += rtt;
        }
        double t = now / 1e9;
        double wCubic = 0.4 * Math.pow(t - Math.cbrt(75), 3) + 100; // ~70.3
        double wEst = 70 + 20 * Cubic.ALPHA; // ~80.6
        assertThat((double) c.cwnd() / SMSS).isGreaterThan(wCubic + 5).isCloseTo(wEst, within(1.5));
    }

    @Test
    void fastConvergenceLowersWmaxWhenTheWindowDidNotRecover() {
        Cubic c = afterLossAt(100, 0);
        c.onLossDetected(c.cwnd(), 1); // a second loss at 70 segments, below W_max = 100
        assertThat(c.wMax()).isCloseTo(70 * (1 + 0.7) / 2, within(1e-9)); // RFC 9438 4.7
        assertThat(c.cwnd()).isEqualTo(49 * SMSS);
    }

    @Test
    void slowStartCountsBytesUpToTwoSegmentsPerAck() {
        Cubic c = new Cubic(SMSS, false);
        int w = c.cwnd();
        c.onAck(5 * SMSS, 0); // RFC 3465 L = 2*SMSS
        assertThat(c.cwnd()).isEqualTo(w + 2 * SMSS);
    }

    @Test
    void timeoutDropsToOneSegment() {
        Cubic c = afterLossAt(100, 0);
        c.onRetransmitTimeout(70 * SMSS, false, 5);
        assertThat(c.cwnd()).isEqualTo(SMSS);
        assertThat(c.ssthresh()).isEqualTo(49 * SMSS);
    }

    @Test
    void hystartEndsSlowStartWhenTheRttRises() {
        Cubic c = new Cubic(SMSS, true);
        long rtt = 20 * MS;
        // RFC 9406: a round of 10 samples ends when the ACK reaches the SND.MAX of its start; the minimum RTT rises
        // by 10 ms (more than max(4 ms, rtt/8)) from round 3 on: CSS, and after CSS_ROUNDS rounds slow start ends
        int rounds = 0;
        for (int round = 0; round < 12 && c.ssthresh() == Integer.MAX_VALUE; round++) {
            long r = round < 3 ? rtt : rtt + 10 * MS;
            for (int i = 0; i < 10; i++) {
                c.onRttSample(r + i * 1000, round * 10 * SMSS + i * SMSS + 1, (round + 1) * 10 * SMSS, 0);
                c.onAck(SMSS, 0);
            }
            rounds++;
        }
        assertThat(rounds).isBetween(8, 10);
        assertThat(c.ssthresh()).isLessThan(Integer.MAX_VALUE); // CSS ran its rounds and ended slow start
        Cubic plain = new Cubic(SMSS, false);
        for (int i = 0; i < 120; i++) {
            plain.onRttSample(i < 30 ? rtt : rtt + 10 * MS, i * SMSS, 0, 0);
            plain.onAck(SMSS, 0);
        }
        assertThat(plain.ssthresh()).isEqualTo(Integer.MAX_VALUE);
    }
}
