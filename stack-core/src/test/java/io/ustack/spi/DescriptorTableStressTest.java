/*
 * DescriptorTableStressTest: the concurrency harness for the descriptor table. Many threads run millions of
 * allocate/get/free operations against a shared table while an independent ownership bitmap (one atomic owner
 * word per slot) proves that no descriptor is ever handed out twice, that none is lost, that stale descriptors
 * never answer, and that "full" is never reported while a slot is free.
 */
package io.ustack.spi;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class DescriptorTableStressTest {

    /** The value a thread stores: identifies the owner thread. */
    private record Owner(int id) {
    }

    private static final class Harness {
        final DescriptorTable<Owner> table;
        final AtomicIntegerArray owner;
        final AtomicLong operations = new AtomicLong();
        final AtomicLong fullReports = new AtomicLong();
        final AtomicReference<String> failure = new AtomicReference<>();
        /** Chance in percent that a thread below its limit allocates rather than frees (high: near full). */
        int allocPercent = 50;

        Harness(int capacity, int stripes) {
            table = new DescriptorTable<>(capacity, stripes);
            owner = new AtomicIntegerArray(capacity);
        }

        void fail(String message) {
            failure.compareAndSet(null, message);
        }

        /**
         * One worker: holds at most {@code maxHeld} descriptors, randomly allocates or frees, checks every step
         * against the ownership bitmap, and keeps a ring of its freed descriptors to check they stay dead.
         */
        void work(int id, int ops, int maxHeld, boolean fullIsBug, CyclicBarrier start) throws Exception {
            int allocPercent = this.allocPercent;
            Owner me = new Owner(id);
            SplittableRandom rnd = new SplittableRandom(id * 7919L);
            int[] held = new int[maxHeld];
            int n = 0;
            int[] stale = new int[64];
            int staleCount = 0;
            start.await();
            for (int op = 0; op < ops && failure.get() == null; op++) {
                boolean alloc = n == 0 || (n < maxHeld && rnd.nextInt(100) < allocPercent);
                if (alloc) {
                    int d = table.allocate(me);
                    if (d == Winsock.INVALID_SOCKET) {
                        fullReports.incrementAndGet();
                        if (fullIsBug) {
                            fail("thread " + id + ": table reported full while holding " + n + " < " + maxHeld);
                        }
                        continue;
                    }
                    if (d <= 0) {
                        fail("descriptor not positive: " + d);
                    }
                    int slot = table.slotOf(d);
                    int was = owner.getAndSet(slot, id + 1);
                    if (was != 0) {
                        fail("slot " + slot + " handed to thread " + id + " while owned by thread " + (was - 1));
                    }
                    if (table.get(d) != me) {
                        fail("descriptor " + d + " does not name its owner");
                    }
                    held[n++] = d;
                } else {
                    int k = rnd.nextInt(n);
                    int d = held[k];
                    held[k] = held[--n];
                    if (table.get(d) != me) {
                        fail("held descriptor " + d + " lost its value");
                    }
                    int slot = table.slotOf(d);
                    if (!owner.compareAndSet(slot, id + 1, 0)) {
                        fail("slot " + slot + " of thread " + id + " taken by " + (owner.get(slot) - 1));
                    }
                    if (table.free(d) != me) {
                        fail("free of held descriptor " + d + " failed");
                    }
                    stale[staleCount++ & 63] = d;
                }
                if (staleCount > 0) {
                    int old = stale[rnd.nextInt(Math.min(staleCount, 64))];
                    Owner v = table.get(old);
                    if (v != null) {
                        fail("stale descriptor " + old + " answered " + v);
                    }
                    if (table.free(old) != null) {
                        fail("stale descriptor " + old + " was freed");
                    }
                }
                operations.incrementAndGet();
            }
            for (int i = 0; i < n; i++) {
                owner.set(table.slotOf(held[i]), 0);
                if (table.free(held[i]) != me) {
                    fail("final free of " + held[i] + " failed");
                }
            }
        }

        void run(int threads, int opsPerThread, int maxHeld, boolean fullIsBug) throws Exception {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Thread> ts = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int id = i;
                Thread t = new Thread(() -> {
                    try {
                        work(id, opsPerThread, maxHeld, fullIsBug, start);
                    } catch (Throwable e) {
                        fail("thread " + id + ": " + e);
                    }
                }, "stress-" + i);
                ts.add(t);
                t.start();
            }
            for (Thread t : ts) {
                t.join();
            }
        }

        /** After the run: every slot is free and can be handed out exactly once again. */
        void assertNoneLost() {
            assertThat(table.liveCount()).isZero();
            java.util.BitSet slots = new java.util.BitSet();
            for (int i = 0; i < table.capacity(); i++) {
                int d = table.allocate(new Owner(-1));
                assertThat(d).as("allocation %d of %d after the run", i, table.capacity()).isPositive();
                assertThat(slots.get(table.slotOf(d))).isFalse();
                slots.set(table.slotOf(d));
            }
            assertThat(table.allocate(new Owner(-1))).isEqualTo(Winsock.INVALID_SOCKET);
        }
    }

    @Test
    void stress_noDoubleHandOutNoLossAndNeverFullWhileSlotsFree() throws Exception {
        // capacity = threads * maxHeld: a thread holding fewer than maxHeld always finds a free slot, so any
        // WSAEMFILE is a bug (a slot lost or one in transit between stripes reported as "full").
        int threads = 8;
        int maxHeld = 8;
        int ops = 1_000_000;
        Harness h = new Harness(threads * maxHeld, 8);
        h.run(threads, ops, maxHeld, true);
        assertThat(h.failure.get()).isNull();
        assertThat(h.operations.get()).isEqualTo((long) threads * ops);
        assertThat(h.fullReports.get()).isZero();
        h.assertNoneLost();
    }

    @Test
    void stress_oneSlotPerStripeNeverFullWhileSlotsFree() throws Exception {
        // Every stripe holds one slot, so allocations sweep and steal constantly and freed slots keep moving
        // back behind the sweeping threads: the case the double-collect "full" check exists for.
        int threads = 8;
        int maxHeld = 8;
        Harness h = new Harness(threads * maxHeld, threads * maxHeld);
        h.allocPercent = 90;
        h.run(threads, 500_000, maxHeld, true);
        assertThat(h.failure.get()).isNull();
        assertThat(h.fullReports.get()).isZero();
        h.assertNoneLost();
    }

    @Test
    void stress_overSubscribedTableReportsFullAndLosesNothing() throws Exception {
        // More demand than capacity and few stripes: constant stealing and WSAEMFILE; still no double hand-out.
        int threads = 6;
        Harness h = new Harness(40, 3);
        h.run(threads, 500_000, 16, false);
        assertThat(h.failure.get()).isNull();
        assertThat(h.fullReports.get()).as("demand exceeded capacity").isPositive();
        h.assertNoneLost();
    }

    @Test
    void stress_singleStripeMaximumContention() throws Exception {
        Harness h = new Harness(64, 1);
        h.run(32, 300_000, 2, true);
        assertThat(h.failure.get()).isNull();
        h.assertNoneLost();
    }

    @Test
    void abaInterleaving_popCasFailsAfterPopPopPushOfSameTop() throws Exception {
        // The classic Treiber-stack ABA: T reads head (top s0, below s1) and stalls; meanwhile s0 and s1 are
        // popped and s0 is pushed back (now above s2). An untagged CAS would succeed and install s1 (owned!) as
        // the head. The tag makes T's CAS fail and retry.
        java.util.concurrent.CountDownLatch stalled = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch resume = new java.util.concurrent.CountDownLatch(1);
        Thread[] victim = new Thread[1];
        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
        DescriptorTable<Object> t = new DescriptorTable<>(3, 1, () -> {
            if (Thread.currentThread() == victim[0] && once.compareAndSet(false, true)) {
                stalled.countDown();
                try {
                    resume.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        });
        int[] got = new int[1];
        victim[0] = new Thread(() -> got[0] = t.allocate("victim"));
        victim[0].start();
        stalled.await();
        int a = t.allocate("a"); // s0
        int b = t.allocate("b"); // s1
        t.free(a); // s0 back on top, above s2
        resume.countDown();
        victim[0].join();
        int c = t.allocate("c");
        java.util.Set<Integer> slots = new java.util.HashSet<>(List.of(t.slotOf(got[0]), t.slotOf(b),
                t.slotOf(c)));
        assertThat(slots).as("three distinct slots").hasSize(3);
        assertThat(t.allocate("d")).isEqualTo(Winsock.INVALID_SOCKET);
        assertThat(t.get(b)).isEqualTo("b");
    }

    @Test
    void stress_racingFreesOfOneDescriptorSucceedExactlyOnce() throws Exception {
        DescriptorTable<Object> t = new DescriptorTable<>(4, 2);
        Object v = new Object();
        int rounds = 20_000;
        int[] shared = new int[1];
        AtomicLong wins = new AtomicLong();
        CyclicBarrier barrier = new CyclicBarrier(3, () -> shared[0] = t.allocate(v));
        Runnable racer = () -> {
            try {
                for (int r = 0; r < rounds; r++) {
                    barrier.await();
                    if (t.free(shared[0]) == v) {
                        wins.incrementAndGet();
                    }
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        Thread a = new Thread(racer);
        Thread b = new Thread(racer);
        Thread c = new Thread(racer);
        a.start();
        b.start();
        c.start();
        a.join();
        b.join();
        c.join();
        assertThat(wins.get()).isEqualTo(rounds);
        assertThat(t.liveCount()).isZero();
    }
}
