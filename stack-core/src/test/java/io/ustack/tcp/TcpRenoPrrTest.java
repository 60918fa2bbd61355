package io.ustack.tcp;

import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static io.ustack.tcp.SequenceNumbers.lt;
import static io.ustack.tcp.TcpDataTransferTest.closeBoth;
import static io.ustack.tcp.TcpDataTransferTest.connect;
import static io.ustack.tcp.TcpLossRecoveryTest.dropNth;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 9937 Proportional Rate Reduction in NewReno fast recovery (no SACK: RFC 5681 3.2, RFC 6582), each compared
 * with the classic cwnd inflation ({@code TcpConfig.prr(false)}) in the same conditions.
 */
class TcpRenoPrrTest {
    private static final long US = 1_000L;
    private static final int PORT = 3333;
    private static final int PEER_ISS = 0x7000_0000;
    private static final int SEG = 1000;

    /**
     * A scripted receiver without SACK against layer b's sender (NewReno, 1000-byte segments): after slow start to
     * 20 segments in flight, the script sends one ACK per entry of {@code acks}, each the number of segments past
     * the first of those 20 that it acknowledges (0: a duplicate ACK of the lost first segment). Returns, for each
     * of them, how many new data segments b sent in answer, and checks that b retransmitted exactly on the third
     * duplicate ACK and on each partial ACK.
     */
    private static int[] newSegmentsPerAck(boolean prr, int... acks) {
        TcpConfig config = TcpTestNet.testConfig().congestionControl(CongestionAlgorithm.NEW_RENO).prr(prr);
        try (TcpTestNet net = new TcpTestNet(TcpTestNet.testConfig(), config)) {
            net.filter = s -> TcpTestNet.Fate.DROP; // b talks to the script only
            List<Peer> accepted = new ArrayList<>();
            net.b.layer.listen(0, 80, 4, l -> {
                TcpConnection c;
                while ((c = l.accept()) != null) {
                    accepted.add(new Peer().attach(c));
                }
            });
            net.b.inject(PORT, 80, PEER_ISS, 0, TcpSegment.SYN, 65535, new TcpOptions().mss(SEG), new byte[0]);
            int una = net.log.get(net.log.size() - 1).seq() + 1;
            net.b.inject(PORT, 80, PEER_ISS + 1, una, TcpSegment.ACK, 65535, null, new byte[0]);
            TcpSender snd = accepted.get(0).conn.sender;
            assertThat(snd.recovery).isInstanceOf(RenoRecovery.class);
            accepted.get(0).send(1 << 20, 3);
            for (int i = 0; i < 10; i++) { // slow start: each ACK of one segment lets two out
                una += SEG;
                net.b.inject(PORT, 80, PEER_ISS + 1, una, TcpSegment.ACK, 65535, null, new byte[0]);
            }
            assertThat(snd.sndMax - snd.sndUna).isEqualTo(20 * SEG);
            int[] perAck = new int[acks.length];
            int duplicates = 0;
            int acked = 0;
            for (int a = 0; a < acks.length; a++) {
                int sndMax = snd.sndMax;
                int logged = net.log.size();
                boolean recovering = snd.inRecovery;
                net.b.inject(PORT, 80, PEER_ISS + 1, una + acks[a] * SEG, TcpSegment.ACK, 65535, null, new byte[0]);
                duplicates = acks[a] == acked ? duplicates + 1 : 0;
                boolean partial = acks[a] > acked && snd.inRecovery;
                acked = acks[a];
                long retransmitted = net.log.subList(logged, net.log.size()).stream()
                        .filter(s -> s.length() > 0 && lt(s.seq(), sndMax)).count();
                assertThat(retransmitted).as("retransmissions on ACK %d", a + 1)
                        .isEqualTo(duplicates == 3 && !recovering || partial ? 1 : 0);
                perAck[a] = (snd.sndMax - sndMax) / SEG;
            }
            accepted.get(0).conn.abort();
            accepted.forEach(Peer::release);
            return perAck;
        }
    }

    private static int sum(int[] a, int from, int to) {
        return Arrays.stream(a, from, to).sum();
    }

