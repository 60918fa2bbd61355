package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.ustack.tcp.TcpDataTransferTest.closeBoth;
import static io.ustack.tcp.TcpDataTransferTest.connect;
import static org.assertj.core.api.Assertions.assertThat;

/** RFC 5681 4.1: after more than an RTO without sending, the window restarts from min(IW, cwnd). */
class TcpIdleRestartTest {
    private static final int SIZE = 1 << 20;

    /** Data segments sent at the instant the sender resumed after an idle second. */
    private static long firstBurstAfterIdle(boolean restart) {
        TcpConfig cfg = TcpTestNet.testConfig().slowStartAfterIdle(restart);
        try (TcpTestNet net = new TcpTestNet(cfg, new TcpConfig(cfg))) {
            net.latencyNanos = 10_000_000;
            Peer[] p = connect(net);
            p[0].send(SIZE, 1);
            assertThat(net.runUntil(() -> p[1].received.size() == SIZE, Duration.ofSeconds(30))).isTrue();
            assertThat(net.runUntilQuiet(Duration.ofSeconds(5))).isTrue();
            int grown = p[0].conn.sender.cc.cwnd();
            assertThat(grown).isGreaterThan(InitialWindow.RFC6928.bytes(p[0].conn.sender.smss));
            net.run(Duration.ofSeconds(1)); // idle: longer than the RTO
            long resumedAt = net.now();
            int logged = net.log.size();
            p[0].send(2L * SIZE, 1); // toSend is the total
            assertThat(net.runUntil(() -> p[1].received.size() == 2 * SIZE, Duration.ofSeconds(30))).isTrue();
            long burst = net.log.subList(logged, net.log.size()).stream()
                    .filter(s -> s.from() == 'a' && s.length() > 0 && s.time() == resumedAt).count();
            closeBoth(net, p);
            return burst;
        }
    }

    @Test
    void anIdleSenderRestartsFromTheInitialWindow() {
        long restarted = firstBurstAfterIdle(true);
        long kept = firstBurstAfterIdle(false);
        System.out.println("first burst after 1 s idle: " + restarted + " segments (restart), " + kept + " (kept)");
        assertThat(restarted).isEqualTo(10);
        assertThat(kept).isGreaterThan(20);
    }
}
