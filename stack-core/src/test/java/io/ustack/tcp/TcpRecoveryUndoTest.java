package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.ustack.tcp.TcpDataTransferTest.closeBoth;
import static io.ustack.tcp.TcpDataTransferTest.connect;
import static io.ustack.tcp.TcpTestNet.testConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 3708 detection of a spurious episode by D-SACK and the undo of its window reduction (RecoveryUndo): when only
 * ACKs are lost, the retransmission timer fires although every byte arrived; the receiver reports the retransmission
 * as a duplicate, and the sender goes back to the window it had.
 */
class TcpRecoveryUndoTest {
    private static final long MS = 1_000_000L;

    @Test
    void aTimeoutCausedOnlyByLostAcksIsUndoneByTheDsack() {
        try (TcpTestNet net = new TcpTestNet(testConfig(), testConfig())) {
            Peer[] p = connect(net);
            p[0].send(64 * 1024, 1);
            assertThat(net.runUntil(() -> p[1].received.size() == 64 * 1024, Duration.ofSeconds(5))).isTrue();
            TcpSender s = p[0].conn.sender;
            int cwnd = s.cc.cwnd();
            int ssthresh = s.cc.ssthresh();
            // every ACK b sends is lost until a's retransmission timer has fired (the tail loss probe's too)
            net.filter = x -> x.from() == 'b' && x.length() == 0 && s.timeouts == 0 ? TcpTestNet.Fate.DROP
                    : TcpTestNet.Fate.DELIVER;
            p[0].send(64 * 1024 + 8 * 1448, 1);
            assertThat(net.runUntil(() -> s.timeouts > 0, Duration.ofSeconds(5))).isTrue();
            assertThat(p[1].received.size()).as("all data arrived, only ACKs were lost").isEqualTo(64 * 1024 + 8 * 1448);
            assertThat(s.cc.cwnd()).as("loss window after the timeout").isLessThan(cwnd);
            // b reports the retransmitted head as a duplicate (D-SACK), which undoes the reduction
            assertThat(net.runUntil(() -> s.sndUna == s.sndMax, Duration.ofSeconds(5))).isTrue();
            assertThat(s.timeouts).isEqualTo(1);
            TcpExtCounters c = net.a.layer.extCounters();
            assertThat(c.spuriousRecoveriesUndone).isEqualTo(1);
            assertThat(s.inRecovery).isFalse();
            assertThat(s.cc.cwnd()).isGreaterThanOrEqualTo(cwnd);
            assertThat(s.cc.ssthresh()).isGreaterThanOrEqualTo(ssthresh);
            assertThat(net.log).anySatisfy(x -> {
                assertThat(x.from()).isEqualTo('b');
                assertThat(x.sackBlocks()).isPositive();
                assertThat(x.sack()[0] - x.ack()).isNegative(); // a D-SACK: the block lies below the ACK
            });
            closeBoth(net, p);
        }
    }

    @Test
    void aRealLossIsNotUndone() {
        try (TcpTestNet net = new TcpTestNet(testConfig(), testConfig())) {
            Peer[] p = connect(net);
            p[0].send(64 * 1024, 1);
            assertThat(net.runUntil(() -> p[1].received.size() == 64 * 1024, Duration.ofSeconds(5))).isTrue();
            int[] dropped = {0};
            net.filter = x -> x.from() == 'a' && x.length() > 0 && dropped[0]++ == 3 ? TcpTestNet.Fate.DROP
                    : TcpTestNet.Fate.DELIVER;
            p[0].send(128 * 1024, 1);
            assertThat(net.runUntil(() -> p[1].received.size() == 128 * 1024, Duration.ofSeconds(5))).isTrue();
            TcpExtCounters c = net.a.layer.extCounters();
            assertThat(c.sackRecoveries).isEqualTo(1);
            assertThat(c.spuriousRecoveriesUndone).isZero();
            closeBoth(net, p);
        }
    }
}
