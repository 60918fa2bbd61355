/*
 * TimerWheel: a hashed timing wheel (Varghese and Lauck) driving every protocol timer of one stack: TCP
 * retransmission (RFC 6298), TIME_WAIT, delayed ACK, ARP expiry. Time is passed in; nothing here reads a clock.
 */
package io.ustack.engine;

/**
 * Hashed timing wheel with intrusive {@link Timer} nodes: O(1) schedule and cancel, no allocation.
 *
 * <p>Timers hash to slot {@code (deadline / tick) & mask}; a slot holds timers of every lap, and {@link #expire}
 * fires only those whose deadline has passed, so timers far in the future simply stay in their slot. A timer fires
 * at the first {@link #expire} call at or after its deadline. A task must not re-arm a timer at a deadline that is
 * not after the {@code now} it was given (it would fire again at once). Single-threaded (engine).
 */
public final class TimerWheel {
    private final long tickNanos;
    private final Timer[] heads;
    private final int mask;
    private long currentTick;
    private int armed;

    /** A wheel of {@code slots} (a power of two) of {@code tickNanos} each, starting at time {@code now}. */
    public TimerWheel(long tickNanos, int slots, long now) {
        if (Integer.bitCount(slots) != 1 || tickNanos <= 0) {
            throw new IllegalArgumentException("slots must be a power of two and tick positive");
        }
        this.tickNanos = tickNanos;
        this.heads = new Timer[slots];
        this.mask = slots - 1;
        this.currentTick = now / tickNanos;
    }

    /** 1 ms ticks, 1024 slots. */
    public TimerWheel(long now) {
        this(1_000_000L, 1024, now);
    }

    public int armedCount() {
        return armed;
    }

    /** Arms {@code t} to fire at {@code deadline} (re-arming it if it already is). */
    public void schedule(Timer t, long deadline) {
        if (t.slot >= 0) {
            unlink(t);
        }
        t.deadline = deadline;
        long tick = Math.max(deadline / tickNanos, currentTick);
        int slot = (int) (tick & mask);
        t.slot = slot;
        t.prev = null;
        t.next = heads[slot];
        if (t.next != null) {
            t.next.prev = t;
        }
        heads[slot] = t;
        armed++;
    }

    /** Disarms {@code t}; a no-op if it is not armed. */
    public void cancel(Timer t) {
        if (t.slot >= 0) {
            unlink(t);
        }
    }

    private void unlink(Timer t) {
        if (t.prev != null) {
            t.prev.next = t.next;
        } else {
            heads[t.slot] = t.next;
        }
        if (t.next != null) {
            t.next.prev = t.prev;
        }
        t.prev = null;
        t.next = null;
        t.slot = -1;
        armed--;
    }

    /**
     * Fires every timer whose deadline is at or before {@code now}. A task may re-arm its own or other timers.
     *
     * @return the number of timers fired
     */
    public int expire(long now) {
        long nowTick = now / tickNanos;
        if (nowTick < currentTick || armed == 0) {
            currentTick = Math.max(currentTick, nowTick);
            return 0;
        }
        int fired = 0;
        long lastTick = Math.min(nowTick, currentTick + mask);
        for (long tick = currentTick; tick <= lastTick; tick++) {
            fired += expireSlot((int) (tick & mask), now);
        }
        currentTick = nowTick;
        return fired;
    }

    private int expireSlot(int slot, long now) {
        int fired = 0;
        Timer t = heads[slot];
        while (t != null) {
            if (t.deadline <= now) {
                unlink(t);
                t.task.onTimer(now);
                fired++;
                // the task may have armed or cancelled timers of this slot: walk it again from its head
                t = heads[slot];
            } else {
                t = t.next;
            }
        }
        return fired;
    }

    /**
     * Nanoseconds from {@code now} until the earliest armed deadline (0 if one is due), or {@code Long.MAX_VALUE}
     * if nothing is armed. Used to size the engine's idle wait.
     */
    public long nanosUntilNext(long now) {
        if (armed == 0) {
            return Long.MAX_VALUE;
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i <= mask; i++) {
            int slot = (int) ((currentTick + i) & mask);
            for (Timer t = heads[slot]; t != null; t = t.next) {
                best = Math.min(best, t.deadline);
            }
            if (best != Long.MAX_VALUE && best <= (currentTick + i + 1) * tickNanos) {
                break; // nothing in later slots of this lap can be earlier than this
            }
        }
        return Math.max(0, best - now);
    }
}
