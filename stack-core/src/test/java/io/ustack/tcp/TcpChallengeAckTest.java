package io.ustack.tcp;

import io.ustack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.ustack.tcp.TcpDataTransferTest.connect;
import static org.assertj.core.api.Assertions.assertThat;

/** RFC 5961 challenge ACKs (3.2, 4.2, 5.2) and their throttling (section 7). */
class TcpChallengeAckTest {

    /** Injects {@code n} in-window, not-exact RSTs into b's connection; returns how many segments b sent. */
    private static int blindResets(TcpTestNet net, Peer[] p, int n) {
        TcpConnection b = p[1].conn;
        int before = net.log.size();
        for (int i = 0; i < n; i++) {
            net.b.inject(p[0].conn.localPort(), 80, b.receiver.rcvNxt + 1 + i, 0, TcpSegment.RST, 0, null,
                    new byte[0]);
        }
        assertThat(b.state()).isEqualTo(TcpState.ESTABLISHED);
        return net.log.size() - before;
    }

    @Test
    void challengeAcksAreLimitedPerSecond() {
        TcpConfig cfg = TcpTestNet.testConfig().challengeAckLimit(10);
        try (TcpTestNet net = new TcpTestNet(TcpTestNet.testConfig(), cfg)) {
            Peer[] p = connect(net);
            TcpExtCounters ext = net.b.layer.extCounters();
            int first = blindResets(net, p, 100);
            assertThat(first).isBetween(5, 14); // a budget drawn from [5, 15)
            assertThat(ext.challengeAcks).isEqualTo(first);
            assertThat(ext.challengeAcksSuppressed).isEqualTo(100 - first);
            // still the same second: nothing more, whatever kind of challenge is asked for
            net.run(Duration.ofMillis(900));
            assertThat(blindResets(net, p, 10)).isZero();
            int rcvNxt = p[1].conn.receiver.rcvNxt;
            net.b.inject(p[0].conn.localPort(), 80, rcvNxt, 0, TcpSegment.SYN, 1000, null, new byte[0]);
            net.b.inject(p[0].conn.localPort(), 80, rcvNxt, p[1].conn.sender.sndUna - 1_000_000, TcpSegment.ACK, 1000,
                    null, new byte[0]); // RFC 5961 5.2: far below SND.UNA - MAX.SND.WND
            assertThat(ext.challengeAcks).isEqualTo(first);
            assertThat(ext.challengeAcksSuppressed).isEqualTo(100 - first + 12);
            // a new second, a new budget
            net.run(Duration.ofMillis(200));
            int second = blindResets(net, p, 100);
            assertThat(second).isBetween(5, 14);
            assertThat(first + second).isLessThanOrEqualTo(28);
            TcpDataTransferTest.closeBoth(net, p);
        }
    }

    @Test
    void defaultBudgetAnswersAModerateBurst() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            assertThat(blindResets(net, p, 100)).isEqualTo(100); // default 1000 per second: [500, 1500)
            int rcvNxt = p[1].conn.receiver.rcvNxt;
            int before = net.log.size();
            net.b.inject(p[0].conn.localPort(), 80, rcvNxt, 0, TcpSegment.SYN, 1000, null, new byte[0]);
            net.b.inject(p[0].conn.localPort(), 80, rcvNxt, p[1].conn.sender.sndUna - 1_000_000, TcpSegment.ACK, 1000,
                    null, new byte[0]);
            assertThat(net.log.size() - before).isEqualTo(2);
            assertThat(net.log.subList(before, net.log.size())).allSatisfy(s -> {
                assertThat(s.isPureAck()).isTrue();
                assertThat(s.ack()).isEqualTo(rcvNxt);
            });
            assertThat(net.b.layer.extCounters().challengeAcks).isEqualTo(102);
            // none of it hurt the connection
            p[0].send(10_000, 3);
            assertThat(net.runUntil(() -> p[1].received.size() == 10_000, Duration.ofSeconds(5))).isTrue();
            assertThat(p[1].receivedPattern(10_000, 3)).isTrue();
            TcpDataTransferTest.closeBoth(net, p);
        }
    }
}
