package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 9937 arithmetic of Prr: the proportional part, PRR-CRB, PRR-SSRB, the forced fast retransmit, rounding. */
class PrrTest {
    private static final int SMSS = 1000;

    /** Sends what the window allows after an ACK (in whole segments) and returns how many segments went out. */
    private static int sendAllowed(Prr prr, int pipe) {
        int n = 0;
        while (prr.window() - pipe >= SMSS) {
            prr.onTransmit(SMSS);
            pipe += SMSS;
            n++;
        }
        return n;
    }

    @Test
    void aboveSsthreshSendsSsthreshOverRecoverFsOfWhatIsDeliveredWithoutBursts() {
        Prr prr = new Prr();
        prr.begin(40 * SMSS); // 40 segments outstanding, one lost; CUBIC's ssthresh: 28
        int pipe = 39 * SMSS;
        int total = 0;
        for (int ack = 1; ack <= 20; ack++) {
            pipe -= SMSS; // the ACK delivered one segment; pipe stays above ssthresh
            prr.onAck(SMSS, pipe, 28 * SMSS, false, SMSS);
            int sent = sendAllowed(prr, pipe);
            assertThat(sent).as("segments released by ACK %d", ack).isBetween(0, 1);
            pipe += sent * SMSS;
            total += sent;
            // CEIL(prr_delivered * ssthresh / RecoverFS) in whole segments, never more
            assertThat(prr.prrOut()).isEqualTo((long) Math.ceil(ack * 28.0 / 40) * SMSS);
        }
        assertThat(total).isEqualTo(14); // 20 segments delivered, 0.7 of them sent
        assertThat(pipe).isGreaterThan(28 * SMSS);
        assertThat(prr.prrDelivered()).isEqualTo(20L * SMSS);
    }

    @Test
    void theFirstAckAlwaysReleasesTheFastRetransmit() {
        Prr prr = new Prr();
        prr.begin(100 * SMSS);
        prr.onAck(SMSS, 96 * SMSS, 50 * SMSS, false, SMSS); // 50/100 of one segment, rounded up to a segment
        assertThat(prr.window() - 96 * SMSS).isEqualTo(SMSS);

        Prr byTimer = new Prr();
        byTimer.begin(10 * SMSS);
        byTimer.onAck(0, 8 * SMSS, 5 * SMSS, false, SMSS); // nothing delivered, nothing sent yet
        assertThat(byTimer.window() - 8 * SMSS).isEqualTo(SMSS);
    }

    @Test
    void belowSsthreshTheConservativeBoundSendsNoMoreThanWasDelivered() {
        Prr prr = new Prr();
        prr.begin(20 * SMSS);
        prr.onAck(SMSS, 17 * SMSS, 14 * SMSS, false, SMSS);
        prr.onTransmit(SMSS); // the fast retransmit
        // heavy loss: pipe fell far below ssthresh; the ACK delivered 2 segments, SND.UNA did not move
        prr.onAck(2 * SMSS, 5 * SMSS, 14 * SMSS, false, SMSS);
        assertThat(prr.window() - 5 * SMSS).isEqualTo(2 * SMSS); // max(prr_delivered - prr_out, DeliveredData)
    }

    @Test
    void belowSsthreshASafeAckAddsOneSegmentButNeverPassesSsthresh() {
        Prr prr = new Prr();
        prr.begin(20 * SMSS);
        prr.onAck(SMSS, 17 * SMSS, 14 * SMSS, false, SMSS);
        prr.onTransmit(SMSS);
        prr.onAck(2 * SMSS, 5 * SMSS, 14 * SMSS, true, SMSS); // SND.UNA advanced, no new loss: PRR-SSRB
        assertThat(prr.window() - 5 * SMSS).isEqualTo(3 * SMSS);
        prr.onTransmit(3 * SMSS);
        prr.onAck(4 * SMSS, 13 * SMSS, 14 * SMSS, true, SMSS); // 5 allowed by the bound, 1 left to ssthresh
        assertThat(prr.window()).isEqualTo(14 * SMSS);
    }

    @Test
    void anAckThatDeliversNothingReleasesNothingMore() {
        Prr prr = new Prr();
        prr.begin(20 * SMSS);
        prr.onAck(SMSS, 18 * SMSS, 14 * SMSS, false, SMSS);
        prr.onTransmit(SMSS);
        int window = prr.window();
        prr.onAck(0, 19 * SMSS, 14 * SMSS, false, SMSS);
        assertThat(prr.window()).isEqualTo(window);
    }
}
