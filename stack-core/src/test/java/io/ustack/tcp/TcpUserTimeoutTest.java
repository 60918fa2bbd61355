package io.ustack.tcp;

import io.ustack.spi.WsaError;
import io.ustack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.ustack.tcp.TcpDataTransferTest.connect;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user timeout (RFC 9293 3.8.3 / 3.10.8, RFC 5482 1): data unacknowledged for that long ends the connection
 * with WSAETIMEDOUT, counted from when the oldest unacknowledged data was sent; zero-window probing ends only when
 * a probe stays unanswered that long (RFC 1122 4.2.2.17).
 */
class TcpUserTimeoutTest {
    private static final long MS = 1_000_000L;

    /**
     * Three segments leave at t0; the first two are acknowledged at t0 + 400 ms, the third never arrives. The third
     * has been unacknowledged since t0, so the connection ends at t0 + 1 s, not 1 s after the partial ACK.
     */
    @Test
    void clockStartsWhenTheHeadWasSentNotAtTheLastAck() {
        TcpConfig cfg = TcpTestNet.testConfig().userTimeout(Duration.ofSeconds(1));
        try (TcpTestNet net = new TcpTestNet(cfg, TcpTestNet.testConfig())) {
            net.latencyNanos = 200 * MS;
            Peer[] p = connect(net);
            TcpConnection a = p[0].conn;
            int mss = a.sender.smss;
            int third = a.sender.sndNxt + 2 * mss;
            net.filter = s -> s.from() == 'a' && s.length() > 0 && s.seq() == third
                    ? TcpTestNet.Fate.DROP : TcpTestNet.Fate.DELIVER;
            long t0 = net.now();
            p[0].send(3 * mss, 1);
            assertThat(net.sentBy('a').stream().filter(s -> s.time() == t0 && s.length() > 0)).hasSize(3);
            assertThat(net.runUntil(() -> p[0].closedWith >= 0, Duration.ofSeconds(30))).isTrue();
            assertThat(p[0].closedWith).isEqualTo(WsaError.WSAETIMEDOUT);
            assertThat(net.now() - t0).isEqualTo(1000 * MS);
            assertThat(p[1].received.size()).isEqualTo(2 * mss); // the partial ACK did happen
            assertThat(net.a.layer.extCounters().userTimeouts).isEqualTo(1);
            p[1].conn.abort();
            p[0].release();
            p[1].release();
        }
    }

    /** Connect to a black hole: the user timeout bounds the handshake too (SYNs at 0, 1 s, 3 s would go on). */
    @Test
    void boundsTheHandshake() {
        TcpConfig cfg = TcpTestNet.testConfig().userTimeout(Duration.ofMillis(2500));
        try (TcpTestNet net = new TcpTestNet(cfg, TcpTestNet.testConfig())) {
            net.filter = s -> TcpTestNet.Fate.DROP;
            Peer client = new Peer();
            long t0 = net.now();
            client.conn = net.a.layer.connect(0, 0, TcpTestNet.B_IP, 80, client, t0);
            assertThat(net.runUntil(() -> client.closedWith >= 0, Duration.ofMinutes(5))).isTrue();
            assertThat(client.closedWith).isEqualTo(WsaError.WSAETIMEDOUT);
            assertThat(net.now() - t0).isEqualTo(2500 * MS);
            assertThat(net.sentBy('a').stream().map(s -> (s.time() - t0) / MS).toList()).containsExactly(0L, 1000L);
            client.release();
        }
    }

    /**
     * A zero window with answered probes lasts as long as the peer answers, even when the probes are further apart
     * than the user timeout; once a probe goes unanswered the connection ends one user timeout later.
     */
    @Test
    void zeroWindowEndsOnlyWhenAProbeStaysUnanswered() {
        TcpConfig cfg = TcpTestNet.testConfig().userTimeout(Duration.ofSeconds(1));
        try (TcpTestNet net = new TcpTestNet(cfg, TcpTestNet.testConfig().receiveBufferSize(16 * 1024))) {
            Peer[] p = connect(net);
            TcpConnection a = p[0].conn;
            p[1].readPaused = true;
            p[0].send(100_000, 1);
            net.run(Duration.ofSeconds(30));
            assertThat(a.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(a.sender.sndWnd).isZero();
            List<Long> probeTimes = net.sentBy('a').stream()
                    .filter(s -> s.flags() == TcpSegment.ACK && s.length() == 0 && s.seq() == a.sender.sndUna - 1)
                    .map(TcpTestNet.Sent::time).toList();
            assertThat(probeTimes.size()).isGreaterThan(3);
            long widestGap = 0;
            for (int i = 1; i < probeTimes.size(); i++) {
                widestGap = Math.max(widestGap, probeTimes.get(i) - probeTimes.get(i - 1));
            }
            assertThat(widestGap).isGreaterThan(3000 * MS); // persist back-off beyond the user timeout
            // the peer vanishes: the next probe goes unanswered
            net.filter = s -> TcpTestNet.Fate.DROP;
            int before = net.log.size();
            assertThat(net.runUntil(() -> p[0].closedWith >= 0, Duration.ofMinutes(2))).isTrue();
            assertThat(p[0].closedWith).isEqualTo(WsaError.WSAETIMEDOUT);
            long firstUnanswered = net.log.get(before).time();
            assertThat(net.now() - firstUnanswered).isEqualTo(1000 * MS);
            p[1].conn.abort();
            p[0].release();
            p[1].release();
        }
    }

    /** A long transfer over a lossy path makes progress all along: no false timeout. */
    @Test
    void progressingTransferNeverTimesOut() {
        TcpConfig cfg = TcpTestNet.testConfig().userTimeout(Duration.ofSeconds(3));
        try (TcpTestNet net = new TcpTestNet(cfg, TcpTestNet.testConfig())) {
            net.latencyNanos = 10 * MS;
            Peer[] p = connect(net);
            net.randomLoss(0.02, 42);
            p[0].send(4L << 20, 5);
            assertThat(net.runUntil(() -> p[1].received.size() == 4 << 20, Duration.ofMinutes(5))).isTrue();
            assertThat(p[1].receivedPattern(4L << 20, 5)).isTrue();
            assertThat(net.a.counters.tcpRetransmits).isPositive();
            assertThat(net.a.layer.extCounters().userTimeouts).isZero();
            net.filter = s -> TcpTestNet.Fate.DELIVER;
            TcpDataTransferTest.closeBoth(net, p);
        }
    }
}
