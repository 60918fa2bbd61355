package io.ustack.tcp;

import io.ustack.wire.DropReason;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.ustack.tcp.TcpTestNet.B_IP;
import static org.assertj.core.api.Assertions.assertThat;

/** A bounded SYN backlog with SYN cookies when it is full (RFC 4987 3.1 / 3.6). */
class TcpSynCookieTest {
    private static final byte[] NONE = new byte[0];
    private static final int SPOOFED_NET = 0x0B000000; // 11.0.0.0/8: nobody on the test wire

    /** {@code n} SYNs from random spoofed addresses to b:80 (their SYN-ACKs go nowhere). */
    private static void synFlood(TcpTestNet net, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        TcpOptions mss = new TcpOptions().mss(1460);
        for (int i = 0; i < n; i++) {
            net.b.injectFrom(SPOOFED_NET | rnd.nextInt(1 << 24), 1024 + rnd.nextInt(60_000), 80, rnd.nextInt(), 0,
                    TcpSegment.SYN, 65535, mss, NONE);
        }
    }

    /** The sequence number (cookie) of b's SYN-ACK answering a SYN with sequence number {@code synSeq}. */
    private static int synAckSeq(TcpTestNet net, int synSeq) {
        return net.sentBy('b').stream().filter(s -> s.isSyn() && s.ack() == synSeq + 1).reduce((x, y) -> y)
                .orElseThrow().seq();
    }

