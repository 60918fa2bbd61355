/*
 * Clock: the one source of time for a stack. Components never read time themselves: the engine reads the clock
 * once per loop turn and passes `now` (nanoseconds) down, so tests can drive everything with a ManualClock.
 */
package io.ustack.engine;

/** Monotonic nanoseconds (like {@link System#nanoTime()}); only differences are meaningful. */
@FunctionalInterface
public interface Clock {
    long nanos();

    Clock SYSTEM = System::nanoTime;
}
