/*
 * SupportTest: the small pieces the providers rest on: BufferBudget accounting (exact under concurrency), the
 * BlockingCalls marker (nesting, per thread, balanced), and BaseProvider's garbage-free WSPSocket/WSPCloseSocket
 * steady state measured with the JVM's per-thread allocation counter.
 */
package io.ustack.spi;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SupportTest {

    @Test
    void bufferBudget_reservesUpToCapacityAndGivesBack() {
        BufferBudget b = new BufferBudget(100);
        assertThat(b.tryReserve(60)).isTrue();
        assertThat(b.tryReserve(41)).isFalse();
        assertThat(b.reserved()).isEqualTo(60);
        assertThat(b.tryReserve(40)).isTrue();
        assertThat(b.available()).isZero();
        b.release(60);
        assertThat(b.available()).isEqualTo(60);
        assertThatThrownBy(() -> b.release(41)).isInstanceOf(IllegalStateException.class);
        assertThat(b.reserved()).isEqualTo(40);
        assertThatThrownBy(() -> b.tryReserve(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bufferBudget_neverOvercommitsUnderConcurrency() throws Exception {
        BufferBudget b = new BufferBudget(1000);
        java.util.concurrent.atomic.AtomicLong maxSeen = new java.util.concurrent.atomic.AtomicLong();
        Thread[] ts = new Thread[4];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = new Thread(() -> {
                for (int r = 0; r < 200_000; r++) {
                    if (b.tryReserve(300)) {
                        maxSeen.accumulateAndGet(b.reserved(), Math::max);
                        b.release(300);
                    }
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertThat(maxSeen.get()).isLessThanOrEqualTo(900);
        assertThat(b.reserved()).isZero();
    }

    @Test
    void blockingCalls_nestAndArePerThread() throws Exception {
        assertThat(BlockingCalls.inProgress()).isFalse();
        BlockingCalls.enterBlocking();
        BlockingCalls.enterCallback();
        BlockingCalls.exitBlocking();
        assertThat(BlockingCalls.inProgress()).as("callback still open").isTrue();
        boolean[] other = new boolean[1];
        Thread t = new Thread(() -> other[0] = BlockingCalls.inProgress());
        t.start();
        t.join();
        assertThat(other[0]).isFalse();
        BlockingCalls.exitCallback();
        assertThat(BlockingCalls.inProgress()).isFalse();
        assertThatThrownBy(BlockingCalls::exitBlocking).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(BlockingCalls::exitCallback).isInstanceOf(IllegalStateException.class);
        BlockingCalls.markEngineThread(true);
        assertThat(BlockingCalls.isEngineThread()).isTrue();
        BlockingCalls.markEngineThread(false);
        assertThat(BlockingCalls.isEngineThread()).isFalse();
    }

    @Test
    void wspSocketAndClose_areGarbageFreeInSteadyState() {
        SpiFixture f = new SpiFixture(256, 1L << 40);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long allocated = 0;
        for (int round = 0; round < 3; round++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 100_000; i++) {
                int s = f.provider.wspSocket(Winsock.AF_INET, Winsock.SOCK_STREAM, 0, null, 0, 0, f.errno);
                if (s == Winsock.INVALID_SOCKET || f.provider.wspCloseSocket(s, f.errno) != 0) {
                    throw new AssertionError(f.errno.toString());
                }
            }
            allocated = mx.getThreadAllocatedBytes(tid) - before;
        }
        assertThat(allocated).as("bytes allocated by 100k WSPSocket+WSPCloseSocket after warm-up")
                .isLessThan(1024);
    }
}
