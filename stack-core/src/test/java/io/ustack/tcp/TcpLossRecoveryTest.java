package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.ustack.tcp.TcpDataTransferTest.closeBoth;
import static io.ustack.tcp.TcpDataTransferTest.connect;
import static io.ustack.tcp.TcpTestNet.testConfig;
import static org.assertj.core.api.Assertions.assertThat;

/** RFC 6675 SACK recovery, RFC 8985 RACK-TLP, and the NewReno path without SACK, on the simulated wire. */
class TcpLossRecoveryTest {
    private static final long MS = 1_000_000L;
    private static final int SEG = 1448;

    /** Plain RFC 5681 / RFC 6582: no SACK, no RACK-TLP, no timestamps, NewReno. */
    static TcpConfig plainNewReno() {
        return testConfig().sack(false).rackTlp(false).timestamps(false)
                .congestionControl(CongestionAlgorithm.NEW_RENO);
    }

    /** Drops the data segments of {@code from} with these 1-based numbers (counting every data segment sent). */
    static TcpTestNet.Filter dropNth(char from, Set<Integer> which) {
        int[] n = {0};
        return s -> s.from() == from && s.length() > 0 && which.contains(++n[0]) ? TcpTestNet.Fate.DROP
                : TcpTestNet.Fate.DELIVER;
    }

    private static TcpTestNet.Sent firstRetransmissionOf(TcpTestNet net, TcpTestNet.Sent lost) {
        return net.log.stream().filter(s -> s.from() == lost.from() && s.time() > lost.time()
                && s.seq() == lost.seq() && s.length() > 0).findFirst().orElseThrow();
    }

    @Test
    void singleLossInABigWindowIsRepairedByOneSackRetransmission() {
        try (TcpTestNet net = new TcpTestNet()) {
            net.latencyNanos = 10 * MS;
            Peer[] p = connect(net);
            net.filter = dropNth('a', Set.of(60));
            p[0].send(1_000_000, 4);
            assertThat(net.runUntil(() -> p[1].received.size() == 1_000_000, Duration.ofSeconds(30))).isTrue();
            assertThat(p[1].receivedPattern(1_000_000, 4)).isTrue();
            TcpSender snd = p[0].conn.sender;
            assertThat(net.a.counters.tcpRetransmits).isEqualTo(1);
            assertThat(snd.timeouts).isZero();
            assertThat(snd.sack.recoveries).isEqualTo(1);
            TcpTestNet.Sent lost = net.log.stream().filter(TcpTestNet.Sent::dropped).findFirst().orElseThrow();
            // about one round trip (20 ms) after the loss, long before the RTO
            assertThat(firstRetransmissionOf(net, lost).time() - lost.time()).isLessThan(40 * MS);
            assertThat(snd.inRecovery).isFalse();
            closeBoth(net, p);
        }
    }

    @Test
    void singleLossIsRepairedByNewRenoWithoutSack() {
        try (TcpTestNet net = new TcpTestNet(plainNewReno(), plainNewReno())) {
            net.latencyNanos = 10 * MS;
            Peer[] p = connect(net);
            assertThat(p[0].conn.sender.sack).isNull();
            assertThat(p[0].conn.sender.recovery).isInstanceOf(RenoRecovery.class);
            net.filter = dropNth('a', Set.of(60));
            p[0].send(1_000_000, 4);
            assertThat(net.runUntil(() -> p[1].received.size() == 1_000_000, Duration.ofSeconds(30))).isTrue();
            assertThat(p[1].receivedPattern(1_000_000, 4)).isTrue();
            assertThat(net.a.counters.tcpRetransmits).isEqualTo(1);
            assertThat(p[0].conn.sender.timeouts).isZero();
            TcpTestNet.Sent lost = net.log.stream().filter(TcpTestNet.Sent::dropped).findFirst().orElseThrow();
            assertThat(firstRetransmissionOf(net, lost).time() - lost.time()).isLessThan(40 * MS);
            // RFC 3042: the first two duplicate ACKs each released one new segment
            assertThat(net.sentBy('b').stream().noneMatch(s -> s.sackBlocks() > 0)).isTrue();
            closeBoth(net, p);
        }
    }

    @Test
    void severalLossesInOneWindowAreRepairedInOneSackRecovery() {
        try (TcpTestNet net = new TcpTestNet()) {
            net.latencyNanos = 10 * MS;
            Peer[] p = connect(net);
            net.filter = dropNth('a', Set.of(100, 103, 107, 112, 118));
            p[0].send(1_000_000, 5);
            assertThat(net.runUntil(() -> p[1].received.size() == 1_000_000, Duration.ofSeconds(30))).isTrue();
            assertThat(p[1].receivedPattern(1_000_000, 5)).isTrue();
            TcpSender snd = p[0].conn.sender;
            assertThat(net.a.counters.tcpRetransmits).isEqualTo(5);
            assertThat(snd.timeouts).isZero();
            assertThat(snd.sack.recoveries).isEqualTo(1);
            // every hole was retransmitted within about one round trip of the first
            List<TcpTestNet.Sent> lost = net.log.stream().filter(TcpTestNet.Sent::dropped).toList();
            long first = firstRetransmissionOf(net, lost.get(0)).time();
            for (TcpTestNet.Sent l : lost) {
                assertThat(firstRetransmissionOf(net, l).time() - first).isLessThan(25 * MS);
            }
            closeBoth(net, p);
        }
    }

