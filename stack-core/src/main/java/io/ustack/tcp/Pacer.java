/*
 * Pacer: spreads a sender's segments out at the pacing rate its congestion control asks for (BBR,
 * draft-cardwell-iccrg-bbr-congestion-control-00 section 4.2.1) with an earliest-departure-time clock, as Linux's
 * internal TCP pacing does: every segment sent moves the next departure time on by its length over the rate (never
 * from a time in the past: idle time earns no burst), and a segment may leave while that time is at most one timer
 * tick ahead of now. The stack's timers have 1 ms ticks, so a paced sender releases about a tick's worth of data at
 * a time (rate x 1 ms, at least one segment) and averages the rate exactly. Allocation-free.
 */
package io.ustack.tcp;

import io.ustack.engine.Timer;
import io.ustack.engine.TimerWheel;

/** Pacing of one sender. Engine thread only. */
final class Pacer {
    /** How far ahead of the pacing clock a segment may leave: one tick of the stack's timer wheel. */
    static final long HORIZON_NANOS = 1_000_000L;

    private final TimerWheel timers;
    private final Timer timer;
    /** When the next segment is due at the pacing rate. */
    private long nextDeparture;
    private boolean started;

    Pacer(TimerWheel timers, Timer timer) {
        this.timers = timers;
        this.timer = timer;
    }

    /**
     * Whether a segment may leave now at {@code rateBytesPerSecond} (0: not paced). If not, the timer is armed for
     * the moment it may, and the sender stops until then.
     */
    boolean mayTransmit(long rateBytesPerSecond, long now) {
        if (rateBytesPerSecond <= 0 || !started || nextDeparture - now <= HORIZON_NANOS) {
            return true;
        }
        if (!timer.isArmed()) {
            timers.schedule(timer, nextDeparture - HORIZON_NANOS);
        }
        return false;
    }

    /** {@code bytes} left at {@code now}: the departure clock moves on by their time at the rate. */
    void onTransmit(int bytes, long rateBytesPerSecond, long now) {
        if (rateBytesPerSecond <= 0) {
            return;
        }
        if (!started || nextDeparture - now < 0) {
            nextDeparture = now;
            started = true;
        }
        nextDeparture += (long) (bytes * 1e9 / rateBytesPerSecond);
    }

    /** Nanoseconds until the next departure is due (0 if due now or not paced): for tests and toString. */
    long delay(long now) {
        return started ? Math.max(0, nextDeparture - now) : 0;
    }

    void cancel() {
        timers.cancel(timer);
    }
}
