package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static io.ustack.tcp.SequenceNumbers.geq;
import static io.ustack.tcp.SequenceNumbers.lt;
import static io.ustack.tcp.TcpDataTransferTest.closeBoth;
import static io.ustack.tcp.TcpDataTransferTest.connect;
import static io.ustack.tcp.TcpLossRecoveryTest.dropNth;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 9937 Proportional Rate Reduction on the simulated wire, each compared with RFC 6675 alone
 * ({@code TcpConfig.prr(false)}) in the same conditions, so each test shows what PRR changes.
 */
class TcpPrrTest {
    private static final long US = 1_000L;

    private static TcpConfig config(boolean prr) {
        return TcpTestNet.testConfig().receiveBufferSize(4 << 20).sendBufferSize(4 << 20).prr(prr);
    }

    /** New data segments the sender put out within {@code span} after its first retransmission. */
    private static long newSegmentsSoonAfterTheFastRetransmit(boolean prr, long span) {
        try (TcpTestNet net = new TcpTestNet(config(prr), config(prr))) {
            net.latencyNanos = 2_000 * US;
            net.rateBytesPerSecond = 12_500_000; // ACKs come back one segment time (116 us) apart
            Peer[] p = connect(net);
            net.filter = dropNth('a', Set.of(150));
            p[0].send(1 << 20, 7);
            assertThat(net.runUntil(() -> p[1].received.size() == 1 << 20, Duration.ofSeconds(30))).isTrue();
            assertThat(p[1].receivedPattern(1 << 20, 7)).isTrue();
            assertThat(p[0].conn.sender.sack.recoveries).isEqualTo(1);
            assertThat(p[0].conn.sender.timeouts).isZero();
            long n = newSegmentsSoonAfterTheFirstRetransmission(net, span);
            closeBoth(net, p);
            return n;
        }
    }

    /**
     * New data segments 'a' sent within {@code span} after its first retransmission (the fast retransmission of a
     * single loss), not counting those sent before it.
     */
    static long newSegmentsSoonAfterTheFirstRetransmission(TcpTestNet net, long span) {
        List<TcpTestNet.Sent> data = net.sentBy('a').stream().filter(s -> s.length() > 0).toList();
        int highest = data.get(0).seq();
        TcpTestNet.Sent retransmit = null;
        for (TcpTestNet.Sent s : data) {
            if (lt(s.seq(), highest)) {
                retransmit = s;
                break;
            }
            highest = s.seq() + s.length();
        }
        assertThat(retransmit).as("the fast retransmission").isNotNull();
        long t = retransmit.time();
        int recoveryPoint = highest;
        return data.stream().filter(s -> s.time() > t && s.time() - t <= span && geq(s.seq(), recoveryPoint)).count();
    }

    /**
     * Without PRR, cwnd drops to ssthresh (0.7 of the flight) at once and the sender is silent until a third of the
     * flight has been acknowledged; with PRR every ACK from the first one releases about 0.7 segments.
     */
    @Test
    void sendingFollowsTheAckClockFromTheStartOfRecovery() {
        long span = 1_200 * US; // about ten ACKs
        long withPrr = newSegmentsSoonAfterTheFastRetransmit(true, span);
        long without = newSegmentsSoonAfterTheFastRetransmit(false, span);
        System.out.printf("new segments within 1.2 ms of the fast retransmit: PRR %d, RFC 6675 alone %d%n", withPrr,
                without);
        assertThat(withPrr).isGreaterThanOrEqualTo(5);
        assertThat(without).isZero();
    }

    private record Run(double mbps, long retransmits, int timeouts) {
    }

    private static Run behindAShallowQueue(boolean prr) {
        int size = 16 << 20;
        long elapsed = 0;
        long retransmits = 0;
        int timeouts = 0;
        for (int seed = 1; seed <= 4; seed++) {
            try (TcpTestNet net = new TcpTestNet(config(prr), config(prr))) {
                net.latencyNanos = 2_000 * US;
                net.rateBytesPerSecond = 12_500_000;
                net.queueLimitBytes = 60_000; // about a bandwidth-delay product: losses come from the queue
                Peer[] p = connect(net);
                SplittableRandom rnd = new SplittableRandom(seed);
                net.filter = s -> rnd.nextDouble() < 0.001 ? TcpTestNet.Fate.DROP : TcpTestNet.Fate.DELIVER;
                long t0 = net.now();
                p[0].send(size, seed);
                assertThat(net.runUntil(() -> p[1].received.size() == size, Duration.ofMinutes(10))).isTrue();
                elapsed += net.now() - t0;
                assertThat(p[1].receivedPattern(size, seed)).isTrue();
                retransmits += net.a.counters.tcpRetransmits;
                timeouts += p[0].conn.sender.timeouts;
                closeBoth(net, p);
            }
        }
        return new Run(4.0 * size * 8 / elapsed * 1e3, retransmits, timeouts);
    }

    /**
     * Behind a 100 Mbit/s bottleneck with a shallow queue, CUBIC overflows the queue every epoch; RFC 6675 alone
     * refills to ssthresh in bursts as holes are repaired, and the bursts overflow the queue again. PRR spreads the
     * same window over the ACK clock: the same goodput with about a third fewer retransmissions (4 seeds x 16 MiB).
     */
    @Test
    void fewerRetransmissionsBehindAShallowQueueForTheSameGoodput() {
        Run prr = behindAShallowQueue(true);
        Run rfc6675 = behindAShallowQueue(false);
        System.out.printf("shallow queue: PRR %.1f Mbit/s, %d retransmissions, %d timeouts; RFC 6675 alone %.1f, %d, %d%n",
                prr.mbps, prr.retransmits, prr.timeouts, rfc6675.mbps, rfc6675.retransmits, rfc6675.timeouts);
        assertThat(prr.retransmits).isLessThan(rfc6675.retransmits * 4 / 5);
        assertThat(prr.mbps).isGreaterThan(rfc6675.mbps * 0.97);
    }
}
