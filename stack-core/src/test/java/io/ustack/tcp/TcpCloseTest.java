package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.wire.DropReason;
import io.ustack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.ustack.tcp.TcpDataTransferTest.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Closing: FIN in both orders, simultaneous close, TIME-WAIT, resets (RFC 9293 3.6, 3.10.4, 3.10.5, RFC 5961). */
class TcpCloseTest {
    private static final long MS = 1_000_000L;

    @Test
    void activeCloseGoesThroughTimeWait() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            TcpConnection a = p[0].conn;
            TcpConnection b = p[1].conn;
            p[0].send(10_000, 1).shutdownWhenSent();
            assertThat(a.state()).isEqualTo(TcpState.FIN_WAIT_1);
            assertThat(net.runUntil(() -> p[1].eof, Duration.ofSeconds(5))).isTrue();
            assertThat(p[1].receivedPattern(10_000, 1)).isTrue();
            assertThat(b.state()).isEqualTo(TcpState.CLOSE_WAIT);
            assertThat(b.isInputShutdown()).isTrue();
            net.run(Duration.ofMillis(100));
            assertThat(a.state()).isEqualTo(TcpState.FIN_WAIT_2);
            // b answers with data, then closes
            p[1].send(5000, 2).closeWhenSent();
            assertThat(b.state()).isEqualTo(TcpState.LAST_ACK);
            long t0 = net.now();
            assertThat(net.runUntil(() -> b.state() == TcpState.CLOSED, Duration.ofSeconds(5))).isTrue();
            assertThat(a.state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(p[1].closedWith).isZero();
            assertThat(p[0].closedWith).isZero(); // reported when TIME-WAIT begins
            assertThat(p[0].receivedPattern(5000, 2)).isTrue(); // a half-closed, so it still read b's answer
            assertThat(net.a.layer.connectionCount()).isEqualTo(1);
            assertThat(net.b.layer.connectionCount()).isZero();
            a.close(); // nothing changes for the protocol: TIME-WAIT goes on
            assertThat(a.state()).isEqualTo(TcpState.TIME_WAIT);
            // TIME-WAIT lasts 2 * MSL = 2 s in the test configuration
            assertThat(net.runUntil(() -> a.state() == TcpState.CLOSED, Duration.ofSeconds(10))).isTrue();
            assertThat(net.now() - t0).isBetween(2000 * MS, 2010 * MS);
            assertThat(net.a.layer.connectionCount()).isZero();
            p[0].release();
            p[1].release();
        }
    }

    @Test
    void halfCloseKeepsTheOtherDirectionOpen() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            TcpConnection a = p[0].conn;
            TcpConnection b = p[1].conn;
            a.shutdownOutput();
            assertThatThrownBy(() -> a.write(Unpooled.wrappedBuffer(new byte[1]), 1))
                    .isInstanceOfSatisfying(WsaException.class,
                            e -> assertThat(e.error()).isEqualTo(WsaError.WSAESHUTDOWN));
            assertThat(net.runUntil(() -> p[1].eof, Duration.ofSeconds(5))).isTrue();
            assertThat(b.state()).isEqualTo(TcpState.CLOSE_WAIT);
            // b keeps sending for a while; a (FIN-WAIT-2, not closed) reads it all
            p[1].send(200_000, 3).shutdownWhenSent();
            assertThat(net.runUntil(() -> p[0].eof, Duration.ofSeconds(10))).isTrue();
            assertThat(p[0].receivedPattern(200_000, 3)).isTrue();
            assertThat(net.runUntil(() -> b.state() == TcpState.CLOSED, Duration.ofSeconds(5))).isTrue();
            assertThat(a.state()).isEqualTo(TcpState.TIME_WAIT);
            a.close();
            b.close();
            assertThat(net.runUntilQuiet(Duration.ofSeconds(10))).isTrue();
            assertThat(p[0].closedWith).isZero();
            assertThat(p[1].closedWith).isZero();
            p[0].release();
            p[1].release();
        }
    }

    /** RFC 9293 3.6 Figure 13: both FINs cross; both go through CLOSING to TIME-WAIT. */
    @Test
    void simultaneousClose() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            TcpConnection a = p[0].conn;
            TcpConnection b = p[1].conn;
            a.close();
            b.close();
            assertThat(a.state()).isEqualTo(TcpState.FIN_WAIT_1);
            assertThat(b.state()).isEqualTo(TcpState.FIN_WAIT_1);
            net.run(Duration.ofMillis(1)); // the FINs arrive
            assertThat(a.state()).isEqualTo(TcpState.CLOSING);
            assertThat(b.state()).isEqualTo(TcpState.CLOSING);
            net.run(Duration.ofMillis(1)); // the ACKs of the FINs arrive
            assertThat(a.state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(b.state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(net.runUntilQuiet(Duration.ofSeconds(5))).isTrue();
            assertThat(a.state()).isEqualTo(TcpState.CLOSED);
            assertThat(b.state()).isEqualTo(TcpState.CLOSED);
            assertThat(p[0].closedWith).isZero();
            assertThat(p[1].closedWith).isZero();
            p[0].release();
            p[1].release();
        }
    }

    /** The peer closes first; we are the passive closer (CLOSE-WAIT, LAST-ACK) with no TIME-WAIT. */
    @Test
    void passiveClose() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            p[1].conn.close();
            assertThat(net.runUntil(() -> p[0].eof, Duration.ofSeconds(5))).isTrue();
            assertThat(p[0].conn.state()).isEqualTo(TcpState.CLOSE_WAIT);
            p[0].conn.close();
            assertThat(p[0].conn.state()).isEqualTo(TcpState.LAST_ACK);
            assertThat(net.runUntil(() -> p[0].conn.state() == TcpState.CLOSED, Duration.ofSeconds(5))).isTrue();
            assertThat(p[1].conn.state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(net.runUntilQuiet(Duration.ofSeconds(5))).isTrue();
            p[0].release();
            p[1].release();
        }
    }

    @Test
    void lostFinsAreRetransmitted() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            int[] finsDropped = {0};
            boolean[] droppedFrom = new boolean[2];
            net.filter = s -> {
                int side = s.from() - 'a';
                if (s.has(TcpSegment.FIN) && !droppedFrom[side]) {
                    droppedFrom[side] = true;
                    finsDropped[0]++;
                    return TcpTestNet.Fate.DROP;
                }
                return TcpTestNet.Fate.DELIVER;
            };
            p[0].send(3000, 1).closeWhenSent(); // the FIN rides on the last data segment: dropped
            assertThat(net.runUntil(() -> p[1].eof, Duration.ofSeconds(5))).isTrue();
            assertThat(p[1].receivedPattern(3000, 1)).isTrue();
            p[1].conn.close(); // b's FIN: dropped once
            assertThat(net.runUntilQuiet(Duration.ofSeconds(20))).isTrue();
            assertThat(finsDropped[0]).isEqualTo(2);
            assertThat(p[0].closedWith).isZero();
            assertThat(p[1].closedWith).isZero();
            assertThat(net.a.counters.tcpRetransmits).isGreaterThanOrEqualTo(1);
            assertThat(net.b.counters.tcpRetransmits).isEqualTo(1);
            p[0].release();
            p[1].release();
        }
    }

    /** The last ACK (of b's FIN) is lost: b retransmits its FIN; a in TIME-WAIT acknowledges it again. */
    @Test
    void lostLastAckIsRepairedFromTimeWait() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            p[0].conn.close();
            net.run(Duration.ofMillis(10));
            boolean[] dropped = {false};
            net.filter = s -> {
                if (s.from() == 'a' && s.isPureAck() && !dropped[0]) {
                    dropped[0] = true;
                    return TcpTestNet.Fate.DROP;
                }
                return TcpTestNet.Fate.DELIVER;
            };
            p[1].conn.close();
            assertThat(net.runUntil(() -> p[1].conn.state() == TcpState.CLOSED, Duration.ofSeconds(5))).isTrue();
            assertThat(dropped[0]).isTrue();
            assertThat(p[1].closedWith).isZero();
            assertThat(p[0].conn.state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(net.runUntilQuiet(Duration.ofSeconds(5))).isTrue();
            p[0].release();
            p[1].release();
        }
    }

    /** RFC 1122 4.2.2.13: close() with unread data sends a reset; the peer sees WSAECONNRESET. */
    @Test
    void closeWithUnreadDataResets() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            p[1].readPaused = true;
            p[0].send(1000, 1);
            net.run(Duration.ofMillis(100));
            assertThat(p[1].conn.available()).isEqualTo(1000);
            p[1].conn.close();
            assertThat(p[1].conn.state()).isEqualTo(TcpState.CLOSED);
            TcpTestNet.Sent rst = net.log.get(net.log.size() - 1);
            assertThat(rst.flags()).isEqualTo(TcpSegment.RST);
            assertThat(net.runUntilQuiet(Duration.ofSeconds(5))).isTrue();
            assertThat(p[0].closedWith).isEqualTo(WsaError.WSAECONNRESET);
            assertThat(p[0].conn.error()).isEqualTo(WsaError.WSAECONNRESET);
            assertThat(p[1].closedWith).isEqualTo(WsaError.WSAECONNABORTED);
            assertThat(net.a.layer.connectionCount() + net.b.layer.connectionCount()).isZero();
            p[0].release();
            p[1].release();
        }
    }

    /** Data arriving after close() cannot be delivered: reset (RFC 1122 4.2.2.13). */
    @Test
    void dataAfterCloseResets() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            p[0].conn.close();
            net.run(Duration.ofMillis(10));
            assertThat(p[0].conn.state()).isEqualTo(TcpState.FIN_WAIT_2);
            p[1].send(100, 1);
            assertThat(net.runUntilQuiet(Duration.ofSeconds(5))).isTrue();
            assertThat(p[0].conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(p[1].closedWith).isEqualTo(WsaError.WSAECONNRESET);
            p[0].release();
            p[1].release();
        }
    }

    @Test
    void abortSendsResetAtOnce() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            p[0].send(100_000, 1); // lots in flight
            net.run(Duration.ofMillis(2));
            p[0].conn.abort();
            assertThat(p[0].closedWith).isEqualTo(WsaError.WSAECONNABORTED);
            assertThat(p[0].conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(net.runUntilQuiet(Duration.ofSeconds(5))).isTrue();
            assertThat(p[1].closedWith).isEqualTo(WsaError.WSAECONNRESET);
            assertThat(net.a.layer.connectionCount() + net.b.layer.connectionCount()).isZero();
            p[0].release();
            p[1].release();
        }
    }

    /**
     * RFC 5961 3.2 / RFC 9293 3.10.7.4: a RST inside the window but not at RCV.NXT draws a challenge ACK and leaves
     * the connection alone; one outside the window is dropped silently; one exactly at RCV.NXT resets.
     */
    @Test
    void resetAcceptanceAndChallengeAck() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            TcpConnection b = p[1].conn;
            int rcvNxt = b.receiver.rcvNxt;
            int before = net.log.size();
            net.b.inject(p[0].conn.localPort(), 80, rcvNxt + 100, 0, TcpSegment.RST, 0, null, new byte[0]);
            assertThat(b.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(net.log).hasSize(before + 1);
            TcpTestNet.Sent challenge = net.log.get(before);
            assertThat(challenge.flags()).isEqualTo(TcpSegment.ACK);
            assertThat(challenge.ack()).isEqualTo(rcvNxt);
            net.b.inject(p[0].conn.localPort(), 80, rcvNxt + 10_000_000, 0, TcpSegment.RST, 0, null, new byte[0]);
            assertThat(b.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(net.log).hasSize(before + 1); // no answer to a RST outside the window
            assertThat(net.b.counters.drops(DropReason.TCP_UNACCEPTABLE)).isEqualTo(2);
            // a SYN on an established connection: challenge ACK too (RFC 5961 4.2)
            net.b.inject(p[0].conn.localPort(), 80, rcvNxt, 0, TcpSegment.SYN, 1000, null, new byte[0]);
            assertThat(b.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(net.log.get(net.log.size() - 1).isPureAck()).isTrue();
            net.b.inject(p[0].conn.localPort(), 80, rcvNxt, 0, TcpSegment.RST, 0, null, new byte[0]);
            assertThat(b.state()).isEqualTo(TcpState.CLOSED);
            assertThat(p[1].closedWith).isEqualTo(WsaError.WSAECONNRESET);
            p[0].conn.abort();
            net.runUntilQuiet(Duration.ofSeconds(1));
            p[0].release();
            p[1].release();
        }
    }

    /** The peer disappears: R2 retransmissions with back-off, then WSAETIMEDOUT (RFC 1122 4.2.3.5). */
    @Test
    void peerVanishesTimesOut() {
        TcpConfig cfg = TcpTestNet.testConfig().maxRetries(4);
        try (TcpTestNet net = new TcpTestNet(cfg, TcpTestNet.testConfig())) {
            Peer[] p = connect(net);
            net.filter = s -> TcpTestNet.Fate.DROP;
            long t0 = net.now();
            p[0].send(1000, 1);
            assertThat(net.runUntil(() -> p[0].closedWith >= 0, Duration.ofSeconds(60))).isTrue();
            assertThat(p[0].closedWith).isEqualTo(WsaError.WSAETIMEDOUT);
            assertThat(p[0].conn.error()).isEqualTo(WsaError.WSAETIMEDOUT);
            List<Long> sends = net.sentBy('a').stream().filter(s -> s.time() >= t0).map(s -> (s.time() - t0) / MS)
                    .toList();
            // RTO 200 ms (SRTT 2 ms), doubling: 0, 200, 600, 1400, 3000; gives up at 6200
            assertThat(sends).containsExactly(0L, 200L, 600L, 1400L, 3000L);
            assertThat(net.now() - t0).isEqualTo(6200 * MS);
            assertThat(net.a.layer.connectionCount()).isZero();
            assertThatThrownBy(() -> p[0].conn.write(Unpooled.wrappedBuffer(new byte[1]), 1))
                    .isInstanceOfSatisfying(WsaException.class,
                            e -> assertThat(e.error()).isEqualTo(WsaError.WSAETIMEDOUT));
            p[1].conn.abort();
            p[0].release();
            p[1].release();
        }
    }

    @Test
    void userTimeoutGivesUpEarlier() {
        TcpConfig cfg = TcpTestNet.testConfig().userTimeout(Duration.ofSeconds(1));
        try (TcpTestNet net = new TcpTestNet(cfg, TcpTestNet.testConfig())) {
            Peer[] p = connect(net);
            net.filter = s -> TcpTestNet.Fate.DROP;
            long t0 = net.now();
            p[0].send(1000, 1);
            assertThat(net.runUntil(() -> p[0].closedWith >= 0, Duration.ofSeconds(60))).isTrue();
            assertThat(p[0].closedWith).isEqualTo(WsaError.WSAETIMEDOUT);
            assertThat(net.now() - t0).isEqualTo(1000 * MS); // 1 s after the data was first sent (RFC 5482)
            p[1].conn.abort();
            p[0].release();
            p[1].release();
        }
    }

    @Test
    void finWait2TimesOutAfterClose() {
        TcpConfig cfg = TcpTestNet.testConfig().finWait2Timeout(Duration.ofSeconds(3));
        try (TcpTestNet net = new TcpTestNet(cfg, TcpTestNet.testConfig())) {
            Peer[] p = connect(net);
            p[0].conn.close();
            net.run(Duration.ofMillis(10));
            assertThat(p[0].conn.state()).isEqualTo(TcpState.FIN_WAIT_2);
            long t0 = net.now();
            assertThat(net.runUntil(() -> p[0].conn.state() == TcpState.CLOSED, Duration.ofSeconds(10))).isTrue();
            assertThat(net.now() - t0).isBetween(2900 * MS, 3000 * MS);
            // it told the peer with a reset
            assertThat(net.runUntilQuiet(Duration.ofSeconds(1))).isTrue();
            assertThat(p[1].closedWith).isEqualTo(WsaError.WSAECONNRESET);
            p[0].release();
            p[1].release();
        }
    }

    @Test
    void readAfterOrderlyEndStillDeliversBufferedBytes() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            p[0].readPaused = true;
            p[1].send(5000, 4).closeWhenSent();
            p[0].conn.shutdownOutput();
            assertThat(net.runUntil(() -> p[0].conn.state() == TcpState.TIME_WAIT, Duration.ofSeconds(5))).isTrue();
            assertThat(p[0].closedWith).isZero();
            assertThat(p[0].conn.available()).isEqualTo(5000);
            assertThat(p[0].conn.isInputShutdown()).isFalse();
            ByteBuf dst = Unpooled.buffer();
            assertThat(p[0].conn.read(dst, 10_000)).isEqualTo(5000);
            assertThat(p[0].conn.isInputShutdown()).isTrue();
            for (int i = 0; i < 5000; i++) {
                assertThat(dst.getByte(i)).isEqualTo(Peer.pattern(4, i));
            }
            dst.release();
            assertThat(net.runUntilQuiet(Duration.ofSeconds(5))).isTrue();
            p[0].release();
            p[1].release();
        }
    }

    @Test
    void closingAConnectingSocketJustForgetsIt() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer p = new Peer();
            TcpConnection c = net.a.layer.connect(0, 0, TcpTestNet.B_IP, 80, p, net.now());
            c.close();
            assertThat(c.state()).isEqualTo(TcpState.CLOSED);
            assertThat(net.a.layer.connectionCount()).isZero();
            assertThat(net.runUntilQuiet(Duration.ofSeconds(5))).isTrue();
            p.release();
        }
    }

    @Test
    void layerShutdownReleasesEverything() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] busy = connect(net);
            Peer[] timeWait = connect(net);
            busy[1].readPaused = true;
            busy[0].send(1_000_000, 1);
            timeWait[0].conn.close();
            timeWait[1].conn.close();
            TcpListener idle = net.b.layer.listen(0, 8080, 4, l -> { }); // never accepts
            Peer queued = new Peer();
            queued.attach(net.a.layer.connect(0, 0, TcpTestNet.B_IP, 8080, queued, net.now()));
            net.run(Duration.ofMillis(50));
            assertThat(timeWait[0].conn.state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(idle.pending()).isEqualTo(1);
            assertThat(net.a.layer.connectionCount()).isEqualTo(3);
            assertThat(net.b.layer.connectionCount()).isEqualTo(3);
            net.b.layer.shutdown();
            net.a.layer.shutdown();
            assertThat(net.a.layer.connectionCount() + net.b.layer.connectionCount()).isZero();
            assertThat(net.b.layer.listenerCount()).isZero();
            assertThat(busy[0].closedWith).isEqualTo(WsaError.WSAECONNABORTED);
            assertThat(timeWait[0].closedWith).isZero(); // reported when TIME-WAIT began
            net.runUntilQuiet(Duration.ofSeconds(1));
            busy[0].release();
            busy[1].release();
            timeWait[0].release();
            timeWait[1].release();
            queued.release();
        }
    }
}
