package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Delivery rate samples (draft-cheng-iccrg-delivery-rate-estimation) from the scoreboard's per-segment snapshots. */
class DeliveryRateTest {
    private static final long US = 1_000L;

    @Test
    void aFlightDeliveredOneRoundLaterGivesItsRate() {
        SackScoreboard board = new SackScoreboard(64);
        DeliveryRate rate = board.rate();
        // ten 1000-byte segments, one every 10 us from t = 0
        for (int i = 0; i < 10; i++) {
            board.append(i * 1000, (i + 1) * 1000, i * 10 * US);
        }
        // the first five are cumulatively acknowledged at 100 us: the send interval (40 us) is shorter than the ACK
        // interval (100 us), so the sample is 5000 bytes over 100 us
        board.beginAck(100 * US);
        board.cumulativeAck(5000);
        assertThat(rate.generate()).isTrue();
        assertThat(rate.sampleDelivered).isEqualTo(5000);
        assertThat(rate.interval).isEqualTo(100 * US);
        assertThat(rate.rateBytesPerSecond()).isEqualTo(50_000_000L);
        assertThat(rate.newlyDelivered()).isEqualTo(5000);
        // the rest at 150 us: delivered since segment 9 went out (delivered 0 then, at time 0): 10000 bytes; the
        // send interval 90 us (its first_sent_time 0 .. sent 90 us), the ACK interval 150 us
        board.beginAck(150 * US);
        board.cumulativeAck(10000);
        assertThat(rate.generate()).isTrue();
        assertThat(rate.sampleDelivered).isEqualTo(10000);
        assertThat(rate.interval).isEqualTo(150 * US);
        assertThat(rate.delivered()).isEqualTo(10000);
    }

    @Test
    void aRetransmissionIsSampledFromItsNewTransmission() {
        SackScoreboard board = new SackScoreboard(64);
        DeliveryRate rate = board.rate();
        for (int i = 0; i < 4; i++) {
            board.append(i * 1000, (i + 1) * 1000, i * US);
        }
        board.beginAck(50 * US);
        board.cumulativeAck(1000);
        rate.generate();
        // segment 1 is deemed lost and retransmitted at 61 us: its record takes the delivery state of that moment
        board.beginAck(60 * US);
        board.markLost(0); // index 0 is now [1000, 2000)
        board.markRetransmitted(0, 61 * US);
        assertThat(rate.hasSample()).isFalse();
        board.beginAck(70 * US);
        board.cumulativeAck(1000); // nothing new
        assertThat(rate.hasSample()).isFalse();
        long before = rate.delivered();
        board.beginAck(120 * US);
        board.cumulativeAck(4000); // the retransmission and the two above it
        assertThat(rate.delivered() - before).isEqualTo(3000);
        assertThat(rate.generate()).isTrue();
        // the newest transmission among them is the retransmission at 61 us, sent when 1000 bytes were delivered
        assertThat(rate.priorDelivered()).isEqualTo(1000);
        assertThat(rate.sampleDelivered).isEqualTo(3000);
    }

    @Test
    void samplesShorterThanTheMinimumRttAreNotTrusted() {
        SackScoreboard board = new SackScoreboard(64);
        DeliveryRate rate = board.rate();
        rate.onRttSample(200 * US);
        board.append(0, 1000, 0);
        board.beginAck(50 * US); // an interval of 50 us on a path whose RTT is at least 200 us: compressed ACKs
        board.cumulativeAck(1000);
        assertThat(rate.generate()).isFalse();
        assertThat(rate.hasSample()).isTrue();
    }

    @Test
    void applicationLimitedMarkLastsUntilTheFlightIsDelivered() {
        SackScoreboard board = new SackScoreboard(64);
        DeliveryRate rate = board.rate();
        board.append(0, 1000, 0);
        rate.markAppLimited(1000); // the sender ran dry with 1000 bytes in flight
        board.append(1000, 2000, 10 * US);
        board.beginAck(100 * US);
        board.cumulativeAck(1000);
        rate.generate();
        assertThat(rate.sampleAppLimited()).isFalse(); // sent before the mark
        assertThat(rate.appLimitedNow()).isTrue(); // delivered (1000) has reached the mark but not passed it
        board.beginAck(120 * US);
        board.cumulativeAck(2000);
        rate.generate();
        assertThat(rate.sampleAppLimited()).isTrue(); // this one went out while application-limited
        assertThat(rate.appLimitedNow()).isFalse();
    }
}