    /**
     * One segment lost in 20: the first two duplicate ACKs send one segment each (RFC 3042 limited transmit), the
     * third the fast retransmission; 22 segments are outstanding, ssthresh is 11. With PRR (RecoverFS 20: the two
     * earlier duplicate ACKs delivered before recovery) about every second duplicate ACK then sends a new segment;
     * RFC 5681's cwnd of ssthresh + 3 + one per further duplicate ACK stays under the flight for 8 more of them,
     * then lets one out per ACK. When the window's last segment has drawn its duplicate ACK both sent 10.
     */
    @Test
    void duplicateAcksReleaseNewDataFromTheStartOfRecovery() {
        int[] dupAcks = new int[21]; // the 21 segments after the lost one each draw a duplicate ACK
        int[] withPrr = newSegmentsPerAck(true, dupAcks);
        int[] without = newSegmentsPerAck(false, dupAcks);
        System.out.printf("one loss, new segments per duplicate ACK: PRR %s, RFC 5681 %s%n",
                Arrays.toString(withPrr), Arrays.toString(without));
        assertThat(withPrr).containsExactly(1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1);
        assertThat(without).containsExactly(1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        assertThat(sum(withPrr, 2, 11)).as("PRR, first nine ACKs of recovery").isEqualTo(4);
        assertThat(sum(without, 2, 11)).as("RFC 5681, first nine ACKs of recovery").isZero();
        assertThat(sum(withPrr, 2, 21)).isEqualTo(sum(without, 2, 21)).isEqualTo(10);
    }

    /**
     * Segments 0 and 10 of the 20 lost: after the duplicate ACKs of the first window, the partial ACK up to the
     * second hole brings its retransmission (RFC 6582), and the 19 segments outstanding above that hole (most of
     * them sent during recovery) draw duplicate ACKs in turn. PRR counts each of those as delivered too: its bound
     * on the duplicate ACK estimate is the data outstanding, not RecoverFS (20 segments, which they pass), so the
     * ACK clock keeps running through the second round trip, one new segment per duplicate ACK with pipe held at
     * ssthresh, as RFC 5681's inflated cwnd does.
     */
    @Test
    void theAckClockRunsOnAfterAPartialAck() {
        int[] acks = new int[20 + 1 + 19]; // 20 duplicate ACKs, the partial ACK, 19 more duplicate ACKs
        Arrays.fill(acks, 20, acks.length, 10);
        int[] withPrr = newSegmentsPerAck(true, acks);
        int[] without = newSegmentsPerAck(false, acks);
        System.out.printf("two losses, new segments per ACK: PRR %s, RFC 5681 %s%n",
                Arrays.toString(withPrr), Arrays.toString(without));
        assertThat(sum(withPrr, 2, 11)).as("PRR, first nine ACKs of recovery").isEqualTo(4);
        assertThat(sum(without, 2, 11)).as("RFC 5681, first nine ACKs of recovery").isZero();
        assertThat(Arrays.copyOfRange(withPrr, 21, 40)).containsOnly(1);
        assertThat(Arrays.copyOfRange(without, 21, 40)).containsOnly(1);
    }

    private static TcpConfig config(boolean prr) {
        return TcpTestNet.testConfig().receiveBufferSize(4 << 20).sendBufferSize(4 << 20).prr(prr);
    }

    /** Both ends as {@link #config}, the receiver without SACK: NewReno recovery. */
    private static TcpTestNet withoutSack(boolean prr) {
        return new TcpTestNet(config(prr), config(prr).sack(false));
    }

    /** New data segments the sender put out within {@code span} after its fast retransmission of one loss. */
    private static long newSegmentsSoonAfterTheFastRetransmit(boolean prr, long span) {
        try (TcpTestNet net = withoutSack(prr)) {
            net.latencyNanos = 2_000 * US;
            net.rateBytesPerSecond = 12_500_000; // ACKs come back one segment time (116 us) apart
            Peer[] p = connect(net);
            assertThat(p[0].conn.sender.recovery).isInstanceOf(RenoRecovery.class);
            net.filter = dropNth('a', Set.of(150));
            p[0].send(1 << 20, 7);
            assertThat(net.runUntil(() -> p[1].received.size() == 1 << 20, Duration.ofSeconds(30))).isTrue();
            assertThat(p[1].receivedPattern(1 << 20, 7)).isTrue();
            assertThat(net.a.layer.extCounters().renoRecoveries).isEqualTo(1);
            assertThat(p[0].conn.sender.timeouts).isZero();
            long n = TcpPrrTest.newSegmentsSoonAfterTheFirstRetransmission(net, span);
            closeBoth(net, p);
            return n;
        }
    }

    /**
     * The SACK-less version of TcpPrrTest's test: without PRR, NewReno's cwnd of ssthresh + 3 SMSS + 1 SMSS per
     * further duplicate ACK stays under the flight until 0.3 of it (CUBIC) has been acknowledged; with PRR every
     * duplicate ACK from the first one releases about 0.7 segments.
     */
    @Test
    void sendingFollowsTheAckClockFromTheStartOfRecovery() {
        long span = 1_200 * US; // about ten ACKs
        long withPrr = newSegmentsSoonAfterTheFastRetransmit(true, span);
        long without = newSegmentsSoonAfterTheFastRetransmit(false, span);
        System.out.printf("no SACK, new segments within 1.2 ms of the fast retransmit: PRR %d, RFC 5681 %d%n",
                withPrr, without);
        assertThat(withPrr).isGreaterThanOrEqualTo(5);
        assertThat(without).isZero();
    }
}
