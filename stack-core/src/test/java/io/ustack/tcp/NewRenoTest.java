package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** NewReno window arithmetic, RFC 5681 and RFC 6582. */
class NewRenoTest {
    private static final int SMSS = 1460;

    @Test
    void initialWindowPerRfc5681() {
        assertThat(new NewReno(1460, InitialWindow.RFC3390).cwnd()).isEqualTo(4380); // min(5840, max(2920, 4380))
        assertThat(new NewReno(536, InitialWindow.RFC3390).cwnd()).isEqualTo(2144);  // 4 * 536
        assertThat(new NewReno(9000, InitialWindow.RFC3390).cwnd()).isEqualTo(18000); // 2 * SMSS
        assertThat(new NewReno(1460).ssthresh()).isEqualTo(Integer.MAX_VALUE);
    }

    /** RFC 6928 section 2, the default: min(10*MSS, max(2*MSS, 14600)). */
    @Test
    void initialWindowPerRfc6928() {
        assertThat(new NewReno(1460).cwnd()).isEqualTo(14600);
        assertThat(new NewReno(536).cwnd()).isEqualTo(5360);   // 10 * 536
        assertThat(new NewReno(1448).cwnd()).isEqualTo(14480); // 10 * 1448 (timestamps take 12 bytes)
        assertThat(new NewReno(9000).cwnd()).isEqualTo(18000); // 2 * SMSS
        assertThat(new Cubic(1460).cwnd()).isEqualTo(14600);
        assertThat(new TcpConfig().initialWindow()).isEqualTo(InitialWindow.RFC6928);
    }

    @Test
    void slowStartGrowsByAtMostTwoSmssPerAck() {
        NewReno r = new NewReno(SMSS);
        int w = r.cwnd();
        r.onAck(SMSS, 0);
        assertThat(r.cwnd()).isEqualTo(w + SMSS);
        r.onAck(3 * SMSS, 0); // one ACK for three segments: L = 2 SMSS (RFC 3465 2.2)
        assertThat(r.cwnd()).isEqualTo(w + 3 * SMSS);
        r.onAck(100, 0);
        assertThat(r.cwnd()).isEqualTo(w + 3 * SMSS + 100);
    }

    @Test
    void congestionAvoidanceAddsOneSmssPerWindow() {
        NewReno r = new NewReno(SMSS);
        r.onRetransmitTimeout(20 * SMSS, false, 0); // ssthresh = 10 SMSS, cwnd = 1 SMSS
        assertThat(r.ssthresh()).isEqualTo(10 * SMSS);
        assertThat(r.cwnd()).isEqualTo(SMSS);
        for (int i = 0; i < 9; i++) {
            r.onAck(SMSS, 0);
        }
        assertThat(r.cwnd()).isEqualTo(10 * SMSS); // reached ssthresh: now avoidance
        for (int i = 0; i < 9; i++) {
            r.onAck(SMSS, 0);
        }
        assertThat(r.cwnd()).isEqualTo(10 * SMSS);
        r.onAck(SMSS, 0); // a whole cwnd acknowledged
        assertThat(r.cwnd()).isEqualTo(11 * SMSS);
    }

    @Test
    void fastRecoveryInflatesAndDeflates() {
        NewReno r = new NewReno(SMSS);
        r.onEnterRecovery(10 * SMSS, 0);
        assertThat(r.ssthresh()).isEqualTo(5 * SMSS);
        assertThat(r.cwnd()).isEqualTo(8 * SMSS);
        r.onRecoveryDupAck();
        assertThat(r.cwnd()).isEqualTo(9 * SMSS);
        r.onPartialAck(2 * SMSS); // deflate by 2, add back 1
        assertThat(r.cwnd()).isEqualTo(8 * SMSS);
        r.onPartialAck(100); // less than SMSS: no add-back
        assertThat(r.cwnd()).isEqualTo(8 * SMSS - 100);
        r.onExitRecovery(3 * SMSS, 0); // min(ssthresh, max(flight, SMSS) + SMSS) = 4 SMSS
        assertThat(r.cwnd()).isEqualTo(4 * SMSS);
        NewReno s = new NewReno(SMSS);
        s.onEnterRecovery(10 * SMSS, 0);
        s.onExitRecovery(9 * SMSS, 0);
        assertThat(s.cwnd()).isEqualTo(5 * SMSS); // ssthresh
    }

    @Test
    void ssthreshHasAFloorOfTwoSegmentsAndRepeatedTimeoutsKeepIt() {
        NewReno r = new NewReno(SMSS);
        r.onRetransmitTimeout(SMSS, false, 0);
        assertThat(r.ssthresh()).isEqualTo(2 * SMSS);
        r.onRetransmitTimeout(100 * SMSS, false, 0);
        assertThat(r.ssthresh()).isEqualTo(50 * SMSS);
        r.onRetransmitTimeout(SMSS, true, 0); // same segment again: ssthresh held
        assertThat(r.ssthresh()).isEqualTo(50 * SMSS);
        assertThat(r.cwnd()).isEqualTo(SMSS);
    }

    @Test
    void mssChangeBeforeAnyTrafficResetsTheInitialWindow() {
        NewReno r = new NewReno(536);
        r.mss(1460);
        assertThat(r.cwnd()).isEqualTo(14600);
        NewReno old = new NewReno(536, InitialWindow.RFC3390);
        old.mss(1460);
        assertThat(old.cwnd()).isEqualTo(4380);
    }
}