    /** The same five losses without SACK: NewReno repairs one hole per round trip. */
    @Test
    void severalLossesTakeOneRoundTripEachWithNewReno() {
        try (TcpTestNet net = new TcpTestNet(plainNewReno(), plainNewReno())) {
            net.latencyNanos = 10 * MS;
            Peer[] p = connect(net);
            net.filter = dropNth('a', Set.of(100, 103, 107, 112, 118));
            p[0].send(1_000_000, 5);
            assertThat(net.runUntil(() -> p[1].received.size() == 1_000_000, Duration.ofSeconds(30))).isTrue();
            assertThat(p[1].receivedPattern(1_000_000, 5)).isTrue();
            List<TcpTestNet.Sent> lost = net.log.stream().filter(TcpTestNet.Sent::dropped).toList();
            long first = firstRetransmissionOf(net, lost.get(0)).time();
            long last = firstRetransmissionOf(net, lost.get(4)).time();
            assertThat(last - first).isGreaterThanOrEqualTo(4 * 20 * MS);
            closeBoth(net, p);
        }
    }

    /** RFC 8985 6.2: a lost retransmission is detected by time (RACK), not by the RTO. */
    @Test
    void rackDetectsALostRetransmission() {
        try (TcpTestNet net = new TcpTestNet()) {
            net.latencyNanos = 10 * MS;
            Peer[] p = connect(net);
            int[] n = {0};
            int[] lostSeq = {0};
            int[] copies = {0};
            net.filter = s -> {
                if (s.from() != 'a' || s.length() == 0) {
                    return TcpTestNet.Fate.DELIVER;
                }
                if (++n[0] == 60) {
                    lostSeq[0] = s.seq();
                }
                if (n[0] >= 60 && s.seq() == lostSeq[0] && copies[0]++ < 2) {
                    return TcpTestNet.Fate.DROP; // the original and its first retransmission
                }
                return TcpTestNet.Fate.DELIVER;
            };
            p[0].send(1_000_000, 6);
            assertThat(net.runUntil(() -> p[1].received.size() == 1_000_000, Duration.ofSeconds(30))).isTrue();
            assertThat(p[1].receivedPattern(1_000_000, 6)).isTrue();
            List<TcpTestNet.Sent> copiesSent = net.sentBy('a').stream()
                    .filter(s -> s.seq() == lostSeq[0] && s.length() > 0).toList();
            assertThat(copiesSent).hasSize(3);
            assertThat(p[0].conn.sender.timeouts).isZero();
            // the second retransmission follows the first by about a round trip, far less than the 200 ms RTO
            assertThat(copiesSent.get(2).time() - copiesSent.get(1).time()).isLessThan(60 * MS);
            closeBoth(net, p);
        }
    }

    /**
     * RFC 8985 7: the last two segments of a burst are lost; the probe (the last segment again) after 2*SRTT draws a
     * SACK, RACK then repairs the other one: no RTO. (With a single segment left in flight the PTO would add the
     * 200 ms worst-case delayed ACK time and be no faster than the RTO.)
     */
    @Test
    void tailLossProbeRepairsATailLossFasterThanTheRto() {
        long withTlp = tailLossRepairTime(testConfig());
        long withoutTlp = tailLossRepairTime(testConfig().rackTlp(false));
        assertThat(withTlp).isLessThan(60 * MS);    // PTO = 2 * SRTT (~20 ms), then one round trip
        assertThat(withoutTlp).isGreaterThanOrEqualTo(200 * MS); // RTO, at least rtoMin
    }

    private static long tailLossRepairTime(TcpConfig cfg) {
        try (TcpTestNet net = new TcpTestNet(cfg, TcpTestNet.testConfig())) {
            net.latencyNanos = 5 * MS;
            Peer[] p = connect(net);
            p[0].send(100_000, 7); // warm up: an RTT estimate, an open window
            assertThat(net.runUntil(() -> p[1].received.size() == 100_000, Duration.ofSeconds(10))).isTrue();
            net.run(Duration.ofMillis(500));
            long probesBefore = p[0].conn.sender.lossProbes;
            long timeoutsBefore = p[0].conn.sender.timeouts;
            net.filter = dropNth('a', Set.of(4, 5));
            p[0].send(100_000 + 5 * SEG, 7);
            assertThat(net.runUntil(() -> p[1].received.size() == 100_000 + 5 * SEG, Duration.ofSeconds(10)))
                    .isTrue();
            assertThat(p[1].receivedPattern(100_000 + 5 * SEG, 7)).isTrue();
            TcpTestNet.Sent lost = net.log.stream().filter(TcpTestNet.Sent::dropped).findFirst().orElseThrow();
            long repair = firstRetransmissionOf(net, lost).time() - lost.time();
            if (cfg.rackTlp()) {
                assertThat(p[0].conn.sender.lossProbes - probesBefore).isEqualTo(1);
                assertThat(p[0].conn.sender.timeouts - timeoutsBefore).isZero();
            } else {
                assertThat(p[0].conn.sender.timeouts - timeoutsBefore).isEqualTo(1);
            }
            closeBoth(net, p);
            return repair;
        }
    }
}
