package io.ustack.tcp;

import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.ustack.tcp.TcpTestNet.B_IP;
import static org.assertj.core.api.Assertions.assertThat;

/** A new SYN in TIME-WAIT (RFC 1122 4.2.2.13, RFC 6191). */
class TcpTimeWaitReuseTest {
    private static final long MS = 1_000_000L;
    private static final int CLIENT_PORT = 40_000;

    /** a:40000 -> b:80 exchange data, b closes first; returns the server side, left in TIME-WAIT. */
    private static TcpConnection serverInTimeWait(TcpTestNet net, TcpHandshakeTest.Acceptor acc) {
        Peer client = new Peer();
        client.attach(net.a.layer.connect(0, CLIENT_PORT, B_IP, 80, client, net.now()));
        assertThat(net.runUntil(() -> client.connected && acc.peers.size() == 1, Duration.ofSeconds(1))).isTrue();
        Peer server = acc.peers.getFirst();
        client.send(1000, 1);
        assertThat(net.runUntil(() -> server.received.size() == 1000, Duration.ofSeconds(1))).isTrue();
        server.conn.close();
        assertThat(net.runUntil(() -> client.eof, Duration.ofSeconds(1))).isTrue();
        client.conn.close();
        assertThat(net.runUntil(() -> client.conn.state() == TcpState.CLOSED, Duration.ofSeconds(1))).isTrue();
        assertThat(server.conn.state()).isEqualTo(TcpState.TIME_WAIT);
        client.release();
        server.release();
        acc.peers.clear();
        return server.conn;
    }

    /** Without timestamps: the reconnecting client's RFC 6528 ISN has moved past the old RCV.NXT. */
    @Test
    void newerSynReopensAtOnce() {
        try (TcpTestNet net = new TcpTestNet(TcpTestNet.testConfig().timestamps(false), TcpTestNet.testConfig())) {
            TcpHandshakeTest.Acceptor acc = new TcpHandshakeTest.Acceptor();
            net.b.layer.listen(0, 80, 4, acc);
            TcpConnection old = serverInTimeWait(net, acc);
            int oldSndMax = old.sender.sndMax;
            net.run(Duration.ofMillis(100));
            Peer again = new Peer();
            again.attach(net.a.layer.connect(0, CLIENT_PORT, B_IP, 80, again, net.now()));
            long t0 = net.now();
            assertThat(net.runUntil(() -> again.connected && acc.peers.size() == 1, Duration.ofSeconds(5))).isTrue();
            assertThat(net.now() - t0).isLessThanOrEqualTo(3 * MS); // one round trip, not after TIME-WAIT
            assertThat(old.state()).isEqualTo(TcpState.CLOSED);
            assertThat(net.b.layer.extCounters().timeWaitReuses).isEqualTo(1);
            TcpConnection fresh = acc.peers.getFirst().conn;
            assertThat(fresh.remotePort()).isEqualTo(CLIENT_PORT);
            assertThat(SequenceNumbers.gt(fresh.sender.iss, oldSndMax)).isTrue(); // RFC 1122 4.2.2.13 (1)
            again.send(5000, 2);
            assertThat(net.runUntil(() -> acc.peers.getFirst().received.size() == 5000, Duration.ofSeconds(1)))
                    .isTrue();
            assertThat(acc.peers.getFirst().receivedPattern(5000, 2)).isTrue();
            Peer[] p = {again, acc.peers.getFirst()};
            TcpDataTransferTest.closeBoth(net, p);
        }
    }

    /** An old duplicate SYN (not beyond RCV.NXT) leaves TIME-WAIT alone. */
    @Test
    void oldDuplicateSynIsNotHonored() {
        try (TcpTestNet net = new TcpTestNet(TcpTestNet.testConfig().timestamps(false), TcpTestNet.testConfig())) {
            TcpHandshakeTest.Acceptor acc = new TcpHandshakeTest.Acceptor();
            net.b.layer.listen(0, 80, 4, acc);
            TcpConnection old = serverInTimeWait(net, acc);
            int rcvNxt = old.receiver.rcvNxt;
            net.b.inject(CLIENT_PORT, 80, old.receiver.irs, 0, TcpSegment.SYN, 65535, null, new byte[0]);
            net.b.inject(CLIENT_PORT, 80, rcvNxt - 2, 0, TcpSegment.SYN, 65535, null, new byte[0]);
            assertThat(old.state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(net.b.layer.connectionCount()).isEqualTo(1);
            assertThat(net.b.layer.extCounters().timeWaitReuses).isZero();
            // beyond the last sequence number seen: a new incarnation
            net.b.inject(CLIENT_PORT, 80, rcvNxt + 1000, 0, TcpSegment.SYN, 65535, null, new byte[0]);
            assertThat(old.state()).isEqualTo(TcpState.CLOSED);
            assertThat(net.b.layer.extCounters().timeWaitReuses).isEqualTo(1);
            net.b.layer.shutdown();
            net.runUntilQuiet(Duration.ofSeconds(5));
        }
    }

    /** With timestamps in both incarnations the SYN's TSval decides (RFC 6191 section 2), not its sequence number. */
    @Test
    void timestampsDecideWhenBothIncarnationsUseThem() {
        try (TcpTestNet net = new TcpTestNet()) {
            TcpHandshakeTest.Acceptor acc = new TcpHandshakeTest.Acceptor();
            net.b.layer.listen(0, 80, 4, acc);
            TcpConnection old = serverInTimeWait(net, acc);
            assertThat(old.timestamps.enabled).isTrue();
            int tsRecent = old.timestamps.tsRecent;
            int rcvNxt = old.receiver.rcvNxt;
            TcpOptions older = new TcpOptions().mss(1460).timestamps(tsRecent - 1, 0);
            net.b.inject(CLIENT_PORT, 80, rcvNxt + 100_000, 0, TcpSegment.SYN, 65535, older, new byte[0]);
            assertThat(old.state()).isEqualTo(TcpState.TIME_WAIT); // a higher sequence number is not enough
            TcpOptions same = new TcpOptions().mss(1460).timestamps(tsRecent, 0);
            net.b.inject(CLIENT_PORT, 80, rcvNxt - 5, 0, TcpSegment.SYN, 65535, same, new byte[0]);
            assertThat(old.state()).isEqualTo(TcpState.TIME_WAIT); // equal TSval: the sequence number must be newer
            TcpOptions newer = new TcpOptions().mss(1460).timestamps(tsRecent + 1, 0);
            net.b.inject(CLIENT_PORT, 80, rcvNxt - 5, 0, TcpSegment.SYN, 65535, newer, new byte[0]);
            assertThat(old.state()).isEqualTo(TcpState.CLOSED); // a newer TSval suffices
            assertThat(net.b.layer.extCounters().timeWaitReuses).isEqualTo(1);
            net.b.layer.shutdown();
            net.runUntilQuiet(Duration.ofSeconds(5));
        }
    }
}
