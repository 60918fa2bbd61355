package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;

import static io.ustack.tcp.TcpDataTransferTest.closeBoth;
import static io.ustack.tcp.TcpDataTransferTest.connect;
import static io.ustack.tcp.TcpTestNet.testConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * 16 MiB through 10% loss, 5% reordering and 1% duplication (both directions, fixed seed): intact with every loss
 * recovery, and faster in simulated time with SACK + RACK-TLP + CUBIC (the defaults) than with plain NewReno.
 */
class TcpImpairedTransferTest {
    private static final long MS = 1_000_000L;
    private static final int SIZE = 16 << 20;

    @Test
    void sackAndRackBeatPlainNewRenoOnABadNetwork() {
        long modern = transfer(testConfig(), 11);
        long plain = transfer(TcpLossRecoveryTest.plainNewReno(), 11);
        System.out.printf("16 MiB, 10%% loss, 5%% reorder, 1%% duplication, 10 ms RTT: SACK+RACK-TLP+CUBIC %.1f s,"
                + " plain NewReno %.1f s (simulated)%n", modern / 1e9, plain / 1e9);
        assertThat(modern).isLessThan(plain * 3 / 4);
    }

    private static long transfer(TcpConfig cfg, long seed) {
        try (TcpTestNet net = new TcpTestNet(cfg, new TcpConfig(cfg))) {
            net.latencyNanos = 5 * MS;
            Peer[] p = connect(net);
            SplittableRandom rnd = new SplittableRandom(seed);
            net.filter = s -> {
                double x = rnd.nextDouble();
                if (x < 0.10) {
                    return TcpTestNet.Fate.DROP;
                } else if (x < 0.11) {
                    return TcpTestNet.Fate.DUPLICATE;
                } else if (x < 0.16) {
                    return TcpTestNet.Fate.delay(Duration.ofMillis(1 + rnd.nextInt(10)));
                }
                return TcpTestNet.Fate.DELIVER;
            };
            long t0 = net.now();
            p[0].send(SIZE, 3);
            assertThat(net.runUntil(() -> p[1].received.size() == SIZE, Duration.ofHours(10))).isTrue();
            long elapsed = net.now() - t0;
            assertThat(p[1].receivedPattern(SIZE, 3)).isTrue();
            closeBoth(net, p);
            return elapsed;
        }
    }
}
