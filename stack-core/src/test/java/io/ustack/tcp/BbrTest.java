package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;

import static io.ustack.tcp.TcpDataTransferTest.closeBoth;
import static io.ustack.tcp.TcpDataTransferTest.connect;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * BBR v1: its state machine driven by hand-made delivery rate samples, and whole transfers on the simulated link
 * (simulated time, so the figures are exact): the model finds the bottleneck rate and the path RTT, with and without
 * SACK, and a loss episode or a timeout does not shrink the window for good.
 */
class BbrTest {
    private static final int SMSS = 1000;
    private static final long US = 1_000L;
    private static final long MS = 1_000_000L;

    /**
     * Feeds {@code rounds} round trips of a path with {@code bw} bytes per second and {@code rtt}: each round the
     * sender's cwnd worth of segments is sent, then delivered one RTT later, one ACK per segment.
     */
    private static long run(Bbr bbr, SackScoreboard board, long bw, long rtt, int rounds, long start) {
        long now = start;
        int seq = board.count() == 0 ? (int) board.rate().delivered() : board.end(board.count() - 1);
        for (int r = 0; r < rounds; r++) {
            int window = Math.min(bbr.cwnd(), (int) (bw * rtt / 1_000_000_000L) * 4);
            int segments = Math.max(1, window / SMSS);
            long sendGap = 1_000_000_000L * SMSS / bw;
            long[] sentAt = new long[segments];
            for (int i = 0; i < segments; i++) {
                sentAt[i] = now + i * sendGap;
                board.append(seq + i * SMSS, seq + (i + 1) * SMSS, sentAt[i]);
            }
            for (int i = 0; i < segments; i++) {
                long ackAt = sentAt[i] + rtt + Math.max(0, (i + 1) * sendGap - i * sendGap); // serialised at bw
                board.beginAck(ackAt);
                board.cumulativeAck(seq + (i + 1) * SMSS);
                bbr.onRttSample(ackAt - sentAt[i], 0, 0, ackAt);
                boolean valid = board.rate().generate();
                bbr.onDelivered(board.rate(), valid, 0, (segments - i - 1) * SMSS, ackAt);
                now = ackAt;
            }
            seq += segments * SMSS;
        }
        return now;
    }

