package io.ustack.tcp;

import io.ustack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.ustack.tcp.TcpTestNet.B_IP;
import static org.assertj.core.api.Assertions.assertThat;

/** Data in both directions, reassembly, loss recovery, flow control. */
class TcpDataTransferTest {
    private static final long MS = 1_000_000L;
    private static final int MIB = 1 << 20;

    /** Connects a -> b:80 and returns {client, server}. */
    static Peer[] connect(TcpTestNet net) {
        TcpHandshakeTest.Acceptor acc = new TcpHandshakeTest.Acceptor();
        TcpListener l = net.b.layer.listen(0, 80, 4, acc);
        Peer client = new Peer();
        client.attach(net.a.layer.connect(0, 0, B_IP, 80, client, net.now()));
        assertThat(net.runUntil(() -> client.connected && !acc.peers.isEmpty(), Duration.ofSeconds(10))).isTrue();
        l.close();
        return new Peer[] {client, acc.peers.get(0)};
    }

    static void closeBoth(TcpTestNet net, Peer[] p) {
        p[0].conn.close();
        p[1].conn.close();
        assertThat(net.runUntilQuiet(Duration.ofSeconds(60))).isTrue();
        assertThat(p[0].closedWith).isZero();
        assertThat(p[1].closedWith).isZero();
        assertThat(net.a.layer.connectionCount()).isZero();
        assertThat(net.b.layer.connectionCount()).isZero();
        p[0].release();
        p[1].release();
    }

