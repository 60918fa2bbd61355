/*
 * ProgressLatch: how a benchmark thread waits for a byte count that another thread (a receiving engine or a reader
 * thread) advances: the producer publishes its running total, the waiter parks until the total reaches its goal and is
 * woken once, by the producer, when it does.
 */
package io.ustack.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** One producer thread ({@link #publish}), one waiting thread ({@link #await}). Allocates nothing. */
final class ProgressLatch {
    private static final long NONE = Long.MAX_VALUE;

    private final AtomicLong goal = new AtomicLong(NONE);
    private volatile long count;
    private volatile Thread waiter;

    /** Producer: the running total is now {@code total}; wakes the waiter once if its goal is reached. */
    void publish(long total) {
        count = total;
        long g = goal.get();
        if (total >= g && goal.compareAndSet(g, NONE)) {
            LockSupport.unpark(waiter);
        }
    }

    /** The last published total. */
    long count() {
        return count;
    }

    /** Waiter: parks until the published total reaches {@code target}; fails after {@code timeoutNanos}. */
    void await(long target, long timeoutNanos) {
        waiter = Thread.currentThread();
        goal.set(target);
        long deadline = System.nanoTime() + timeoutNanos;
        while (count < target) {
            LockSupport.parkNanos(this, 1_000_000L); // the 1 ms bound only guards against a lost wake-up
            if (System.nanoTime() - deadline > 0) {
                goal.set(NONE);
                throw new IllegalStateException("only " + count + " of " + target + " bytes arrived in time");
            }
        }
        goal.set(NONE);
    }
}