    @Test
    void startupFindsTheBottleneckThenDrainsIntoProbeBw() {
        Bbr bbr = new Bbr(SMSS);
        SackScoreboard board = new SackScoreboard(4096);
        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.STARTUP);
        assertThat(bbr.pacingRate()).isPositive(); // paced from the start (2.89 x IW / 1 ms)
        long bw = 12_500_000; // 100 Mbit/s
        run(bbr, board, bw, MS, 30, 0);
        assertThat(bbr.filledPipe()).isTrue();
        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.PROBE_BW);
        assertThat(bbr.btlBw()).isBetween(bw * 8 / 10, bw * 11 / 10);
        assertThat(bbr.minRtt()).isBetween(MS, MS + 100 * US);
        // PROBE_BW: cwnd = 2 x BDP (+ the quanta allowance), pacing near the estimate
        long bdp = bbr.btlBw() * bbr.minRtt() / 1_000_000_000L;
        assertThat((long) bbr.cwnd()).isBetween(2 * bdp, 2 * bdp + 3 * 65536 + 2 * SMSS);
        assertThat(bbr.pacingRate()).isBetween(bbr.btlBw() * 7 / 10, bbr.btlBw() * 13 / 10);
    }

    @Test
    void lossesDoNotShrinkTheModelAndRecoveryEndRestoresTheWindow() {
        Bbr bbr = new Bbr(SMSS);
        SackScoreboard board = new SackScoreboard(4096);
        long now = run(bbr, board, 12_500_000, MS, 30, 0);
        int before = bbr.cwnd();
        long bw = bbr.btlBw();
        bbr.onLossDetected(before, now);
        // the next ACK delivers one segment and reports three lost: packet conservation, cwnd = in flight + acked
        board.clear();
        DeliveryRate rs = board.rate();
        board.append(0, SMSS, now);
        board.beginAck(now + MS);
        board.cumulativeAck(SMSS);
        bbr.onDelivered(rs, rs.generate(), 3 * SMSS, 5 * SMSS, now + MS);
        assertThat(bbr.cwnd()).isEqualTo(6 * SMSS);
        assertThat(bbr.btlBw()).isEqualTo(bw);
        bbr.onExitSackRecovery(now + 2 * MS);
        assertThat(bbr.cwnd()).isEqualTo(before);
        // a timeout: one segment, then the window from before comes back when its recovery ends
        bbr.onRetransmitTimeout(before, false, now + 3 * MS);
        assertThat(bbr.cwnd()).isEqualTo(SMSS);
        bbr.onRetransmitTimeout(before, true, now + 5 * MS); // backed-off repeat: the saved window is kept
        bbr.onExitTimeoutRecovery(now + 6 * MS);
        assertThat(bbr.cwnd()).isEqualTo(before);
        assertThat(bbr.btlBw()).isEqualTo(bw);
    }

    @Test
    void probeRttAfterTenSecondsWithoutALowerRtt() {
        Bbr bbr = new Bbr(SMSS);
        SackScoreboard board = new SackScoreboard(4096);
        long now = run(bbr, board, 12_500_000, MS, 30, 0);
        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.PROBE_BW);
        int cwnd = bbr.cwnd();
        // the RTT has grown a little for 10 s: the filter expires and the next ACK enters PROBE_RTT
        now += 10_100 * MS;
        bbr.onRttSample(1_200 * US, 0, 0, now);
        DeliveryRate rs = board.rate();
        board.clear();
        board.append(0, SMSS, now - 1_200 * US);
        board.beginAck(now);
        board.cumulativeAck(SMSS);
        bbr.onDelivered(rs, rs.generate(), 0, 3 * SMSS, now);
        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.PROBE_RTT);
        assertThat(bbr.cwnd()).isEqualTo(Bbr.MIN_PIPE_SEGMENTS * SMSS);
        assertThat(bbr.minRtt()).isEqualTo(1_200 * US); // the expired minimum was replaced
        assertThat(rs.appLimitedNow()).isTrue(); // PROBE_RTT samples do not lower BtlBw
        // 200 ms and a round later it leaves with the window it had
        long t = now;
        for (int i = 1; i <= 3; i++) {
            t = now + i * 100 * MS;
            board.append(i * SMSS, (i + 1) * SMSS, t - MS);
            board.beginAck(t);
            board.cumulativeAck((i + 1) * SMSS);
            bbr.onDelivered(rs, rs.generate(), 0, 0, t);
        }
        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.PROBE_BW);
        // the window from before, as far as the (new, higher) RTprop's target allows
        assertThat((long) bbr.cwnd()).isEqualTo(Math.min(cwnd, bbr.inflight(bbr.btlBw(), Bbr.CWND_GAIN)));
        assertThat(bbr.cwnd()).isGreaterThan(10 * Bbr.MIN_PIPE_SEGMENTS * SMSS);
    }

    @Test
    void samplesAcrossTimeoutsDoNotPaceTheSenderToAStandstill() {
        Bbr bbr = new Bbr(SMSS);
        SackScoreboard board = new SackScoreboard(4096);
        long now = run(bbr, board, 12_500_000, MS, 30, 0);
        assertThat(bbr.filledPipe()).isTrue();
        // a run of timeouts: each round is one segment acknowledged seconds after the last delivery, a sample of a
        // few hundred bytes per second; after ten such rounds nothing else is left in the bandwidth filter
        DeliveryRate rs = board.rate();
        board.clear();
        int seq = 0;
        board.append(0, SMSS, now);
        for (int i = 0; i < 30; i++) { // a round ends every other ACK here: 15 rounds
            bbr.onRetransmitTimeout(SMSS, i > 0, now);
            now += 3_000 * MS;
            board.append(seq + SMSS, seq + 2 * SMSS, now); // the next one goes out while this one is outstanding
            now += MS;
            board.beginAck(now);
            board.cumulativeAck(seq + SMSS);
            bbr.onRttSample(MS, 0, 0, now);
            bbr.onDelivered(rs, rs.generate(), 0, 0, now);
            seq += SMSS;
        }
        assertThat(bbr.btlBw()).isLessThan(1_000); // the model believes the path does < 1 kB/s
        // pacing at that would put 3 s between segments; it stays at the minimum window (4 segments) per RTprop
        assertThat(bbr.pacingRate()).isGreaterThanOrEqualTo(Bbr.MIN_PIPE_SEGMENTS * SMSS * 1_000_000_000L / MS);
        assertThat(bbr.pacingRate()).isEqualTo(bbr.minimumPacingRate());
    }

    @Test
    void bulkTransferFindsTheLinkRateWithAndWithoutSack() {
        for (boolean sack : new boolean[] {true, false}) {
            TcpConfig cfg = new TcpConfig().msl(Duration.ofSeconds(1)).receiveBufferSize(4 << 20)
                    .sendBufferSize(4 << 20).congestionControl(CongestionAlgorithm.BBR).sack(sack);
            try (TcpTestNet net = new TcpTestNet(cfg, new TcpConfig(cfg).congestionControl(CongestionAlgorithm.CUBIC))) {
                net.latencyNanos = 2 * MS; // 4 ms RTT
                net.rateBytesPerSecond = 12_500_000; // 100 Mbit/s
                Peer[] p = connect(net);
                long t0 = net.now();
                int size = 8 << 20;
                p[0].send(size, 5);
                assertThat(net.runUntil(() -> p[1].received.size() == size, Duration.ofMinutes(5))).isTrue();
                assertThat(p[1].receivedPattern(size, 5)).isTrue();
                double mbps = size * 8.0 / (net.now() - t0) * 1e3;
                Bbr bbr = (Bbr) p[0].conn.sender.cc;
                System.out.printf("BBR sack=%s 100 Mbit/s 4 ms: %.1f Mbit/s %s%n", sack, mbps, bbr);
                assertThat(bbr.filledPipe()).isTrue();
                assertThat(bbr.btlBw()).isBetween(11_000_000L, 13_000_000L);
                assertThat(bbr.minRtt()).isBetween(4 * MS, 6 * MS);
                assertThat(mbps).isGreaterThan(80);
                assertThat(p[0].conn.sender.timeouts).isZero();
                closeBoth(net, p);
            }
        }
    }

    @Test
    void bbrOnALossyPathKeepsTheRateLossBasedControlsLose() {
        TcpConfig cfg = new TcpConfig().msl(Duration.ofSeconds(1)).receiveBufferSize(4 << 20)
                .sendBufferSize(4 << 20).congestionControl(CongestionAlgorithm.BBR);
        try (TcpTestNet net = new TcpTestNet(cfg, new TcpConfig(cfg))) {
            net.latencyNanos = 2 * MS;
            net.rateBytesPerSecond = 12_500_000;
            Peer[] p = connect(net);
            SplittableRandom rnd = new SplittableRandom(3);
            net.filter = s -> rnd.nextDouble() < 0.05 ? TcpTestNet.Fate.DROP : TcpTestNet.Fate.DELIVER;
            long t0 = net.now();
            int size = 4 << 20;
            p[0].send(size, 9);
            assertThat(net.runUntil(() -> p[1].received.size() == size, Duration.ofMinutes(5))).isTrue();
            assertThat(p[1].receivedPattern(size, 9)).isTrue();
            double mbps = size * 8.0 / (net.now() - t0) * 1e3;
            System.out.printf("BBR 5%% loss each way, 100 Mbit/s 4 ms: %.1f Mbit/s %s %s%n", mbps,
                    p[0].conn.sender.cc, net.a.layer.extCounters());
            assertThat(mbps).isGreaterThan(50); // CUBIC: a few Mbit/s on this path
            closeBoth(net, p);
        }
    }
}
