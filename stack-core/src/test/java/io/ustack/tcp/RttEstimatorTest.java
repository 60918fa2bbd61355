package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Against the arithmetic of RFC 6298 sections 2 and 5, worked by hand. */
class RttEstimatorTest {
    private static final long MS = 1_000_000L;

    @Test
    void initialRtoIsTheConfiguredOneSecond() {
        RttEstimator e = new RttEstimator(1000 * MS, 200 * MS, 60_000 * MS);
        assertThat(e.rto()).isEqualTo(1000 * MS);
        assertThat(e.hasSample()).isFalse();
    }

    @Test
    void firstAndSubsequentSamples() {
        RttEstimator e = new RttEstimator(1000 * MS, 200 * MS, 60_000 * MS);
        // 2.2: R = 100 ms -> SRTT 100, RTTVAR 50, RTO = 100 + max(G, 4*50) = 300 ms
        e.sample(100 * MS);
        assertThat(e.srtt()).isEqualTo(100 * MS);
        assertThat(e.rttvar()).isEqualTo(50 * MS);
        assertThat(e.rto()).isEqualTo(300 * MS);
        // 2.3: R' = 200 ms -> RTTVAR = 3/4*50 + 1/4*|100-200| = 62.5; SRTT = 7/8*100 + 1/8*200 = 112.5
        e.sample(200 * MS);
        assertThat(e.rttvar()).isEqualTo(62_500_000L);
        assertThat(e.srtt()).isEqualTo(112_500_000L);
        // RTO = 112.5 + 4*62.5 = 362.5 ms
        assertThat(e.rto()).isEqualTo(362_500_000L);
        // R' = 112.5 ms exactly: RTTVAR = 3/4*62.5 = 46.875, SRTT unchanged
        e.sample(112_500_000L);
        assertThat(e.rttvar()).isEqualTo(46_875_000L);
        assertThat(e.srtt()).isEqualTo(112_500_000L);
        assertThat(e.rto()).isEqualTo(112_500_000L + 4 * 46_875_000L);
    }

    @Test
    void lowerBoundAppliesToSmallRtts() {
        RttEstimator e = new RttEstimator(1000 * MS, 200 * MS, 60_000 * MS);
        e.sample(1 * MS); // 1 + max(1 ms G, 2 ms) = 3 ms -> clamped to 200 ms (2.4)
        assertThat(e.rto()).isEqualTo(200 * MS);
        RttEstimator rfc = new RttEstimator(1000 * MS, 1000 * MS, 60_000 * MS);
        rfc.sample(10 * MS);
        assertThat(rfc.rto()).isEqualTo(1000 * MS);
    }

    @Test
    void clockGranularityIsTheFloorOfTheVarianceTerm() {
        RttEstimator e = new RttEstimator(1000 * MS, 1, 60_000 * MS);
        for (int i = 0; i < 200; i++) {
            e.sample(50 * MS); // RTTVAR decays towards 0
        }
        assertThat(e.rto()).isEqualTo(50 * MS + RttEstimator.CLOCK_GRANULARITY_NANOS);
    }

    @Test
    void backoffDoublesUpToTheMaximumAndASampleClearsIt() {
        RttEstimator e = new RttEstimator(1000 * MS, 200 * MS, 60_000 * MS);
        long[] expected = {2000, 4000, 8000, 16000, 32000, 60000, 60000};
        for (long ms : expected) {
            e.backOff();
            assertThat(e.rto()).isEqualTo(ms * MS);
        }
        e.sample(100 * MS);
        assertThat(e.rto()).isEqualTo(300 * MS);
        assertThat(e.backoffCount()).isZero();
    }

    @Test
    void lostSynMeansThreeSecondsAfterTheHandshake() {
        RttEstimator e = new RttEstimator(1000 * MS, 200 * MS, 60_000 * MS);
        e.backOff();
        e.onSynRetransmittedHandshakeDone(); // 5.7
        assertThat(e.rto()).isEqualTo(3000 * MS);
        RttEstimator sampled = new RttEstimator(1000 * MS, 200 * MS, 60_000 * MS);
        sampled.sample(100 * MS);
        sampled.onSynRetransmittedHandshakeDone();
        assertThat(sampled.rto()).isEqualTo(300 * MS);
    }

    @Test
    void upperBound() {
        RttEstimator e = new RttEstimator(1000 * MS, 200 * MS, 60_000 * MS);
        e.sample(50_000 * MS); // 50 s + 4 * 25 s -> capped at 60 s
        assertThat(e.rto()).isEqualTo(60_000 * MS);
    }
}
