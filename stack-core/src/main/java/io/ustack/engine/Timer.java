/*
 * Timer: one re-armable timer owned by a protocol object (a TCB's retransmission timer, an ARP entry's expiry).
 * It is an intrusive node of the TimerWheel, so arming and cancelling allocate nothing.
 */
package io.ustack.engine;

/**
 * A timer that a {@link TimerWheel} fires once per arming. Create it once (with its task) when the owning object is
 * created and re-arm it as often as needed. Engine thread only.
 */
public final class Timer {
    /** What a timer does when it fires. {@code now} is the engine's time of this loop turn. */
    @FunctionalInterface
    public interface Task {
        void onTimer(long now);
    }

    final Task task;
    Timer prev;
    Timer next;
    long deadline;
    int slot = -1;

    public Timer(Task task) {
        this.task = task;
    }

    /** True while armed (scheduled and neither fired nor cancelled). */
    public boolean isArmed() {
        return slot >= 0;
    }

    /** The deadline of the current or last arming, in clock nanoseconds. */
    public long deadline() {
        return deadline;
    }
}
