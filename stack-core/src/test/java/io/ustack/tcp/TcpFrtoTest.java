package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.ustack.tcp.TcpDataTransferTest.closeBoth;
import static io.ustack.tcp.TcpDataTransferTest.connect;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 5682 F-RTO on the simulated wire, with SACK (section 3) and without it (section 2, NewReno), each case beside the
 * conventional RTO recovery ({@code frto(false)}).
 */
class TcpFrtoTest {
    private static final long MS = 1_000_000L;
    private static final int SIZE = 2 << 20;

    private record Run(long retransmits, long spuriousRtos, int timeouts, int cwndAfter, int cwndBefore) {
    }

    /**
     * The forward path stalls for 350 ms from the 100th data segment on (a radio hand-over, a paused VM): what is sent
     * meanwhile arrives late, in order, all at once. The retransmission timer fires in the stall.
     */
    private static Run stall(boolean frto, boolean sack) {
        TcpConfig cfg = TcpTestNet.testConfig().frto(frto).sack(sack);
        try (TcpTestNet net = new TcpTestNet(cfg, new TcpConfig(cfg))) {
            net.latencyNanos = 10 * MS;
            Peer[] p = connect(net);
            assertThat(p[0].conn.sender.recovery).isInstanceOf(sack ? SackRecovery.class : RenoRecovery.class);
            long[] stallStart = {-1};
            int[] dataSegments = {0};
            int[] cwndBefore = {0};
            net.filter = s -> {
                if (s.from() == 'a' && s.length() > 0 && ++dataSegments[0] == 100) {
                    stallStart[0] = s.time();
                    cwndBefore[0] = p[0].conn.sender.cc.cwnd();
                }
                long stallEnd = stallStart[0] + 350 * MS;
                return s.from() == 'a' && stallStart[0] >= 0 && s.time() < stallEnd
                        ? TcpTestNet.Fate.delay(Duration.ofNanos(stallEnd - s.time())) : TcpTestNet.Fate.DELIVER;
            };
            p[0].send(SIZE, 3);
            assertThat(net.runUntil(() -> p[1].received.size() == SIZE, Duration.ofSeconds(60))).isTrue();
            assertThat(p[1].receivedPattern(SIZE, 3)).isTrue();
            TcpSender snd = p[0].conn.sender;
            Run r = new Run(net.a.counters.tcpRetransmits, net.a.layer.extCounters().spuriousRtos, snd.timeouts,
                    snd.cc.cwnd(), cwndBefore[0]);
            closeBoth(net, p);
            return r;
        }
    }

    @Test
    void aStallLongerThanTheRtoIsFoundSpuriousWithOneRetransmission() {
        stallIsSpurious(true);
    }

    @Test
    void withoutSackAStallLongerThanTheRtoIsFoundSpuriousWithOneRetransmission() {
        stallIsSpurious(false);
    }

    private static void stallIsSpurious(boolean sack) {
        Run frto = stall(true, sack);
        Run conventional = stall(false, sack);
        System.out.println("stall (sack " + sack + "): F-RTO " + frto + "; conventional " + conventional);
        assertThat(frto.timeouts).isEqualTo(1);
        assertThat(frto.spuriousRtos).isEqualTo(1);
        assertThat(frto.retransmits).isEqualTo(1); // the first segment only; go-back-N resends more
        assertThat(conventional.retransmits).isGreaterThan(frto.retransmits);
        assertThat(conventional.spuriousRtos).isZero();
        assertThat(frto.cwndAfter).isGreaterThanOrEqualTo(frto.cwndBefore); // the reduction was undone
    }

    /**
     * The forward path loses everything for 150 ms from the 100th data segment on (the flight and the tail loss
     * probe), so the timer fires. F-RTO retransmits the first segment, sends two new ones when it is acknowledged,
     * and their duplicate ACKs show the original flight did not arrive: the conventional recovery repairs it, with the
     * same number of retransmissions and no undo.
     */
    private static long[] blackout(boolean frto, boolean sack) {
        TcpConfig cfg = TcpTestNet.testConfig().frto(frto).sack(sack);
        try (TcpTestNet net = new TcpTestNet(cfg, new TcpConfig(cfg))) {
            net.latencyNanos = 10 * MS;
            Peer[] p = connect(net);
            assertThat(p[0].conn.sender.recovery).isInstanceOf(sack ? SackRecovery.class : RenoRecovery.class);
            long[] start = {-1};
            int[] dataSegments = {0};
            net.filter = s -> {
                if (s.from() == 'a' && s.length() > 0 && ++dataSegments[0] == 100) {
                    start[0] = s.time();
                }
                return s.from() == 'a' && start[0] >= 0 && s.time() - start[0] < 150 * MS
                        ? TcpTestNet.Fate.DROP : TcpTestNet.Fate.DELIVER;
            };
            long t0 = net.now();
            p[0].send(SIZE, 5);
            assertThat(net.runUntil(() -> p[1].received.size() == SIZE, Duration.ofSeconds(60))).isTrue();
            assertThat(p[1].receivedPattern(SIZE, 5)).isTrue();
            long[] r = {net.a.counters.tcpRetransmits, net.a.layer.extCounters().spuriousRtos,
                p[0].conn.sender.timeouts, net.now() - t0, net.log.stream().filter(TcpTestNet.Sent::dropped).count(),
                newSegmentsBetweenTheFirstTwoRetransmissions(net.sentBy('a'))};
            closeBoth(net, p);
            return r;
        }
    }

    /** Segments of new data sent after the first retransmission and before the second. */
    private static long newSegmentsBetweenTheFirstTwoRetransmissions(List<TcpTestNet.Sent> sent) {
        int highest = 0;
        boolean started = false;
        boolean retransmitted = false;
        long n = 0;
        for (TcpTestNet.Sent s : sent) {
            if (s.length() == 0) {
                continue;
            }
            boolean retransmission = started && SequenceNumbers.lt(s.seq(), highest);
            if (retransmission && retransmitted) {
                return n;
            }
            if (retransmission) {
                retransmitted = true;
            } else if (retransmitted) {
                n++;
            }
            if (!started || SequenceNumbers.gt(s.seq() + s.length(), highest)) {
                highest = s.seq() + s.length();
                started = true;
            }
        }
        return n;
    }

    @Test
    void aRealLossOfTheWholeFlightIsRepairedAsWithoutFrto() {
        blackoutIsRepaired(true);
    }

    @Test
    void withoutSackARealLossOfTheWholeFlightIsRepairedAsWithoutFrto() {
        blackoutIsRepaired(false);
    }

    private static void blackoutIsRepaired(boolean sack) {
        long[] frto = blackout(true, sack);
        long[] conventional = blackout(false, sack);
        System.out.printf("blackout (sack " + sack + "): F-RTO %d retransmissions, %d spurious, %d timeouts, %d ms; conventional %d, %d, "
                + "%d, %d ms (%d segments lost)%n", frto[0], frto[1], frto[2], frto[3] / MS, conventional[0],
                conventional[1], conventional[2], conventional[3] / MS, frto[4]);
        assertThat(frto[2]).isEqualTo(1);
        assertThat(frto[5]).as("new segments F-RTO sent to test the timeout (step 2b)").isEqualTo(2);
        assertThat(conventional[5]).isZero();
        assertThat(frto[1]).as("timeouts deemed spurious").isZero();
        assertThat(frto[0]).isGreaterThanOrEqualTo(frto[4] - 1).isLessThanOrEqualTo(conventional[0] + 2);
        assertThat(frto[3]).isLessThanOrEqualTo(conventional[3] + 25 * MS); // at most about one round trip later
    }
}
