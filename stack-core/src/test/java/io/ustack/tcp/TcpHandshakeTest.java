package io.ustack.tcp;

import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.wire.DropReason;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.ustack.tcp.TcpTestNet.A_IP;
import static io.ustack.tcp.TcpTestNet.B_IP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Opening connections: RFC 9293 3.5, options (RFC 9293 3.7.1 MSS, RFC 7323 window scale), SYN loss, resets. */
class TcpHandshakeTest {
    private static final long MS = 1_000_000L;

    /** A listener on b:80 that accepts into Peers. */
    static final class Acceptor implements TcpListenHandler {
        final List<Peer> peers = new ArrayList<>();

        @Override
        public void onAcceptable(TcpListener l) {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                peers.add(new Peer().attach(c));
            }
        }
    }

    @Test
    void activeAndPassiveOpenWithMssAndWindowScale() {
        try (TcpTestNet net = new TcpTestNet()) {
            Acceptor acc = new Acceptor();
            TcpListener l = net.b.layer.listen(0, 80, 16, acc);
            Peer client = new Peer();
            TcpConnection c = net.a.layer.connect(0, 0, B_IP, 80, client, net.now());
            client.conn = c;
            assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
            assertThat(c.localAddress()).isEqualTo(A_IP);
            assertThat(c.localPort()).isBetween(49152, 65535);
            assertThat(net.runUntil(() -> client.connected && !acc.peers.isEmpty(), Duration.ofSeconds(1))).isTrue();
            TcpConnection s = acc.peers.get(0).conn;
            assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(s.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(s.remotePort()).isEqualTo(c.localPort());
            assertThat(s.localAddress()).isEqualTo(B_IP);
            // SYN, SYN-ACK, ACK
            List<TcpTestNet.Sent> log = net.log;
            assertThat(log).hasSize(3);
            TcpTestNet.Sent syn = log.get(0);
            TcpTestNet.Sent synAck = log.get(1);
            TcpTestNet.Sent ack = log.get(2);
            assertThat(syn.flags()).isEqualTo(TcpSegment.SYN);
            assertThat(syn.mss()).isEqualTo(1460); // MTU 1500 - 40
            assertThat(syn.wscale()).isEqualTo(TcpReceiver.scaleFor(256 * 1024)); // 3
            assertThat(syn.wscale()).isEqualTo(3);
            assertThat(syn.window()).isEqualTo(65535); // never scaled in a SYN
            assertThat(synAck.flags()).isEqualTo(TcpSegment.SYN | TcpSegment.ACK);
            assertThat(synAck.ack()).isEqualTo(syn.seq() + 1);
            assertThat(synAck.mss()).isEqualTo(1460);
            assertThat(synAck.wscale()).isEqualTo(3);
            assertThat(ack.flags()).isEqualTo(TcpSegment.ACK);
            assertThat(ack.seq()).isEqualTo(syn.seq() + 1);
            assertThat(ack.ack()).isEqualTo(synAck.seq() + 1);
            assertThat(ack.window()).isEqualTo(256 * 1024 >> 3); // scaled from now on
            assertThat(c.sender.smss).isEqualTo(1460 - 12); // RFC 7323 timestamps take 12 bytes of every segment
            assertThat(c.sender.sndWnd).isEqualTo(65535); // from the SYN-ACK, unscaled (RFC 7323 2.2)
            assertThat(s.sender.sndWnd).isEqualTo(256 * 1024);
            assertThat(l.pending()).isZero();
            assertThat(net.a.layer.connectionCount()).isEqualTo(1);
            assertThat(net.b.layer.connectionCount()).isEqualTo(1);
            c.abort();
            net.runUntilQuiet(Duration.ofSeconds(1));
            assertThat(acc.peers.get(0).closedWith).isEqualTo(WsaError.WSAECONNRESET);
            assertThat(net.b.layer.connectionCount()).isZero();
            l.close();
            client.release();
            acc.peers.forEach(Peer::release);
        }
    }

    @Test
    void openTheOtherWayAndSmallerMtu() {
        try (TcpTestNet net = new TcpTestNet()) {
            net.a.mtu = 1280;
            Acceptor acc = new Acceptor();
            net.a.layer.listen(A_IP, 443, 4, acc);
            Peer client = new Peer();
            TcpConnection c = net.b.layer.connect(B_IP, 40000, A_IP, 443, client, net.now());
            client.conn = c;
            assertThat(net.runUntil(() -> client.connected && !acc.peers.isEmpty(), Duration.ofSeconds(1))).isTrue();
            assertThat(c.localPort()).isEqualTo(40000);
            assertThat(net.log.get(1).mss()).isEqualTo(1240);
            assertThat(c.sender.smss).isEqualTo(1240 - 12); // min(peer 1240, ours 1460) less timestamps
            assertThat(acc.peers.get(0).conn.sender.smss).isEqualTo(1240 - 12);
            client.release();
            acc.peers.forEach(p -> p.conn.abort());
            acc.peers.forEach(Peer::release);
            net.runUntilQuiet(Duration.ofSeconds(1));
            assertThat(client.closedWith).isEqualTo(WsaError.WSAECONNRESET);
        }
    }

    /** A peer SYN without options: MSS 536 (RFC 9293 3.7.1), no window scaling either way (RFC 7323 2.2). */
    @Test
    void synWithoutOptionsMeans536AndNoScaling() {
        try (TcpTestNet net = new TcpTestNet()) {
            Acceptor acc = new Acceptor();
            net.b.layer.listen(0, 80, 4, acc);
            int iss = 1000;
            net.b.inject(5555, 80, iss, 0, TcpSegment.SYN, 8192, null, new byte[0]);
            TcpTestNet.Sent synAck = net.log.get(0);
            assertThat(synAck.flags()).isEqualTo(TcpSegment.SYN | TcpSegment.ACK);
            assertThat(synAck.ack()).isEqualTo(iss + 1);
            assertThat(synAck.wscale()).isEqualTo(-1);
            assertThat(synAck.mss()).isEqualTo(1460);
            net.b.inject(5555, 80, iss + 1, synAck.seq() + 1, TcpSegment.ACK, 8192, null, new byte[0]);
            assertThat(acc.peers).hasSize(1);
            TcpConnection s = acc.peers.get(0).conn;
            assertThat(s.sender.smss).isEqualTo(536);
            assertThat(s.sender.sndWnd).isEqualTo(8192); // not scaled
            acc.peers.get(0).send(2000, 1);
            List<TcpTestNet.Sent> data = net.sentBy('b').stream().filter(x -> x.length() > 0).toList();
            assertThat(data).isNotEmpty();
            assertThat(data).allSatisfy(x -> assertThat(x.length()).isLessThanOrEqualTo(536));
            // the receive window it offers is unscaled and at most 65535
            assertThat(data.get(0).window()).isEqualTo(65535);
            s.abort();
            acc.peers.forEach(Peer::release);
        }
    }

    @Test
    void lostSynIsRetransmittedAfterTheInitialRto() {
        // without timestamps: the SYN-ACK of a retransmitted SYN gives no RTT sample (with them it does, RFC 7323)
        try (TcpTestNet net = new TcpTestNet(TcpTestNet.testConfig().timestamps(false),
                TcpTestNet.testConfig().timestamps(false))) {
            Acceptor acc = new Acceptor();
            net.b.layer.listen(0, 80, 4, acc);
            net.filter = s -> s.isSyn() && !s.has(TcpSegment.ACK) && s.time() == net.clock.nanos()
                    && net.log.stream().noneMatch(TcpTestNet.Sent::isSyn) ? TcpTestNet.Fate.DROP
                    : TcpTestNet.Fate.DELIVER;
            long t0 = net.now();
            Peer client = new Peer();
            TcpConnection c = net.a.layer.connect(0, 0, B_IP, 80, client, t0);
            client.conn = c;
            assertThat(net.runUntil(() -> client.connected, Duration.ofSeconds(5))).isTrue();
            List<TcpTestNet.Sent> syns = net.sentBy('a').stream().filter(TcpTestNet.Sent::isSyn).toList();
            assertThat(syns).hasSize(2);
            assertThat(syns.get(0).dropped()).isTrue();
            assertThat(syns.get(1).time() - t0).isEqualTo(1000 * MS); // RFC 6298 2.1
            assertThat(syns.get(1).seq()).isEqualTo(syns.get(0).seq());
            // RFC 6298 5.7: no RTT sample (Karn) and the SYN was lost: RTO 3 s for the data phase
            assertThat(c.sender.rtt.rto()).isEqualTo(3000 * MS);
            assertThat(net.a.counters.tcpRetransmits).isEqualTo(1);
            c.abort();
            client.release();
            acc.peers.forEach(Peer::release);
        }
    }

    @Test
    void lostSynAckIsRecovered() {
        try (TcpTestNet net = new TcpTestNet()) {
            Acceptor acc = new Acceptor();
            net.b.layer.listen(0, 80, 4, acc);
            boolean[] dropped = {false};
            net.filter = s -> {
                if (s.isSyn() && s.has(TcpSegment.ACK) && !dropped[0]) {
                    dropped[0] = true;
                    return TcpTestNet.Fate.DROP;
                }
                return TcpTestNet.Fate.DELIVER;
            };
            Peer client = new Peer();
            long t0 = net.now();
            TcpConnection c = net.a.layer.connect(0, 0, B_IP, 80, client, net.now());
            client.conn = c;
            assertThat(net.runUntil(() -> client.connected && !acc.peers.isEmpty(), Duration.ofSeconds(5))).isTrue();
            // b's SYN-ACK timer and a's SYN retransmission (answered at once) both repair it after ~1 s
            assertThat(net.now() - t0).isBetween(1000 * MS, 1010 * MS);
            assertThat(net.log.stream().filter(s -> s.isSyn() && s.has(TcpSegment.ACK)).count()).isBetween(2L, 3L);
            client.release();
            c.abort();
            net.runUntilQuiet(Duration.ofSeconds(1));
            acc.peers.forEach(Peer::release);
        }
    }

    @Test
    void lostThirdAckIsRecoveredByDataOrSynAckRetransmission() {
        // 1) the client sends data right away: its first data segment carries the ACK
        try (TcpTestNet net = new TcpTestNet()) {
            Acceptor acc = new Acceptor();
            net.b.layer.listen(0, 80, 4, acc);
            boolean[] dropped = {false};
            net.filter = s -> {
                if (s.from() == 'a' && s.isPureAck() && !dropped[0]) {
                    dropped[0] = true;
                    return TcpTestNet.Fate.DROP;
                }
                return TcpTestNet.Fate.DELIVER;
            };
            Peer client = new Peer();
            TcpConnection c = net.a.layer.connect(0, 0, B_IP, 80, client, net.now());
            client.attach(c).send(5000, 3);
            assertThat(net.runUntil(() -> !acc.peers.isEmpty() && acc.peers.get(0).received.size() == 5000,
                    Duration.ofSeconds(2))).isTrue();
            assertThat(acc.peers.get(0).receivedPattern(5000, 3)).isTrue();
            assertThat(net.a.counters.tcpRetransmits + net.b.counters.tcpRetransmits).isZero();
            c.abort();
            net.runUntilQuiet(Duration.ofSeconds(1));
            client.release();
            acc.peers.forEach(Peer::release);
        }
        // 2) nobody sends: b retransmits the SYN-ACK, a answers it with an ACK
        try (TcpTestNet net = new TcpTestNet()) {
            Acceptor acc = new Acceptor();
            net.b.layer.listen(0, 80, 4, acc);
            boolean[] dropped = {false};
            net.filter = s -> {
                if (s.from() == 'a' && s.isPureAck() && !dropped[0]) {
                    dropped[0] = true;
                    return TcpTestNet.Fate.DROP;
                }
                return TcpTestNet.Fate.DELIVER;
            };
            Peer client = new Peer();
            TcpConnection c = net.a.layer.connect(0, 0, B_IP, 80, client, net.now());
            client.conn = c;
            long t0 = net.now();
            assertThat(net.runUntil(() -> !acc.peers.isEmpty(), Duration.ofSeconds(3))).isTrue();
            assertThat(net.now() - t0).isBetween(1000 * MS, 1100 * MS);
            c.abort();
            net.runUntilQuiet(Duration.ofSeconds(1));
            client.release();
            acc.peers.forEach(Peer::release);
        }
    }

    /** RFC 9293 3.10.7.1: the RST for a SYN to a closed port; connect fails with WSAECONNREFUSED. */
    @Test
    void closedPortRefuses() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer client = new Peer();
            TcpConnection c = net.a.layer.connect(0, 0, B_IP, 81, client, net.now());
            client.conn = c;
            net.runUntilQuiet(Duration.ofSeconds(1));
            assertThat(client.closedWith).isEqualTo(WsaError.WSAECONNREFUSED);
            assertThat(c.state()).isEqualTo(TcpState.CLOSED);
            assertThat(c.error()).isEqualTo(WsaError.WSAECONNREFUSED);
            TcpTestNet.Sent syn = net.log.get(0);
            TcpTestNet.Sent rst = net.log.get(1);
            assertThat(rst.flags()).isEqualTo(TcpSegment.RST | TcpSegment.ACK);
            assertThat(rst.seq()).isZero();
            assertThat(rst.ack()).isEqualTo(syn.seq() + 1);
            assertThat(net.b.counters.drops(DropReason.NO_SOCKET)).isEqualTo(1);
            assertThat(net.b.counters.tcpResetsSent).isEqualTo(1);
            assertThat(net.a.layer.connectionCount()).isZero();
            assertThatThrownBy(() -> c.write(io.netty.buffer.Unpooled.wrappedBuffer(new byte[1]), 1))
                    .isInstanceOf(WsaException.class);
            client.release();
        }
    }

    /** RFC 9293 3.10.7.1: a segment with ACK to a closed port gets <SEQ=SEG.ACK><CTL=RST>; a RST gets nothing. */
    @Test
    void resetForAckToClosedPortAndNoneForReset() {
        try (TcpTestNet net = new TcpTestNet()) {
            net.b.inject(1234, 99, 777, 0xFFFFFFF0, TcpSegment.ACK | TcpSegment.PSH, 100, null, new byte[10]);
            assertThat(net.log).hasSize(1);
            TcpTestNet.Sent rst = net.log.get(0);
            assertThat(rst.flags()).isEqualTo(TcpSegment.RST);
            assertThat(rst.seq()).isEqualTo(0xFFFFFFF0);
            net.b.inject(1234, 99, 777, 0, TcpSegment.RST, 0, null, new byte[0]);
            net.b.inject(1234, 99, 777, 5, TcpSegment.RST | TcpSegment.ACK, 0, null, new byte[0]);
            assertThat(net.log).hasSize(1);
            // FIN without ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SEG.LEN counting data and FIN
            net.b.inject(1234, 99, 777, 0, TcpSegment.FIN, 0, null, new byte[3]);
            assertThat(net.log.get(1).ack()).isEqualTo(777 + 4);
            assertThat(net.b.counters.drops(DropReason.NO_SOCKET)).isEqualTo(4);
            net.runUntilQuiet(Duration.ofSeconds(1));
        }
    }

    /** Connect with nobody answering: SYN retransmitted at 1, 3, 7 s, then WSAETIMEDOUT at 15 s (3 retries). */
    @Test
    void synRetriesThenTimeout() {
        try (TcpTestNet net = new TcpTestNet(new TcpConfig().synRetries(3), new TcpConfig())) {
            net.filter = s -> TcpTestNet.Fate.DROP;
            long t0 = net.now();
            Peer client = new Peer();
            TcpConnection c = net.a.layer.connect(0, 0, B_IP, 80, client, t0);
            client.conn = c;
            net.runUntilQuiet(Duration.ofSeconds(60));
            assertThat(client.closedWith).isEqualTo(WsaError.WSAETIMEDOUT);
            List<Long> times = net.log.stream().map(s -> (s.time() - t0) / MS).toList();
            assertThat(times).containsExactly(0L, 1000L, 3000L, 7000L);
            assertThat(net.now() - t0).isEqualTo(15_000 * MS);
            assertThat(net.a.layer.connectionCount()).isZero();
            client.release();
        }
    }

    /** RFC 9293 3.5 Figure 7: both sides send a SYN at once. */
    @Test
    void simultaneousOpen() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer pa = new Peer();
            Peer pb = new Peer();
            TcpConnection ca = net.a.layer.connect(A_IP, 5000, B_IP, 6000, pa, net.now());
            TcpConnection cb = net.b.layer.connect(B_IP, 6000, A_IP, 5000, pb, net.now());
            pa.attach(ca);
            pb.attach(cb);
            assertThat(net.runUntil(() -> pa.connected && pb.connected, Duration.ofSeconds(1))).isTrue();
            // SYN, SYN-ACK, ACK from each side
            assertThat(net.sentBy('a')).extracting(TcpTestNet.Sent::flags).containsExactly(TcpSegment.SYN,
                    TcpSegment.SYN | TcpSegment.ACK, TcpSegment.ACK);
            assertThat(ca.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(cb.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(net.a.counters.tcpRetransmits + net.b.counters.tcpRetransmits).isZero();
            pa.send(100_000, 5);
            pb.send(100_000, 6);
            assertThat(net.runUntil(() -> pa.received.size() == 100_000 && pb.received.size() == 100_000,
                    Duration.ofSeconds(5))).isTrue();
            assertThat(pa.receivedPattern(100_000, 6)).isTrue();
            assertThat(pb.receivedPattern(100_000, 5)).isTrue();
            ca.close();
            cb.close();
            assertThat(net.runUntilQuiet(Duration.ofSeconds(10))).isTrue();
            assertThat(pa.closedWith).isZero();
            assertThat(pb.closedWith).isZero();
            pa.release();
            pb.release();
        }
    }

    @Test
    void addressInUse() {
        try (TcpTestNet net = new TcpTestNet()) {
            TcpListener l = net.b.layer.listen(0, 80, 4, x -> { });
            assertThatThrownBy(() -> net.b.layer.listen(B_IP, 80, 4, x -> { }))
                    .isInstanceOfSatisfying(WsaException.class,
                            e -> assertThat(e.error()).isEqualTo(WsaError.WSAEADDRINUSE));
            TcpListener l2 = net.b.layer.listen(B_IP, 81, 4, x -> { });
            assertThatThrownBy(() -> net.b.layer.listen(0, 81, 4, x -> { })).isInstanceOf(WsaException.class);
            TcpListener any = net.b.layer.listen(0, 0, 4, x -> { });
            assertThat(any.localPort()).isBetween(49152, 65535);
            Peer p = new Peer();
            TcpConnection c = net.a.layer.connect(A_IP, 1000, B_IP, 80, p, net.now());
            assertThatThrownBy(() -> net.a.layer.connect(A_IP, 1000, B_IP, 80, p, net.now()))
                    .isInstanceOfSatisfying(WsaException.class,
                            e -> assertThat(e.error()).isEqualTo(WsaError.WSAEADDRINUSE));
            assertThatThrownBy(() -> net.a.layer.connect(0, 0, 0x0B000001, 80, p, net.now()))
                    .isInstanceOfSatisfying(WsaException.class,
                            e -> assertThat(e.error()).isEqualTo(WsaError.WSAENETUNREACH));
            c.abort();
            l.close();
            l2.close();
            any.close();
            assertThat(net.b.layer.listenerCount()).isZero();
            p.release();
        }
    }

    @Test
    void backlogLimitsHalfOpenAndQueuedConnections() {
        try (TcpTestNet net = new TcpTestNet()) {
            // never accepts; without SYN cookies (TcpSynCookieTest has the cookie side of a full backlog)
            TcpListener l = net.b.layer.listen(0, 80, 2, x -> { },
                    TcpTestNet.testConfig().synCookies(false).allocator(net.alloc));
            List<Peer> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Peer p = new Peer();
                p.conn = net.a.layer.connect(0, 0, B_IP, 80, p, net.now());
                clients.add(p);
            }
            net.run(Duration.ofMillis(100));
            assertThat(l.pending()).isEqualTo(2);
            assertThat(net.b.counters.drops(DropReason.TCP_BACKLOG_FULL)).isEqualTo(1);
            assertThat(clients.get(2).conn.state()).isEqualTo(TcpState.SYN_SENT);
            // closing the listener resets the queued connections
            l.close();
            net.run(Duration.ofMillis(100));
            assertThat(clients.get(0).closedWith).isEqualTo(WsaError.WSAECONNRESET);
            assertThat(clients.get(1).closedWith).isEqualTo(WsaError.WSAECONNRESET);
            // the third one's SYN retransmission now meets a closed port
            net.runUntil(() -> clients.get(2).closedWith >= 0, Duration.ofSeconds(5));
            assertThat(clients.get(2).closedWith).isEqualTo(WsaError.WSAECONNREFUSED);
            assertThat(net.b.layer.connectionCount()).isZero();
            clients.forEach(Peer::release);
        }
    }

    /** Socket options per connection and inherited from the listener: buffer sizes decide window and scale. */
    @Test
    void perSocketOptions() {
        try (TcpTestNet net = new TcpTestNet()) {
            Acceptor acc = new Acceptor();
            net.b.layer.listen(0, 80, 4, acc, TcpTestNet.testConfig().receiveBufferSize(1 << 20).mss(1000)
                    .allocator(net.alloc));
            Peer client = new Peer();
            TcpConnection c = net.a.layer.connect(0, 0, B_IP, 80, client, net.now(),
                    TcpTestNet.testConfig().receiveBufferSize(32 * 1024).sendBufferSize(4096).allocator(net.alloc));
            client.conn = c;
            assertThat(net.runUntil(() -> client.connected && !acc.peers.isEmpty(), Duration.ofSeconds(1))).isTrue();
            TcpTestNet.Sent syn = net.log.get(0);
            TcpTestNet.Sent synAck = net.log.get(1);
            assertThat(syn.window()).isEqualTo(32 * 1024);
            assertThat(syn.wscale()).isZero(); // 32 KiB fits in 16 bits
            assertThat(synAck.wscale()).isEqualTo(5); // 1 MiB needs a shift of 5
            assertThat(synAck.mss()).isEqualTo(1000);
            assertThat(c.sender.smss).isEqualTo(1000 - 12);
            assertThat(c.sendSpace()).isEqualTo(4096);
            net.b.layer.shutdown();
            net.runUntilQuiet(Duration.ofSeconds(1));
            assertThat(client.closedWith).isEqualTo(WsaError.WSAECONNRESET);
            client.release();
            acc.peers.forEach(Peer::release);
        }
    }
}