    @Test
    void oneMebibyteEachWayAtOnce() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            p[0].send(MIB, 11);
            p[1].send(MIB, 22);
            assertThat(net.runUntil(() -> p[0].received.size() == MIB && p[1].received.size() == MIB,
                    Duration.ofSeconds(30))).isTrue();
            assertThat(p[1].receivedPattern(MIB, 11)).isTrue();
            assertThat(p[0].receivedPattern(MIB, 22)).isTrue();
            assertThat(net.a.counters.tcpRetransmits + net.b.counters.tcpRetransmits).isZero();
            // segments never exceed the MSS, and a never sends beyond what b advertised
            assertThat(net.log).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(1460));
            closeBoth(net, p);
        }
    }

    @Test
    void bulkTransferUsesWindowScalingAndFillsThePipe() {
        try (TcpTestNet net = new TcpTestNet()) {
            net.latencyNanos = 10 * MS; // 20 ms RTT
            Peer[] p = connect(net);
            long t0 = net.now();
            p[0].send(8L * MIB, 7);
            assertThat(net.runUntil(() -> p[1].received.size() == 8 * MIB, Duration.ofSeconds(60))).isTrue();
            long elapsed = net.now() - t0;
            // with a 256 KiB window and 20 ms RTT the ceiling is ~13 MB/s: 8 MiB needs well under 2 s once
            // slow start is over; without window scaling (64 KiB) it would need more than 2.5 s
            assertThat(elapsed).isLessThan(2000 * MS);
            assertThat(p[1].receivedPattern(8L * MIB, 7)).isTrue();
            // advertised windows above 64 KiB were in use
            assertThat(net.sentBy('b').stream().mapToLong(s -> (long) s.window() << 3).max().orElse(0))
                    .isGreaterThan(65535);
            closeBoth(net, p);
        }
    }

    @Test
    void outOfOrderSegmentsAreReassembled() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            int[] n = {0};
            // every 4th data segment from a arrives 3 ms late: overtaken by the next ones
            net.filter = s -> s.from() == 'a' && s.length() > 0 && n[0]++ % 4 == 0
                    ? TcpTestNet.Fate.delay(Duration.ofMillis(3)) : TcpTestNet.Fate.DELIVER;
            p[0].send(300_000, 3);
            assertThat(net.runUntil(() -> p[1].received.size() == 300_000, Duration.ofSeconds(30))).isTrue();
            assertThat(p[1].receivedPattern(300_000, 3)).isTrue();
            // b acknowledged the out-of-order arrivals at once with duplicate ACKs
            long dupAcks = net.sentBy('b').stream().filter(TcpTestNet.Sent::isPureAck)
                    .collect(java.util.stream.Collectors.groupingBy(TcpTestNet.Sent::ack,
                            java.util.stream.Collectors.counting()))
                    .values().stream().filter(c -> c > 1).count();
            assertThat(dupAcks).isGreaterThan(0);
            closeBoth(net, p);
        }
    }

    @Test
    void lostDataSegmentIsFastRetransmitted() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            int[] n = {0};
            net.filter = s -> s.from() == 'a' && s.length() > 0 && ++n[0] == 20 ? TcpTestNet.Fate.DROP
                    : TcpTestNet.Fate.DELIVER;
            long t0 = net.now();
            p[0].send(500_000, 4);
            assertThat(net.runUntil(() -> p[1].received.size() == 500_000, Duration.ofSeconds(30))).isTrue();
            assertThat(p[1].receivedPattern(500_000, 4)).isTrue();
            assertThat(net.a.counters.tcpRetransmits).isEqualTo(1);
            TcpTestNet.Sent lost = net.log.stream().filter(TcpTestNet.Sent::dropped).findFirst().orElseThrow();
            TcpTestNet.Sent again = net.log.stream().filter(s -> s.from() == 'a' && !s.dropped()
                    && s.seq() == lost.seq() && s.length() > 0).findFirst().orElseThrow();
            // fast retransmit (3 duplicate ACKs) within a few RTTs, long before the 200 ms+ RTO
            assertThat(again.time() - lost.time()).isLessThan(20 * MS);
            assertThat(p[0].conn.sender.inRecovery).isFalse();
            closeBoth(net, p);
        }
    }

    @Test
    void lostLastSegmentIsRetransmittedByTimeout() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            boolean[] dropped = {false};
            net.filter = s -> {
                if (s.from() == 'a' && s.length() == 1000 && !dropped[0]) {
                    dropped[0] = true;
                    return TcpTestNet.Fate.DROP;
                }
                return TcpTestNet.Fate.DELIVER;
            };
            p[0].send(1000, 5);
            long t0 = net.now();
            assertThat(net.runUntil(() -> p[1].received.size() == 1000, Duration.ofSeconds(30))).isTrue();
            // no duplicate ACKs possible: the RTO fires. SRTT from the handshake is 2 ms -> RTO = min 200 ms
            assertThat(net.now() - t0).isBetween(200 * MS, 210 * MS);
            assertThat(net.a.counters.tcpRetransmits).isEqualTo(1);
            closeBoth(net, p);
        }
    }

    /** RFC 6298 5.5: consecutive timeouts double the RTO (200, 400, 800, 1600 ms ...). */
    @Test
    void retransmissionBackoffDoubles() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            int[] n = {0};
            net.filter = s -> s.from() == 'a' && s.length() > 0 && n[0]++ < 5 ? TcpTestNet.Fate.DROP
                    : TcpTestNet.Fate.DELIVER;
            p[0].send(100, 5);
            assertThat(net.runUntil(() -> p[1].received.size() == 100, Duration.ofSeconds(30))).isTrue();
            List<Long> times = net.sentBy('a').stream().filter(s -> s.length() > 0).map(TcpTestNet.Sent::time)
                    .toList();
            assertThat(times).hasSize(6);
            for (int i = 1; i < times.size(); i++) {
                assertThat(times.get(i) - times.get(i - 1)).isEqualTo((200L << (i - 1)) * MS);
            }
            // a new RTT sample (a fresh, never retransmitted segment) clears the back-off
            long before = net.a.counters.tcpRetransmits;
            p[0].send(200, 5);
            TcpSender snd = p[0].conn.sender;
            assertThat(net.runUntil(() -> p[1].received.size() == 200 && snd.sndUna == snd.sndMax,
                    Duration.ofSeconds(5))).isTrue();
            assertThat(net.a.counters.tcpRetransmits).isEqualTo(before);
            assertThat(p[0].conn.sender.rtt.backoffCount()).isZero();
            closeBoth(net, p);
        }
    }

    @Test
    void nagleCoalescesSmallWritesAndNoDelaySendsThem() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            io.netty.buffer.ByteBuf one = io.netty.buffer.Unpooled.buffer(10);
            for (int i = 0; i < 10; i++) {
                one.clear().writeByte(i);
                p[0].conn.write(one, 1);
            }
            // Nagle: the first byte goes, the other nine wait for its ACK and then go together
            net.run(Duration.ofMillis(100));
            List<TcpTestNet.Sent> data = net.sentBy('a').stream().filter(s -> s.length() > 0).toList();
            assertThat(data).extracting(TcpTestNet.Sent::length).containsExactly(1, 9);
            p[0].conn.noDelay(true);
            for (int i = 0; i < 3; i++) {
                one.clear().writeByte(i);
                p[0].conn.write(one, 1);
            }
            data = net.sentBy('a').stream().filter(s -> s.length() > 0).toList();
            assertThat(data).extracting(TcpTestNet.Sent::length).containsExactly(1, 9, 1, 1, 1);
            one.release();
            net.run(Duration.ofMillis(100));
            assertThat(p[1].received.size()).isEqualTo(13);
            closeBoth(net, p);
        }
    }

    /**
     * Minshall's Nagle variant: the sub-MSS tail of a large write goes out with the full segments before it, instead
     * of waiting for their (possibly delayed) ACK; a second small segment still waits while the first is unacked.
     */
    @Test
    void theTailOfALargeWriteIsNotHeldBackByNagle() {
        try (TcpTestNet net = new TcpTestNet(TcpTestNet.testConfig().quickAck(false),
                TcpTestNet.testConfig().quickAck(false))) {
            Peer[] p = connect(net);
            int smss = p[0].conn.sender.smss;
            long start = net.now();
            p[0].send(2 * smss + 100, 3); // fits the RFC 3390 initial window (4380 bytes)
            List<TcpTestNet.Sent> data = net.sentBy('a').stream().filter(s -> s.length() > 0).toList();
            assertThat(data).extracting(TcpTestNet.Sent::length).containsExactly(smss, smss, 100);
            assertThat(data.get(2).time()).isEqualTo(start);
            io.netty.buffer.ByteBuf one = io.netty.buffer.Unpooled.buffer(2);
            one.writeByte(1).writeByte(2);
            p[0].conn.write(one, 1);
            p[0].conn.write(one, 1);
            one.release();
            data = net.sentBy('a').stream().filter(s -> s.length() > 0).toList();
            assertThat(data).as("the 100-byte segment is unacknowledged: the new small write waits").hasSize(3);
            net.run(Duration.ofMillis(200));
            assertThat(p[1].received.size()).isEqualTo(2 * smss + 102);
            closeBoth(net, p);
        }
    }

    /** RFC 1122 4.2.3.2: a lone segment is acknowledged after the delayed-ACK timeout, two at once. */
    @Test
    void delayedAcks() {
        // quick-ack mode off: it would acknowledge these first segments at once
        try (TcpTestNet net = new TcpTestNet(TcpTestNet.testConfig().quickAck(false),
                TcpTestNet.testConfig().quickAck(false))) {
            Peer[] p = connect(net);
            p[0].conn.noDelay(true);
            // the first segment is answered at once: b's window grows from the unscaled 64 KiB of its SYN-ACK to
            // 256 KiB, an update worth sending
            p[0].send(100, 1);
            net.run(Duration.ofMillis(100));
            p[0].send(200, 1);
            net.run(Duration.ofMillis(100));
            TcpTestNet.Sent data = net.sentBy('a').stream().filter(s -> s.length() > 0).toList().get(1);
            TcpTestNet.Sent ack = net.sentBy('b').stream().filter(s -> s.time() > data.time()).findFirst()
                    .orElseThrow();
            assertThat(ack.time() - data.time()).isEqualTo(41 * MS); // 1 ms wire + 40 ms delay
            int before = net.sentBy('b').size();
            p[0].send(200 + 2 * 1460, 1);
            net.run(Duration.ofMillis(5));
            List<TcpTestNet.Sent> acks = net.sentBy('b').subList(before, net.sentBy('b').size());
            assertThat(acks).hasSize(1); // for the two full segments, at once
            closeBoth(net, p);
        }
    }

    /**
     * Flow control: the receiver does not read; the sender fills the 64 KiB receive buffer, stops at the zero
     * window and probes it with the persist timer; when the receiver reads again the transfer completes, even though
     * the receiver's window update is lost.
     */
    @Test
    void zeroWindowPersistAndRecovery() {
        TcpConfig small = TcpTestNet.testConfig().receiveBufferSize(64 * 1024);
        try (TcpTestNet net = new TcpTestNet(TcpTestNet.testConfig(), small)) {
            Peer[] p = connect(net);
            p[1].readPaused = true;
            p[0].send(300_000, 9);
            net.run(Duration.ofSeconds(10));
            assertThat(p[1].conn.available()).isEqualTo(64 * 1024);
            TcpSender s = p[0].conn.sender;
            assertThat(s.sndWnd).isZero();
            assertThat(s.sndMax - s.sndUna).isZero(); // nothing beyond the window was sent
            // zero-window probes: old sequence number, no data, at growing intervals
            List<TcpTestNet.Sent> probes = net.sentBy('a').stream()
                    .filter(x -> x.length() == 0 && x.seq() == s.sndUna - 1).toList();
            assertThat(probes.size()).isBetween(3, 8);
            for (int i = 2; i < probes.size(); i++) {
                assertThat(probes.get(i).time() - probes.get(i - 1).time())
                        .isGreaterThan(probes.get(i - 1).time() - probes.get(i - 2).time());
            }
            assertThat(p[0].conn.state()).isEqualTo(TcpState.ESTABLISHED);
            // the receiver reads, but its window update is lost: the next probe finds the open window
            boolean[] dropped = {false};
            net.filter = x -> {
                if (x.from() == 'b' && x.window() > 0 && !dropped[0]) {
                    dropped[0] = true;
                    return TcpTestNet.Fate.DROP;
                }
                return TcpTestNet.Fate.DELIVER;
            };
            p[1].readPaused = false;
            p[1].drain();
            assertThat(dropped[0]).isTrue();
            assertThat(net.runUntil(() -> p[1].received.size() == 300_000, Duration.ofSeconds(60))).isTrue();
            assertThat(p[1].receivedPattern(300_000, 9)).isTrue();
            closeBoth(net, p);
        }
    }

    @Test
    void receiverNeverGetsMoreThanItsWindow() {
        TcpConfig small = TcpTestNet.testConfig().receiveBufferSize(10_000);
        try (TcpTestNet net = new TcpTestNet(TcpTestNet.testConfig(), small)) {
            Peer[] p = connect(net);
            p[1].readPaused = true;
            p[0].send(50_000, 2);
            net.run(Duration.ofSeconds(2));
            assertThat(p[1].conn.available()).isEqualTo(10_000);
            // no data segment of a went past the right edge b had advertised before it was sent
            int[] edge = {p[0].conn.sender.iss};
            boolean[] edgeKnown = {false};
            net.onEachLog(x -> {
                if (x.from() == 'b' && x.has(TcpSegment.ACK)) {
                    int e = x.ack() + x.window(); // b offers no window scale: its buffer fits in 16 bits
                    if (!edgeKnown[0] || SequenceNumbers.gt(e, edge[0])) {
                        edge[0] = e;
                        edgeKnown[0] = true;
                    }
                } else if (x.from() == 'a' && x.length() > 0) {
                    assertThat(SequenceNumbers.leq(x.seq() + x.length(), edge[0])).as(x.toString()).isTrue();
                }
            });
            p[1].readPaused = false;
            p[1].drain();
            assertThat(net.runUntil(() -> p[1].received.size() == 50_000, Duration.ofSeconds(60))).isTrue();
            assertThat(p[1].receivedPattern(50_000, 2)).isTrue();
            closeBoth(net, p);
        }
    }

    @Test
    void duplicatedSegmentsAreHarmless() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            int[] n = {0};
            net.filter = s -> n[0]++ % 3 == 0 ? TcpTestNet.Fate.DUPLICATE : TcpTestNet.Fate.DELIVER;
            p[0].send(200_000, 1);
            p[1].send(200_000, 2);
            assertThat(net.runUntil(() -> p[1].received.size() == 200_000 && p[0].received.size() == 200_000,
                    Duration.ofSeconds(30))).isTrue();
            assertThat(p[1].receivedPattern(200_000, 1)).isTrue();
            assertThat(p[0].receivedPattern(200_000, 2)).isTrue();
            closeBoth(net, p);
        }
    }

    @Test
    void writeReturnsPartialCountAndSignalsWritable() {
        TcpConfig smallSend = TcpTestNet.testConfig().sendBufferSize(8192);
        try (TcpTestNet net = new TcpTestNet(smallSend, TcpTestNet.testConfig())) {
            Peer[] p = connect(net);
            assertThat(p[0].conn.sendSpace()).isEqualTo(8192);
            p[0].send(100_000, 3);
            assertThat(p[0].written()).isEqualTo(8192);
            assertThat(net.runUntil(() -> p[1].received.size() == 100_000, Duration.ofSeconds(30))).isTrue();
            assertThat(p[0].events).contains("writable");
            assertThat(p[1].receivedPattern(100_000, 3)).isTrue();
            closeBoth(net, p);
        }
    }

    @Test
    void segmentsCarryPshAtTheEndOfTheQueue() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            p[0].send(3000, 1);
            net.run(Duration.ofMillis(50));
            List<TcpTestNet.Sent> data = net.sentBy('a').stream().filter(s -> s.length() > 0).toList();
            // 1448 = MSS 1460 less 12 bytes of timestamps
            assertThat(data).extracting(TcpTestNet.Sent::length).containsExactly(1448, 1448, 104);
            assertThat(data.get(2).has(TcpSegment.PSH)).isTrue();
            assertThat(data.get(0).has(TcpSegment.PSH)).isFalse();
            closeBoth(net, p);
        }
    }
}
