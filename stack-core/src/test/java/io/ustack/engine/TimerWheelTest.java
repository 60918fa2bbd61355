package io.ustack.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class TimerWheelTest {
    static final long MS = 1_000_000L;

    @Test
    void firesAtOrAfterDeadlineNeverBefore() {
        TimerWheel w = new TimerWheel(0);
        List<Long> fired = new ArrayList<>();
        Timer t = new Timer(fired::add);
        w.schedule(t, 5 * MS + 300);
        assertThat(w.expire(5 * MS)).isZero();
        assertThat(t.isArmed()).isTrue();
        assertThat(w.expire(5 * MS + 300)).isEqualTo(1);
        assertThat(fired).containsExactly(5 * MS + 300);
        assertThat(t.isArmed()).isFalse();
        assertThat(w.armedCount()).isZero();
    }

    @Test
    void timersBeyondOneLapWaitForTheirDeadline() {
        TimerWheel w = new TimerWheel(MS, 16, 0);
        List<Long> fired = new ArrayList<>();
        Timer t = new Timer(fired::add);
        w.schedule(t, 100 * MS); // six laps ahead
        for (long now = 0; now < 100 * MS; now += MS) {
            w.expire(now);
        }
        assertThat(fired).isEmpty();
        w.expire(100 * MS);
        assertThat(fired).containsExactly(100 * MS);
    }

    @Test
    void cancelAndRearm() {
        TimerWheel w = new TimerWheel(0);
        int[] count = new int[1];
        Timer t = new Timer(now -> count[0]++);
        w.schedule(t, 10 * MS);
        w.cancel(t);
        w.cancel(t); // idempotent
        w.expire(20 * MS);
        assertThat(count[0]).isZero();
        w.schedule(t, 30 * MS);
        w.schedule(t, 40 * MS); // re-arming moves it
        assertThat(w.armedCount()).isEqualTo(1);
        w.expire(35 * MS);
        assertThat(count[0]).isZero();
        w.expire(40 * MS);
        assertThat(count[0]).isEqualTo(1);
    }

    @Test
    void aTaskMayCancelAnotherTimerOfTheSameSlot() {
        TimerWheel w = new TimerWheel(0);
        List<String> fired = new ArrayList<>();
        Timer b = new Timer(now -> fired.add("b"));
        Timer a = new Timer(now -> {
            fired.add("a");
            w.cancel(b);
        });
        w.schedule(b, 5 * MS);
        w.schedule(a, 5 * MS);
        w.expire(6 * MS);
        assertThat(fired).containsExactly("a");
    }

    @Test
    void aTaskMayRearmItselfForLater() {
        TimerWheel w = new TimerWheel(0);
        List<Long> fired = new ArrayList<>();
        Timer[] self = new Timer[1];
        self[0] = new Timer(now -> {
            fired.add(now);
            if (fired.size() < 3) {
                w.schedule(self[0], now + 10 * MS);
            }
        });
        w.schedule(self[0], 10 * MS);
        for (long now = 0; now <= 100 * MS; now += MS) {
            w.expire(now);
        }
        assertThat(fired).containsExactly(10 * MS, 20 * MS, 30 * MS);
    }

    @Test
    void longIdleGapFiresEverythingDue() {
        TimerWheel w = new TimerWheel(MS, 64, 0);
        int[] count = new int[1];
        for (int i = 1; i <= 500; i++) {
            w.schedule(new Timer(now -> count[0]++), i * 7 * MS);
        }
        w.expire(10_000 * MS);
        assertThat(count[0]).isEqualTo(500);
    }

    @Test
    void nanosUntilNextFindsTheEarliestDeadline() {
        TimerWheel w = new TimerWheel(MS, 64, 0);
        assertThat(w.nanosUntilNext(0)).isEqualTo(Long.MAX_VALUE);
        SplittableRandom r = new SplittableRandom(1);
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 200; i++) {
            long d = r.nextLong(1, 10_000) * MS / 10;
            min = Math.min(min, d);
            w.schedule(new Timer(now -> { }), d);
        }
        assertThat(w.nanosUntilNext(0)).isEqualTo(min);
    }

    @Test
    void randomScheduleFiresEachTimerOnceInDeadlineOrderPerTick() {
        TimerWheel w = new TimerWheel(MS, 128, 0);
        SplittableRandom r = new SplittableRandom(42);
        long[] firedAt = new long[2000];
        long[] deadlines = new long[2000];
        for (int i = 0; i < deadlines.length; i++) {
            int id = i;
            deadlines[i] = r.nextLong(0, 5_000 * MS);
            w.schedule(new Timer(now -> firedAt[id] = now), deadlines[i]);
        }
        for (long now = 0; now <= 5_001 * MS; now += r.nextLong(1, 3 * MS)) {
            w.expire(now);
        }
        w.expire(6_000 * MS);
        for (int i = 0; i < deadlines.length; i++) {
            assertThat(firedAt[i]).isGreaterThanOrEqualTo(deadlines[i]).isLessThanOrEqualTo(deadlines[i] + 3 * MS);
        }
    }
}
