package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 9937 arithmetic of Prr: the proportional part, PRR-CRB, PRR-SSRB, the forced fast retransmit, rounding, and
 * the DeliveredData estimated from duplicate ACKs without SACK (section 6.2).
 */
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

    /**
     * RFC 9937 6.2 without SACK: DeliveredData of one ACK, fed to Prr as RenoRecovery does (no SafeACK);
     * {@code flight}: SND.NXT - SND.UNA after the ACK.
     */
    private static int ackWithoutSack(Prr prr, int acked, boolean duplicate, int flight, int ssthresh) {
        int deliveredData = prr.deliveredWithoutSack(acked, duplicate, flight, SMSS);
        prr.onAck(deliveredData, flight - prr.dupAckEstimate(), ssthresh, false, SMSS);
        return deliveredData;
    }

    @Test
    void withoutSackEachDuplicateAckCountsOneSegmentAndTheAdvanceOfSndUnaOnlyTheRest() {
        Prr prr = new Prr();
        // the third duplicate ACK: 22 segments outstanding (two of them sent by limited transmit), the first lost,
        // two more delivered before recovery (the first two duplicate ACKs): RecoverFS = 20 segments
        prr.beginWithoutSack(22 * SMSS, 2 * SMSS, SMSS);
        assertThat(prr.dupAckEstimate()).isEqualTo(2 * SMSS);
        int flight = 22 * SMSS;
        int ssthresh = 11 * SMSS; // NewReno: half the flight
        prr.onTransmit(SMSS); // the fast retransmission of the hole
        int newSegments = 0;
        int[] perAck = new int[19];
        for (int ack = 0; ack < 19; ack++) { // duplicate ACKs 3 to 21: the other segments above the hole
            assertThat(ackWithoutSack(prr, 0, true, flight, ssthresh)).isEqualTo(SMSS);
            int pipe = flight - prr.dupAckEstimate();
            assertThat(pipe).isEqualTo((22 + newSegments - 3 - ack) * SMSS); // the duplicate ACKs left the pipe
            perAck[ack] = sendAllowed(prr, pipe);
            newSegments += perAck[ack];
            flight += perAck[ack] * SMSS;
        }
        // ssthresh/RecoverFS = 11/20: the first duplicate ACK pays for the retransmission, then about one new
        // segment for every second one from the start of recovery, until pipe is down to ssthresh (RFC 5681 alone:
        // nothing until cwnd = ssthresh + 3 SMSS + 1 SMSS per duplicate ACK passes the flight, after 8 more
        // duplicate ACKs, then one per duplicate ACK)
        assertThat(perAck).containsExactly(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1);
        assertThat(newSegments).isEqualTo(10);
        assertThat(flight - prr.dupAckEstimate()).as("pipe at the end").isEqualTo(ssthresh);
        assertThat(prr.prrDelivered()).isEqualTo(19L * SMSS);
        // a window update (not a duplicate, SND.UNA still) delivers nothing and changes nothing
        int window = prr.window();
        assertThat(ackWithoutSack(prr, 0, false, flight, ssthresh)).isZero();
        assertThat(prr.window()).isEqualTo(window);
        // the retransmission arrives: SND.UNA passes the hole and the 21 segments, of which only the hole is new
        assertThat(prr.deliveredWithoutSack(22 * SMSS, false, flight - 22 * SMSS, SMSS)).isEqualTo(SMSS);
        assertThat(prr.dupAckEstimate()).isZero();
    }

    @Test
    void withoutSackAnEstimateThatSndUnaDoesNotPassIsKeptSoNothingIsCountedTwice() {
        Prr prr = new Prr();
        prr.beginWithoutSack(30 * SMSS, 0, SMSS);
        int flight = 30 * SMSS;
        long delivered = 0;
        for (int i = 0; i < 12; i++) {
            delivered += ackWithoutSack(prr, 0, true, flight, 15 * SMSS);
        }
        // NewReno partial ACK: the retransmission filled the first hole, SND.UNA stops at the next one, 5 segments on;
        // the 12 duplicate ACKs came from segments above both holes
        int partial = ackWithoutSack(prr, 5 * SMSS, false, flight - 5 * SMSS, 15 * SMSS);
        assertThat(partial).isZero();
        assertThat(prr.dupAckEstimate()).isEqualTo(7 * SMSS);
        delivered += partial;
        delivered += ackWithoutSack(prr, 0, true, flight - 5 * SMSS, 15 * SMSS);
        // the second retransmission arrives: SND.UNA moves 11 segments, 8 of them counted by duplicate ACKs
        int full = ackWithoutSack(prr, 11 * SMSS, false, flight - 16 * SMSS, 15 * SMSS);
        assertThat(full).isEqualTo(3 * SMSS);
        delivered += full;
        assertThat(delivered).as("DeliveredData summed = the advance of SND.UNA").isEqualTo(16L * SMSS);
        assertThat(prr.prrDelivered()).isEqualTo(16L * SMSS);
        assertThat(prr.dupAckEstimate()).isZero();
    }

    @Test
    void withoutSackExtraneousDuplicateAcksClaimNoMoreThanIsOutstanding() {
        Prr prr = new Prr();
        prr.beginWithoutSack(10 * SMSS, 2 * SMSS, SMSS);
        prr.onTransmit(SMSS);
        int flight = 10 * SMSS;
        int sent = 0;
        for (int i = 0; i < 100; i++) { // a receiver that sends duplicate ACKs for nothing [Savage99]
            ackWithoutSack(prr, 0, true, flight, 5 * SMSS);
            // the estimate never covers the missing segment at SND.UNA: pipe keeps at least that one
            assertThat(prr.dupAckEstimate()).isLessThanOrEqualTo(flight - SMSS);
            int n = sendAllowed(prr, flight - prr.dupAckEstimate());
            assertThat(n).as("segments released by duplicate ACK %d", i + 1).isBetween(0, 1);
            sent += n;
            flight += n * SMSS;
        }
        // at most one new segment per duplicate ACK, as RFC 5681's inflation: the estimate never amplifies them
        assertThat(sent).isLessThan(100);
        // never more delivered than is outstanding, less the hole and the two delivered before recovery
        assertThat(prr.prrDelivered()).isLessThanOrEqualTo((long) flight - 3 * SMSS);
        assertThat(prr.prrOut()).isEqualTo(SMSS + (long) sent * SMSS);
    }
}
