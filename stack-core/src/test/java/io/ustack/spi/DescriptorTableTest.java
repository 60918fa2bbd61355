/*
 * DescriptorTableTest: single-threaded behaviour of the descriptor table: descriptor format (positive, never 0 or
 * INVALID_SOCKET), generations, stale rejection, capacity bound, striping with odd sizes, and the garbage-free
 * claim measured with the JVM's per-thread allocation counter.
 */
package io.ustack.spi;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DescriptorTableTest {
    private static final Object A = new Object();
    private static final Object B = new Object();

    @Test
    void allocate_returnsPositiveDistinctDescriptorsNamingTheirValues() {
        DescriptorTable<Object> t = new DescriptorTable<>(100, 4);
        Set<Integer> seen = new HashSet<>();
        Object[] values = new Object[100];
        int[] ds = new int[100];
        for (int i = 0; i < 100; i++) {
            values[i] = new Object();
            ds[i] = t.allocate(values[i]);
            assertThat(ds[i]).isPositive().isNotEqualTo(Winsock.INVALID_SOCKET);
            assertThat(seen.add(ds[i])).isTrue();
            assertThat(seen.add(t.slotOf(ds[i]) + 1_000_000)).as("distinct slots").isTrue();
        }
        for (int i = 0; i < 100; i++) {
            assertThat(t.get(ds[i])).isSameAs(values[i]);
        }
        assertThat(t.liveCount()).isEqualTo(100);
    }

    @Test
    void allocate_returnsInvalidSocketWhenFullAndSucceedsAfterFree() {
        DescriptorTable<Object> t = new DescriptorTable<>(5, 3);
        int[] ds = new int[5];
        for (int i = 0; i < 5; i++) {
            ds[i] = t.allocate(A);
        }
        assertThat(t.allocate(A)).isEqualTo(Winsock.INVALID_SOCKET);
        assertThat(t.free(ds[3])).isSameAs(A);
        int again = t.allocate(B);
        assertThat(again).isPositive();
        assertThat(t.slotOf(again)).as("the freed slot").isEqualTo(t.slotOf(ds[3]));
        assertThat(t.generationOf(again)).isEqualTo(t.generationOf(ds[3]) + 1);
        assertThat(t.allocate(A)).isEqualTo(Winsock.INVALID_SOCKET);
    }

    @Test
    void staleDescriptor_isRejectedByGetAndFree() {
        DescriptorTable<Object> t = new DescriptorTable<>(1, 1);
        int d1 = t.allocate(A);
        assertThat(t.free(d1)).isSameAs(A);
        assertThat(t.get(d1)).isNull();
        assertThat(t.free(d1)).as("double free").isNull();
        int d2 = t.allocate(B);
        assertThat(t.slotOf(d2)).isEqualTo(t.slotOf(d1));
        assertThat(d2).isNotEqualTo(d1);
        assertThat(t.get(d1)).as("old descriptor, reused slot").isNull();
        assertThat(t.free(d1)).isNull();
        assertThat(t.get(d2)).isSameAs(B);
    }

    @Test
    void get_rejectsNeverIssuedDescriptors() {
        DescriptorTable<Object> t = new DescriptorTable<>(10, 2);
        int d = t.allocate(A);
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, d + 1, d ^ (1 << 20), 15}) {
            assertThat(t.get(bad)).as("descriptor %d", bad).isNull();
            assertThat(t.free(bad)).isNull();
        }
        assertThat(t.get(d)).isSameAs(A);
    }

    @Test
    void generation_wrapsToOneNeverProducingZeroOrInvalid() {
        DescriptorTable<Object> t = new DescriptorTable<>(DescriptorTable.MAX_CAPACITY, 1);
        assertThat(t.slotBits()).isEqualTo(20);
        assertThat(t.maxGeneration()).isEqualTo(2047);
        int first = t.allocate(A);
        t.free(first);
        assertThat(t.generationOf(first)).isEqualTo(1);
        int last = first;
        for (int i = 2; i <= 2047; i++) {
            last = t.allocate(A);
            assertThat(t.slotOf(last)).isEqualTo(t.slotOf(first));
            assertThat(t.generationOf(last)).isEqualTo(i);
            assertThat(last).isPositive();
            t.free(last);
        }
        int wrapped = t.allocate(A);
        assertThat(t.generationOf(wrapped)).isEqualTo(1);
        assertThat(wrapped).isEqualTo(first).isPositive();
    }

    @Test
    void descriptors_arePositiveForEveryCapacity() {
        for (int cap : new int[] {1, 2, 3, 7, 8, 9, 1000, 1024, 1025, 65536}) {
            DescriptorTable<Object> t = new DescriptorTable<>(cap, 5);
            int n = 0;
            int d;
            Set<Integer> slots = new HashSet<>();
            while ((d = t.allocate(A)) != Winsock.INVALID_SOCKET) {
                assertThat(d).isPositive();
                assertThat(slots.add(t.slotOf(d))).isTrue();
                n++;
            }
            assertThat(n).as("capacity %d", cap).isEqualTo(cap);
            assertThat(slots).allMatch(s -> s >= 0 && s < cap);
        }
    }

    @Test
    void constructor_rejectsBadCapacityAndStripes() {
        assertThatThrownBy(() -> new DescriptorTable<>(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DescriptorTable<>(DescriptorTable.MAX_CAPACITY + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DescriptorTable<>(10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DescriptorTable<>(10).allocate(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void stripes_stealWhenHomeStripeEmpty() {
        DescriptorTable<Object> t = new DescriptorTable<>(64, 8);
        assertThat(t.stripes()).isEqualTo(8);
        for (int i = 0; i < 64; i++) {
            assertThat(t.allocate(A)).as("allocation %d", i).isPositive();
        }
        assertThat(t.allocate(A)).isEqualTo(Winsock.INVALID_SOCKET);
    }

    @Test
    void forEachLive_visitsExactlyTheLiveDescriptors() {
        DescriptorTable<Object> t = new DescriptorTable<>(50, 4);
        Set<Integer> live = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            live.add(t.allocate(A));
        }
        int gone = live.iterator().next();
        t.free(gone);
        live.remove(gone);
        Set<Integer> visited = new HashSet<>();
        t.forEachLive(visited::add);
        assertThat(visited).isEqualTo(live);
        assertThat(t.liveCount()).isEqualTo(29);
    }

    @Test
    void allocateFree_isGarbageFreeInSteadyState() {
        DescriptorTable<Object> t = new DescriptorTable<>(1024);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        int[] held = new int[16];
        for (int round = 0; round < 3; round++) { // warm up (first ThreadLocal probe, JIT), then measure
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 200_000; i++) {
                held[i & 15] = t.allocate(A);
                if ((i & 15) == 15) {
                    for (int d : held) {
                        t.get(d);
                        t.free(d);
                    }
                }
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            if (round == 2) {
                assertThat(allocated).as("bytes allocated by 200k allocate/get/free").isLessThan(1024);
            }
        }
    }
}
