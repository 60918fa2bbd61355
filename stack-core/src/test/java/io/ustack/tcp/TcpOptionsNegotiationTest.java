package io.ustack.tcp;

import io.ustack.wire.DropReason;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;

import static io.ustack.tcp.TcpDataTransferTest.closeBoth;
import static io.ustack.tcp.TcpDataTransferTest.connect;
import static io.ustack.tcp.TcpTestNet.testConfig;
import static org.assertj.core.api.Assertions.assertThat;

/** RFC 7323 timestamps and RFC 2018 SACK-permitted negotiation, PAWS, SACK and D-SACK blocks of the receiver. */
class TcpOptionsNegotiationTest {
    private static final long MS = 1_000_000L;

    @ParameterizedTest
    @CsvSource({"true,true,true,true", "true,true,false,false", "false,false,true,true", "true,false,false,true",
            "false,true,true,false"})
    void optionsAreUsedOnlyWhenBothSidesWantThem(boolean aTs, boolean aSack, boolean bTs, boolean bSack) {
        try (TcpTestNet net = new TcpTestNet(testConfig().timestamps(aTs).sack(aSack),
                testConfig().timestamps(bTs).sack(bSack))) {
            Peer[] p = connect(net);
            TcpTestNet.Sent syn = net.log.get(0);
            TcpTestNet.Sent synAck = net.log.get(1);
            boolean ts = aTs && bTs;
            boolean sack = aSack && bSack;
            assertThat(syn.ts()).isEqualTo(aTs);
            assertThat(syn.sackOk()).isEqualTo(aSack);
            assertThat(synAck.ts()).isEqualTo(ts); // RFC 7323 3.2: only in reply to an offer
            assertThat(synAck.sackOk()).isEqualTo(sack);
            if (ts) {
                assertThat(syn.tsEcr()).isZero();
                assertThat(synAck.tsEcr()).isEqualTo(syn.tsVal());
            }
            p[0].send(50_000, 1);
            p[1].send(20_000, 2);
            assertThat(net.runUntil(() -> p[1].received.size() == 50_000 && p[0].received.size() == 20_000,
                    Duration.ofSeconds(10))).isTrue();
            // after the handshake every segment carries timestamps, or none does
            List<TcpTestNet.Sent> after = net.log.subList(2, net.log.size());
            assertThat(after).allSatisfy(s -> assertThat(s.ts()).isEqualTo(ts));
            assertThat(p[0].conn.timestamps.enabled).isEqualTo(ts);
            assertThat(p[1].conn.timestamps.enabled).isEqualTo(ts);
            assertThat(p[0].conn.sender.sack != null).isEqualTo(sack);
            assertThat(p[1].conn.receiver.sack.enabled).isEqualTo(sack);
            // RFC 9293 3.7.1: the 12 option bytes come off the segment size
            int smss = 1460 - (ts ? 12 : 0);
            assertThat(p[0].conn.sender.smss).isEqualTo(smss);
            assertThat(after).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(smss));
            assertThat(after).anySatisfy(s -> assertThat(s.length()).isEqualTo(smss));
            closeBoth(net, p);
        }
    }

    @Test
    void timestampsEchoTheMostRecentPeerValueAndMeasureRtt() {
        try (TcpTestNet net = new TcpTestNet()) {
            net.latencyNanos = 5 * MS;
            Peer[] p = connect(net);
            p[0].send(200_000, 1);
            assertThat(net.runUntil(() -> p[1].received.size() == 200_000, Duration.ofSeconds(10))).isTrue();
            // b's ACKs echo TSvals that a really sent, and never a value from the future
            List<Integer> aVals = net.sentBy('a').stream().map(TcpTestNet.Sent::tsVal).toList();
            assertThat(net.sentBy('b').subList(1, net.sentBy('b').size()))
                    .allSatisfy(s -> assertThat(aVals).contains(s.tsEcr()));
            // the TSval clock ticks in milliseconds
            TcpTestNet.Sent first = net.sentBy('a').get(0);
            TcpTestNet.Sent last = net.sentBy('a').get(net.sentBy('a').size() - 1);
            assertThat((long) (last.tsVal() - first.tsVal())).isEqualTo((last.time() - first.time()) / MS);
            // RFC 7323 4.1: SRTT from TSecr: 10 ms round trip, in whole milliseconds
            assertThat(p[0].conn.sender.rtt.srtt()).isBetween(10 * MS, 13 * MS);
            closeBoth(net, p);
        }
    }

    /** RFC 7323 5.3 R1: an in-window segment with an old TSval is an old duplicate: dropped and acknowledged. */
    @Test
    void pawsDropsAnOldDuplicate() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            p[0].send(1000, 1);
            assertThat(net.runUntil(() -> p[1].received.size() == 1000, Duration.ofSeconds(1))).isTrue();
            net.run(Duration.ofMillis(100));
            TcpConnection server = p[1].conn;
            int rcvNxt = server.receiver.rcvNxt;
            int tsRecent = server.timestamps.tsRecent;
            long dropsBefore = net.b.counters.drops(DropReason.TCP_UNACCEPTABLE);
            int logBefore = net.log.size();
            byte[] old = new byte[100];
            // the sequence number is exactly RCV.NXT: only the timestamp tells it is old
            net.b.inject(p[0].conn.localPort(), 80, rcvNxt, server.sender.sndNxt, TcpSegment.ACK | TcpSegment.PSH,
                    1000, new TcpOptions().timestamps(tsRecent - 1000, 0), old);
            assertThat(server.receiver.rcvNxt).isEqualTo(rcvNxt);
            assertThat(server.available()).isZero();
            assertThat(p[1].received.size()).isEqualTo(1000);
            assertThat(net.b.counters.drops(DropReason.TCP_UNACCEPTABLE)).isEqualTo(dropsBefore + 1);
            TcpTestNet.Sent reply = net.log.get(logBefore);
            assertThat(reply.from()).isEqualTo('b');
            assertThat(reply.isPureAck()).isTrue();
            assertThat(reply.ack()).isEqualTo(rcvNxt);
            // the same bytes with a current TSval are new data
            net.b.inject(p[0].conn.localPort(), 80, rcvNxt, server.sender.sndNxt, TcpSegment.ACK | TcpSegment.PSH,
                    1000, new TcpOptions().timestamps(tsRecent + 1, 0), old);
            assertThat(server.receiver.rcvNxt).isEqualTo(rcvNxt + 100);
            assertThat(server.timestamps.tsRecent).isEqualTo(tsRecent + 1);
            p[0].conn.abort();
            p[1].conn.abort();
            p[0].release();
            p[1].release();
        }
    }

    /** RFC 7323 5.5: after more than 24 days of idleness TS.Recent is no longer valid: PAWS lets the segment in. */
    @Test
    void pawsForgetsTsRecentAfter24IdleDays() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            p[0].send(1000, 1);
            assertThat(net.runUntil(() -> p[1].received.size() == 1000, Duration.ofSeconds(1))).isTrue();
            net.run(Duration.ofMillis(100));
            TcpConnection server = p[1].conn;
            int rcvNxt = server.receiver.rcvNxt;
            int tsRecent = server.timestamps.tsRecent;
            net.clock.advanceNanos(Timestamps.PAWS_IDLE_NANOS + 1000 * MS);
            net.b.inject(p[0].conn.localPort(), 80, rcvNxt, server.sender.sndNxt, TcpSegment.ACK | TcpSegment.PSH,
                    1000, new TcpOptions().timestamps(tsRecent - 1000, 0), new byte[100]);
            assertThat(server.receiver.rcvNxt).isEqualTo(rcvNxt + 100);
            assertThat(server.timestamps.tsRecent).isEqualTo(tsRecent - 1000);
            net.run(Duration.ofMillis(1)); // both layers learn the new time
            p[0].conn.abort();
            p[1].conn.abort();
            p[0].release();
            p[1].release();
        }
    }

    /** RFC 2018 4: the first block holds the latest arrival, the others repeat earlier blocks. */
    @Test
    void sackBlocksReportTheMostRecentArrivalFirst() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            int[] n = {0};
            net.filter = s -> s.from() == 'a' && s.length() > 0 && !s.dropped() && (++n[0] == 10 || n[0] == 14)
                    ? TcpTestNet.Fate.DROP : TcpTestNet.Fate.DELIVER;
            p[0].send(60 * 1448, 1);
            assertThat(net.runUntil(() -> p[1].received.size() == 60 * 1448, Duration.ofSeconds(10))).isTrue();
            List<TcpTestNet.Sent> lost = net.log.stream().filter(TcpTestNet.Sent::dropped).toList();
            assertThat(lost).hasSize(2);
            int hole1 = lost.get(0).seq();
            int hole2 = lost.get(1).seq();
            int len = lost.get(0).length();
            List<TcpTestNet.Sent> sacks = net.sentBy('b').stream().filter(s -> s.sackBlocks() > 0).toList();
            assertThat(sacks).isNotEmpty();
            // the first out-of-order arrival: one block just past the first hole
            TcpTestNet.Sent firstSack = sacks.get(0);
            assertThat(firstSack.ack()).isEqualTo(hole1);
            assertThat(firstSack.sack()).containsExactly(hole1 + len, hole1 + 2 * len);
            // once data beyond the second hole arrived: that block first, the older one second
            TcpTestNet.Sent two = sacks.stream().filter(s -> s.sackBlocks() == 2).findFirst().orElseThrow();
            assertThat(two.sack()[0]).isEqualTo(hole2 + len);
            assertThat(two.sack()[2]).isEqualTo(hole1 + len);
            assertThat(two.sack()[3]).isEqualTo(hole2);
            // timestamps leave room for three blocks at most
            assertThat(sacks).allSatisfy(s -> assertThat(s.sackBlocks()).isLessThanOrEqualTo(3));
            assertThat(p[1].receivedPattern(60 * 1448, 1)).isTrue();
            closeBoth(net, p);
        }
    }

    /** RFC 2883: a duplicate segment is reported in a D-SACK block below the cumulative ACK. */
    @Test
    void duplicateSegmentIsReportedAsDsack() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            int[] n = {0};
            net.filter = s -> s.from() == 'a' && s.length() > 0 && ++n[0] == 5 ? TcpTestNet.Fate.DUPLICATE
                    : TcpTestNet.Fate.DELIVER;
            p[0].send(20 * 1448, 1);
            assertThat(net.runUntil(() -> p[1].received.size() == 20 * 1448, Duration.ofSeconds(10))).isTrue();
            TcpTestNet.Sent dup = net.sentBy('a').stream().filter(s -> s.length() > 0).toList().get(4);
            TcpTestNet.Sent dsack = net.sentBy('b').stream().filter(s -> s.sackBlocks() > 0).findFirst()
                    .orElseThrow();
            assertThat(dsack.sack()[0]).isEqualTo(dup.seq());
            assertThat(dsack.sack()[1]).isEqualTo(dup.seq() + dup.length());
            assertThat(Integer.compareUnsigned(dsack.sack()[1], dsack.ack())).isLessThanOrEqualTo(0);
            assertThat(net.sentBy('b').stream().filter(s -> s.sackBlocks() > 0).count()).isEqualTo(1);
            assertThat(p[1].receivedPattern(20 * 1448, 1)).isTrue();
            closeBoth(net, p);
        }
    }
}
