package io.ustack.tcp;

import io.ustack.spi.WsaError;
import io.ustack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.ustack.tcp.TcpDataTransferTest.connect;
import static org.assertj.core.api.Assertions.assertThat;

/** Keep-alives (RFC 1122 4.2.3.6, RFC 9293 3.8.4): probe timing, answered probes, death detection. */
class TcpKeepAliveTest {
    private static final long MS = 1_000_000L;

    private static TcpConfig keepAliveConfig() {
        return TcpTestNet.testConfig().keepAlive(Duration.ofSeconds(10), Duration.ofSeconds(2), 3);
    }

    private static boolean isProbe(TcpTestNet.Sent s, TcpConnection c) {
        return s.flags() == TcpSegment.ACK && s.length() == 0 && s.seq() == c.sender.sndUna - 1;
    }

    @Test
    void offByDefault() {
        try (TcpTestNet net = new TcpTestNet(keepAliveConfig(), keepAliveConfig())) {
            Peer[] p = connect(net);
            int before = net.log.size();
            assertThat(p[0].conn.keepAlive()).isFalse();
            assertThat(net.runUntilQuiet(Duration.ofHours(3))).isTrue();
            assertThat(net.log).hasSize(before);
            assertThat(p[0].conn.state()).isEqualTo(TcpState.ESTABLISHED);
            TcpDataTransferTest.closeBoth(net, p);
        }
    }

    /** A dead peer: probes at idle, idle + interval, idle + 2 interval; reset and WSAETIMEDOUT at idle + 3 interval. */
    @Test
    void deadPeerIsDetected() {
        try (TcpTestNet net = new TcpTestNet(keepAliveConfig(), keepAliveConfig())) {
            Peer[] p = connect(net);
            TcpConnection a = p[0].conn;
            long heard = a.lastReceivedAt; // the SYN-ACK
            a.keepAlive(true);
            assertThat(a.keepAlive()).isTrue();
            net.filter = s -> TcpTestNet.Fate.DROP;
            int before = net.log.size();
            assertThat(net.runUntil(() -> p[0].closedWith >= 0, Duration.ofMinutes(1))).isTrue();
            assertThat(p[0].closedWith).isEqualTo(WsaError.WSAETIMEDOUT);
            assertThat(net.now() - heard).isEqualTo(16_000 * MS);
            List<TcpTestNet.Sent> sent = net.log.subList(before, net.log.size());
            assertThat(sent).hasSize(4);
            for (int i = 0; i < 3; i++) {
                assertThat(sent.get(i).flags()).isEqualTo(TcpSegment.ACK);
                assertThat(sent.get(i).length()).isZero();
                assertThat(sent.get(i).seq()).isEqualTo(a.sender.sndUna - 1); // an old sequence number
                assertThat(sent.get(i).time() - heard).isEqualTo((10_000 + 2_000 * i) * MS);
            }
            assertThat(sent.get(3).has(TcpSegment.RST)).isTrue();
            assertThat(net.a.layer.extCounters().keepAliveProbes).isEqualTo(3);
            assertThat(net.a.layer.extCounters().keepAliveTimeouts).isEqualTo(1);
            assertThat(net.a.layer.connectionCount()).isZero();
            p[1].conn.abort();
            p[0].release();
            p[1].release();
        }
    }

    /** A live peer answers each probe, so the connection lives on with one probe per idle period. */
    @Test
    void answeredProbesKeepTheConnection() {
        try (TcpTestNet net = new TcpTestNet(keepAliveConfig(), keepAliveConfig())) {
            Peer[] p = connect(net);
            TcpConnection a = p[0].conn;
            a.keepAlive(true);
            int before = net.log.size();
            net.run(Duration.ofSeconds(65));
            assertThat(a.state()).isEqualTo(TcpState.ESTABLISHED);
            List<TcpTestNet.Sent> sent = net.log.subList(before, net.log.size());
            List<TcpTestNet.Sent> probes = sent.stream().filter(s -> s.from() == 'a').toList();
            List<TcpTestNet.Sent> answers = sent.stream().filter(s -> s.from() == 'b').toList();
            assertThat(probes).hasSize(6).allSatisfy(s -> assertThat(isProbe(s, a)).isTrue());
            assertThat(answers).hasSize(6).allSatisfy(s -> {
                assertThat(s.isPureAck()).isTrue();
                assertThat(s.ack()).isEqualTo(a.sender.sndUna); // b's ACK of what it has
            });
            // one probe per idle period counted from the last answer (2 ms round trip)
            for (int i = 1; i < probes.size(); i++) {
                assertThat(probes.get(i).time() - answers.get(i - 1).time()).isEqualTo(10_001 * MS);
            }
            assertThat(net.a.layer.extCounters().keepAliveTimeouts).isZero();
            // turned off: no more probes
            a.keepAlive(false);
            int n = net.log.size();
            net.run(Duration.ofSeconds(60));
            assertThat(net.log).hasSize(n);
            TcpDataTransferTest.closeBoth(net, p);
        }
    }

    /** Traffic resets the idle clock: a chat every 5 s never draws a probe. */
    @Test
    void trafficPostponesProbes() {
        try (TcpTestNet net = new TcpTestNet(keepAliveConfig().keepAlive(true), keepAliveConfig())) {
            Peer[] p = connect(net);
            TcpConnection a = p[0].conn;
            assertThat(a.keepAlive()).isTrue(); // from the config
            for (int i = 0; i < 6; i++) {
                p[1].send(100L * (i + 1), 1);
                net.run(Duration.ofSeconds(5));
            }
            assertThat(net.sentBy('a').stream().filter(s -> isProbe(s, a)).count()).isZero();
            // then silence: the first probe 10 s after b's last data arrived (1 ms after it was sent)
            long lastFromB = net.sentBy('b').getLast().time();
            net.run(Duration.ofSeconds(12));
            List<TcpTestNet.Sent> probes = net.sentBy('a').stream().filter(s -> isProbe(s, a)).toList();
            assertThat(probes).isNotEmpty();
            assertThat(probes.getFirst().time() - lastFromB).isEqualTo(10_001 * MS);
            TcpDataTransferTest.closeBoth(net, p);
        }
    }

    /** A listener's options carry SO_KEEPALIVE to accepted connections; a vanished client is found out. */
    @Test
    void inheritedFromTheListener() {
        try (TcpTestNet net = new TcpTestNet()) {
            TcpHandshakeTest.Acceptor acc = new TcpHandshakeTest.Acceptor();
            TcpListener l = net.b.layer.listen(0, 80, 4, acc, keepAliveConfig().keepAlive(true).allocator(net.alloc));
            Peer client = new Peer();
            client.attach(net.a.layer.connect(0, 0, TcpTestNet.B_IP, 80, client, net.now()));
            assertThat(net.runUntil(() -> client.connected && !acc.peers.isEmpty(), Duration.ofSeconds(1))).isTrue();
            Peer server = acc.peers.getFirst();
            assertThat(server.conn.keepAlive()).isTrue();
            assertThat(client.conn.keepAlive()).isFalse();
            net.filter = s -> TcpTestNet.Fate.DROP;
            assertThat(net.runUntil(() -> server.closedWith >= 0, Duration.ofSeconds(30))).isTrue();
            assertThat(server.closedWith).isEqualTo(WsaError.WSAETIMEDOUT);
            l.close();
            client.conn.abort();
            client.release();
            server.release();
        }
    }
}
