package io.ustack.tcp;

import io.ustack.engine.Timer;
import io.ustack.engine.TimerWheel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The earliest-departure-time pacer: bursts of at most one timer tick, the rate exact on average. */
class PacerTest {
    private static final long MS = 1_000_000L;

    @Test
    void unpacedWhenTheRateIsZero() {
        TimerWheel wheel = new TimerWheel(0);
        Pacer p = new Pacer(wheel, new Timer(now -> { }));
        for (int i = 0; i < 1000; i++) {
            assertThat(p.mayTransmit(0, 0)).isTrue();
            p.onTransmit(1500, 0, 0);
        }
        assertThat(wheel.armedCount()).isZero();
    }

    @Test
    void releasesOneTickOfDataAtATimeAndKeepsTheRate() {
        TimerWheel wheel = new TimerWheel(0);
        int[] fired = new int[1];
        Timer timer = new Timer(now -> fired[0]++);
        Pacer p = new Pacer(wheel, timer);
        long rate = 15_000_000; // 15 MB/s: ten 1500-byte segments per millisecond
        long now = 0;
        int sent = 0;
        // a burst at time 0: one tick's worth (plus the segment due at the horizon), then the pacer holds
        while (p.mayTransmit(rate, now)) {
            p.onTransmit(1500, rate, now);
            sent++;
        }
        assertThat(sent).isEqualTo(11);
        assertThat(timer.isArmed()).isTrue();
        assertThat(timer.deadline()).isEqualTo(100_000L); // 11 segments = 1.1 ms, minus the 1 ms horizon
        // over the next 100 ms, sending whenever allowed at 100 us steps, the average is the rate
        for (now = 100_000L; now <= 100 * MS; now += 100_000L) {
            while (p.mayTransmit(rate, now)) {
                p.onTransmit(1500, rate, now);
                sent++;
            }
        }
        long bytes = (long) sent * 1500;
        assertThat(bytes).isBetween(rate / 10 - 1500, rate / 10 + 12 * 1500L); // 100 ms at 15 MB/s, plus a tick
    }

    @Test
    void idleTimeEarnsNoBurst() {
        TimerWheel wheel = new TimerWheel(0);
        Pacer p = new Pacer(wheel, new Timer(now -> { }));
        long rate = 1_500_000; // one 1500-byte segment per millisecond
        p.onTransmit(1500, rate, 0);
        // a second of silence, then: the first segment leaves at once, but only as many as the horizon allows
        long now = 1000 * MS;
        int sent = 0;
        while (p.mayTransmit(rate, now)) {
            p.onTransmit(1500, rate, now);
            sent++;
        }
        assertThat(sent).isEqualTo(2);
        assertThat(p.delay(now)).isEqualTo(2 * MS);
    }
}
