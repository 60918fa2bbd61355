package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SipHash-2-4 against the vectors of the paper (appendix A) and the reference implementation. */
class SipHashTest {
    // key 00 01 .. 0f read little-endian
    private static final long K0 = 0x0706050403020100L;
    private static final long K1 = 0x0f0e0d0c0b0a0908L;

    /** Message bytes 00 01 .. (len-1) as the two little-endian words. */
    private static long hash(int len) {
        long w0 = 0;
        long w1 = 0;
        for (int i = 0; i < len; i++) {
            if (i < 8) {
                w0 |= (long) i << (8 * i);
            } else {
                w1 |= (long) i << (8 * (i - 8));
            }
        }
        return SipHash.hash(K0, K1, w0, w1, len);
    }

    @Test
    void referenceVectors() {
        assertThat(hash(0)).isEqualTo(0x726fdb47dd0e0e31L);
        assertThat(hash(1)).isEqualTo(0x74f839c593dc67fdL);
        assertThat(hash(2)).isEqualTo(0x0d6c8009d9a94f5aL);
        assertThat(hash(8)).isEqualTo(0x93f5f5799a932462L);
        assertThat(hash(15)).isEqualTo(0xa129ca6149be45e5L);
    }

    @Test
    void rejectsLongMessages() {
        assertThatThrownBy(() -> SipHash.hash(0, 0, 0, 0, 16)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isnDependsOnTupleKeyAndClock() {
        IsnGenerator a = new IsnGenerator(new SplittableRandom(1));
        IsnGenerator b = new IsnGenerator(new SplittableRandom(2));
        int ip1 = 0x0A000001;
        int ip2 = 0x0A000002;
        int base = a.isn(ip1, 1000, ip2, 80, 0);
        assertThat(a.isn(ip1, 1000, ip2, 80, 0)).isEqualTo(base);
        assertThat(a.isn(ip1, 1001, ip2, 80, 0)).isNotEqualTo(base);
        assertThat(a.isn(ip1, 1000, ip2, 81, 0)).isNotEqualTo(base);
        assertThat(a.isn(ip2, 1000, ip1, 80, 0)).isNotEqualTo(base);
        assertThat(b.isn(ip1, 1000, ip2, 80, 0)).isNotEqualTo(base);
        // RFC 6528 / RFC 9293 3.4.1: M ticks every 4 microseconds
        assertThat(a.isn(ip1, 1000, ip2, 80, 4_000)).isEqualTo(base + 1);
        assertThat(a.isn(ip1, 1000, ip2, 80, 1_000_000)).isEqualTo(base + 250);
        assertThat(a.isn(ip1, 1000, ip2, 80, 3_999)).isEqualTo(base);
    }
}
