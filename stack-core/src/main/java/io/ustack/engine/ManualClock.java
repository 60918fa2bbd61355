/*
 * ManualClock: a Clock that moves only when a test says so (deterministic timer tests, no sleeps).
 */
package io.ustack.engine;

import java.time.Duration;

/** A clock advanced by hand. Safe to read from any thread; advanced by the test driver. */
public final class ManualClock implements Clock {
    private volatile long now;

    public ManualClock() {
        this(1_000_000_000L);
    }

    public ManualClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanos() {
        return now;
    }

    public void advance(Duration d) {
        advanceNanos(d.toNanos());
    }

    public void advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a clock cannot go back: " + nanos);
        }
        now += nanos;
    }
}
