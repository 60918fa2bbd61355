package io.ustack.tcp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static io.ustack.tcp.TcpDataTransferTest.closeBoth;
import static io.ustack.tcp.TcpDataTransferTest.connect;
import static org.assertj.core.api.Assertions.assertThat;

/** Long transfers through a bad network: random loss, reordering and duplication, fixed seeds. */
class TcpLossyNetworkTest {
    private static final int MIB = 1 << 20;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void tenPercentLossBothWays(long seed) {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            net.randomLoss(0.10, seed);
            p[0].send(MIB, 1);
            p[1].send(MIB / 2, 2);
            assertThat(net.runUntil(() -> p[1].received.size() == MIB && p[0].received.size() == MIB / 2,
                    Duration.ofMinutes(30))).isTrue();
            assertThat(p[1].receivedPattern(MIB, 1)).isTrue();
            assertThat(p[0].receivedPattern(MIB / 2, 2)).isTrue();
            assertThat(net.a.counters.tcpRetransmits).isGreaterThan(50);
            assertThat(net.log.stream().filter(TcpTestNet.Sent::dropped).count()).isGreaterThan(100);
            closeBoth(net, p); // the close also runs through the lossy network
        }
    }

    @Test
    void lossReorderingAndDuplicationTogether() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(99);
            net.filter = s -> {
                double x = rnd.nextDouble();
                if (x < 0.05) {
                    return TcpTestNet.Fate.DROP;
                } else if (x < 0.10) {
                    return TcpTestNet.Fate.DUPLICATE;
                } else if (x < 0.25) {
                    return TcpTestNet.Fate.delay(Duration.ofMillis(1 + rnd.nextInt(5)));
                }
                return TcpTestNet.Fate.DELIVER;
            };
            p[0].send(MIB, 5);
            p[1].send(MIB, 6);
            assertThat(net.runUntil(() -> p[1].received.size() == MIB && p[0].received.size() == MIB,
                    Duration.ofMinutes(30))).isTrue();
            assertThat(p[1].receivedPattern(MIB, 5)).isTrue();
            assertThat(p[0].receivedPattern(MIB, 6)).isTrue();
            closeBoth(net, p);
        }
    }

    /** Sequence numbers wrap around 2^32 in the middle of the transfer, on both sides, with some loss. */
    @Test
    void sequenceNumbersWrapAround() {
        try (TcpTestNet net = new TcpTestNet()) {
            net.a.layer.isnSource((li, lp, ri, rp, now) -> 0xFFFF_F000);
            net.b.layer.isnSource((li, lp, ri, rp, now) -> 0xFFFF_FFFF);
            Peer[] p = connect(net);
            assertThat(p[0].conn.sender.iss).isEqualTo(0xFFFF_F000);
            assertThat(p[1].conn.sender.iss).isEqualTo(0xFFFF_FFFF); // its data starts exactly at 0
            net.randomLoss(0.03, 7);
            p[0].send(MIB, 8);
            p[1].send(MIB, 9);
            assertThat(net.runUntil(() -> p[1].received.size() == MIB && p[0].received.size() == MIB,
                    Duration.ofMinutes(30))).isTrue();
            assertThat(p[1].receivedPattern(MIB, 8)).isTrue();
            assertThat(p[0].receivedPattern(MIB, 9)).isTrue();
            // the wrap really happened
            assertThat(Integer.compareUnsigned(p[0].conn.sender.sndUna, 0xFFFF_F000)).isLessThan(0);
            closeBoth(net, p);
        }
    }
}
