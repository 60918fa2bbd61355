package io.ustack.engine;

import io.ustack.link.InMemoryLink;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventLoopTest {
    @Test
    void commandsFromManyThreadsRunOnTheLoopThreadInPerThreadOrder() throws Exception {
        InMemoryLink[] p = InMemoryLink.pair(1500);
        EventLoop loop = new EventLoop(p[0], Clock.SYSTEM, 0); // sleep at once: exercises wakeup
        loop.frameSink(f -> { });
        loop.start("test-loop");
        int threads = 4;
        int each = 20_000;
        int[][] seen = new int[threads][1];
        AtomicInteger wrongThread = new AtomicInteger();
        AtomicInteger outOfOrder = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(threads * each);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    int n = i;
                    loop.execute(() -> {
                        if (!loop.inLoop()) {
                            wrongThread.incrementAndGet();
                        }
                        if (seen[id][0] != n) {
                            outOfOrder.incrementAndGet();
                        }
                        seen[id][0] = n + 1;
                        done.countDown();
                    });
                }
            });
            ts.add(th);
            th.start();
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(wrongThread.get()).isZero();
        assertThat(outOfOrder.get()).isZero();
        loop.close();
        assertThatThrownBy(() -> loop.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        p[0].close();
        p[1].close();
    }

    @Test
    void anIdleLoopWakesForItsNextTimer() throws Exception {
        InMemoryLink[] p = InMemoryLink.pair(1500);
        EventLoop loop = new EventLoop(p[0], Clock.SYSTEM, 0);
        loop.frameSink(f -> { });
        CountDownLatch fired = new CountDownLatch(1);
        loop.start("timer-loop");
        long t0 = System.nanoTime();
        loop.execute(() -> loop.timers().schedule(new Timer(now -> fired.countDown()), loop.now() + 30_000_000L));
        assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(29_000_000L);
        loop.close();
        p[0].close();
        p[1].close();
    }

    @Test
    void aFailingCommandDoesNotStopTheLoop() {
        InMemoryLink[] p = InMemoryLink.pair(1500);
        EventLoop loop = new EventLoop(p[0], new ManualClock(), 0);
        loop.frameSink(f -> { });
        int[] ran = new int[1];
        Thread.UncaughtExceptionHandler old = Thread.currentThread().getUncaughtExceptionHandler();
        Thread.currentThread().setUncaughtExceptionHandler((t, e) -> ran[0] += 10);
        try {
            loop.execute(() -> {
                throw new IllegalStateException("boom");
            });
            loop.execute(() -> ran[0]++);
            loop.runOnce();
        } finally {
            Thread.currentThread().setUncaughtExceptionHandler(old);
        }
        assertThat(ran[0]).isEqualTo(11);
        p[0].close();
        p[1].close();
    }
}