    @Test
    void synFloodStillLetsRealClientsConnect() {
        try (TcpTestNet net = new TcpTestNet()) {
            TcpHandshakeTest.Acceptor acc = new TcpHandshakeTest.Acceptor();
            TcpListener l = net.b.layer.listen(0, 80, 512, acc,
                    TcpTestNet.testConfig().synBacklog(64).allocator(net.alloc));
            TcpExtCounters ext = net.b.layer.extCounters();
            synFlood(net, 5000, 1);
            assertThat(l.halfOpen()).isEqualTo(64);
            assertThat(net.b.layer.connectionCount()).isEqualTo(64);
            assertThat(ext.synBacklogOverflows).isEqualTo(5000 - 64);
            assertThat(ext.synCookiesSent).isEqualTo(5000 - 64);
            // 100 real clients while the flood's half-open connections still fill the backlog
            List<Peer> clients = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Peer p = new Peer();
                p.attach(net.a.layer.connect(0, 0, B_IP, 80, p, net.now()));
                clients.add(p);
            }
            assertThat(net.runUntil(() -> acc.peers.size() == 100 && clients.stream().allMatch(p -> p.connected),
                    Duration.ofSeconds(5))).isTrue();
            assertThat(l.halfOpen()).isEqualTo(64);
            assertThat(ext.synCookiesValid).isEqualTo(100);
            assertThat(ext.synCookiesInvalid).isZero();
            // timestamps were on, so window scale and SACK came through the cookie; MSS 1460 is in the table
            TcpConnection s0 = acc.peers.getFirst().conn;
            assertThat(s0.sender.sndWscale).isEqualTo(clients.getFirst().conn.receiver.rcvWscale).isPositive();
            assertThat(s0.receiver.rcvWscale).isEqualTo(clients.getFirst().conn.sender.sndWscale);
            assertThat(s0.receiver.sack.enabled).isTrue();
            assertThat(s0.timestamps.enabled).isTrue();
            assertThat(s0.sender.smss).isEqualTo(1460 - 12);
            // every connection carries data both ways
            for (int i = 0; i < 100; i++) {
                clients.get(i).send(3000, i);
                acc.peers.get(i).send(2000, 100 + i);
            }
            assertThat(net.runUntil(() -> acc.peers.stream().allMatch(p -> p.received.size() == 3000)
                    && clients.stream().allMatch(p -> p.received.size() == 2000), Duration.ofSeconds(10))).isTrue();
            for (Peer server : acc.peers) {
                int i = clients.indexOf(clients.stream().filter(c -> c.conn.localPort() == server.conn.remotePort())
                        .findFirst().orElseThrow());
                assertThat(server.receivedPattern(3000, i)).isTrue();
                assertThat(clients.get(i).receivedPattern(2000, 100 + i)).isTrue();
            }
            net.b.layer.shutdown();
            net.a.layer.shutdown();
            net.runUntilQuiet(Duration.ofSeconds(1));
            clients.forEach(Peer::release);
            acc.peers.forEach(Peer::release);
        }
    }

    @Test
    void forgedAlteredReplayedOrLateCookiesAreRejected() {
        try (TcpTestNet net = new TcpTestNet()) {
            TcpHandshakeTest.Acceptor acc = new TcpHandshakeTest.Acceptor();
            TcpListener l = net.b.layer.listen(0, 80, 16, acc,
                    TcpTestNet.testConfig().synBacklog(1).allocator(net.alloc));
            TcpExtCounters ext = net.b.layer.extCounters();
            int x = SPOOFED_NET | 1;
            net.b.injectFrom(x, 1000, 80, 5, 0, TcpSegment.SYN, 65535, null, NONE); // the one half-open slot
            assertThat(l.halfOpen()).isEqualTo(1);
            int y = SPOOFED_NET | 2;
            int s = 0x12345678;
            net.b.injectFrom(y, 2000, 80, s, 0, TcpSegment.SYN, 65535, null, NONE);
            assertThat(ext.synCookiesSent).isEqualTo(1);
            int cookie = synAckSeq(net, s);
            int connections = net.b.layer.connectionCount();
            // a blind guess
            int before = net.log.size();
            net.b.injectFrom(y, 2000, 80, s + 1, 0x0BADC0DE, TcpSegment.ACK, 1000, null, NONE);
            assertThat(net.log.subList(before, net.log.size())).singleElement()
                    .satisfies(r -> assertThat(r.flags()).isEqualTo(TcpSegment.RST));
            // the right cookie with the wrong peer ISN, MSS bits or port
            net.b.injectFrom(y, 2000, 80, s + 2, cookie + 1, TcpSegment.ACK, 1000, null, NONE);
            net.b.injectFrom(y, 2000, 80, s + 1, (cookie ^ (1 << 27)) + 1, TcpSegment.ACK, 1000, null, NONE);
            net.b.injectFrom(y, 2001, 80, s + 1, cookie + 1, TcpSegment.ACK, 1000, null, NONE);
            assertThat(ext.synCookiesInvalid).isEqualTo(4);
            assertThat(ext.synCookiesValid).isZero();
            assertThat(net.b.layer.connectionCount()).isEqualTo(connections);
            // too late: cookies stay valid for one to two 69 s steps; keep cookies in use meanwhile
            net.run(Duration.ofSeconds(100));
            net.b.injectFrom(SPOOFED_NET | 3, 3000, 80, 77, 0, TcpSegment.SYN, 65535, null, NONE);
            net.run(Duration.ofSeconds(100));
            net.b.injectFrom(SPOOFED_NET | 3, 3000, 80, 77, 0, TcpSegment.SYN, 65535, null, NONE);
            net.b.injectFrom(y, 2000, 80, s + 1, cookie + 1, TcpSegment.ACK, 1000, null, NONE);
            assertThat(ext.synCookiesInvalid).isEqualTo(5);
            // a fresh cookie for the same SYN is accepted: the connection appears established, with MSS 536
            net.b.injectFrom(y, 2000, 80, s, 0, TcpSegment.SYN, 65535, null, NONE);
            int fresh = synAckSeq(net, s);
            assertThat(fresh).isNotEqualTo(cookie);
            net.b.injectFrom(y, 2000, 80, s + 1, fresh + 1, TcpSegment.ACK, 1000, null, "hi".getBytes());
            assertThat(ext.synCookiesValid).isEqualTo(1);
            assertThat(acc.peers).hasSize(1);
            Peer p = acc.peers.getFirst();
            assertThat(p.conn.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(p.conn.remoteAddress()).isEqualTo(y);
            assertThat(p.conn.sender.smss).isEqualTo(536); // no MSS option in that SYN
            assertThat(p.received.toString()).isEqualTo("hi"); // the ACK's data was taken
            // the same ACK again is now simply a segment of that connection
            net.b.injectFrom(y, 2000, 80, s + 1, fresh + 1, TcpSegment.ACK, 1000, null, NONE);
            assertThat(ext.synCookiesValid).isEqualTo(1);
            net.b.layer.shutdown();
            net.runUntilQuiet(Duration.ofSeconds(1));
            p.release();
        }
    }

    /** A listener that sent no cookie lately checks none: even a correctly computed cookie draws a reset. */
    @Test
    void noCookieCheckWithoutRecentOverflow() {
        try (TcpTestNet net = new TcpTestNet()) {
            net.b.layer.listen(0, 80, 16, x -> { });
            int y = SPOOFED_NET | 9;
            int cookie = net.b.layer.synCookies().cookie(B_IP, 80, y, 4000, 1000, 1, net.now());
            int before = net.log.size();
            net.b.injectFrom(y, 4000, 80, 1001, cookie + 1, TcpSegment.ACK, 1000, null, NONE);
            assertThat(net.log.subList(before, net.log.size())).singleElement()
                    .satisfies(r -> assertThat(r.has(TcpSegment.RST)).isTrue());
            assertThat(net.b.layer.connectionCount()).isZero();
            assertThat(net.b.layer.extCounters().synCookiesValid + net.b.layer.extCounters().synCookiesInvalid)
                    .isZero();
            net.b.layer.shutdown();
        }
    }

    /** Without timestamps a cookie cannot carry window scale or SACK: the connection works without them. */
    @Test
    void withoutTimestampsTheConnectionRunsUnscaled() {
        TcpConfig client = TcpTestNet.testConfig().timestamps(false);
        try (TcpTestNet net = new TcpTestNet(client, TcpTestNet.testConfig())) {
            TcpHandshakeTest.Acceptor acc = new TcpHandshakeTest.Acceptor();
            net.b.layer.listen(0, 80, 16, acc, TcpTestNet.testConfig().synBacklog(1).allocator(net.alloc));
            synFlood(net, 1, 2);
            Peer c = new Peer();
            c.attach(net.a.layer.connect(0, 0, B_IP, 80, c, net.now()));
            assertThat(net.runUntil(() -> c.connected && !acc.peers.isEmpty(), Duration.ofSeconds(2))).isTrue();
            assertThat(net.b.layer.extCounters().synCookiesValid).isEqualTo(1);
            TcpTestNet.Sent synAck = net.sentBy('b').stream().filter(s -> s.isSyn() && s.ack() != 0)
                    .reduce((x, y) -> y).orElseThrow();
            assertThat(synAck.wscale()).isEqualTo(-1); // not offered
            TcpConnection s = acc.peers.getFirst().conn;
            assertThat(s.sender.sndWscale).isZero();
            assertThat(s.receiver.rcvWscale).isZero();
            assertThat(c.conn.sender.sndWscale).isZero();
            assertThat(s.receiver.sack.enabled).isFalse();
            assertThat(s.sender.smss).isEqualTo(1460);
            c.send(300_000, 4);
            assertThat(net.runUntil(() -> acc.peers.getFirst().received.size() == 300_000, Duration.ofSeconds(10)))
                    .isTrue();
            assertThat(acc.peers.getFirst().receivedPattern(300_000, 4)).isTrue();
            assertThat(net.sentBy('b').stream().mapToInt(TcpTestNet.Sent::window).max().orElse(0))
                    .isLessThanOrEqualTo(65535);
            net.b.layer.shutdown();
            net.runUntilQuiet(Duration.ofSeconds(1));
            c.release();
            acc.peers.forEach(Peer::release);
        }
    }

    /** With cookies on, an ACK that meets a full accept queue is dropped quietly; a later segment gets in. */
    @Test
    void fullAcceptQueueDefersTheCookieConnection() {
        try (TcpTestNet net = new TcpTestNet()) {
            TcpListener l = net.b.layer.listen(0, 80, 2, x -> { }); // accepts only when told
            List<Peer> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Peer p = new Peer();
                p.attach(net.a.layer.connect(0, 0, B_IP, 80, p, net.now()));
                clients.add(p);
            }
            net.run(Duration.ofMillis(100));
            assertThat(l.pending()).isEqualTo(2);
            assertThat(net.b.layer.extCounters().synCookiesSent).isEqualTo(1);
            assertThat(net.b.counters.drops(DropReason.TCP_BACKLOG_FULL)).isEqualTo(1); // the third's ACK
            assertThat(clients.get(2).connected).isTrue(); // it believes it is connected
            Peer first = new Peer().attach(l.accept());
            clients.get(2).send(1000, 3); // its data carries the cookie again
            assertThat(net.runUntil(() -> l.pending() == 2, Duration.ofSeconds(5))).isTrue();
            assertThat(net.b.layer.extCounters().synCookiesValid).isEqualTo(1);
            Peer second = new Peer().attach(l.accept());
            Peer third = new Peer().attach(l.accept());
            assertThat(third.conn.remotePort()).isEqualTo(clients.get(2).conn.localPort());
            assertThat(net.runUntil(() -> third.received.size() == 1000, Duration.ofSeconds(5))).isTrue();
            assertThat(third.receivedPattern(1000, 3)).isTrue();
            net.b.layer.shutdown();
            net.a.layer.shutdown();
            net.runUntilQuiet(Duration.ofSeconds(1));
            clients.forEach(Peer::release);
            first.release();
            second.release();
            third.release();
        }
    }
}
