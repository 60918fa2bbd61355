/*
 * ImpairedLinkTimingTest: the time side of ImpairedLink under a ManualClock: delay releases frames at exactly their
 * due time in both directions, await never sleeps past the next due time, jitter stays within bounds and keeps order,
 * the rate spaces frames by their length in bits, the bounded queue drops the tail, close releases every held frame
 * (also when closed from another thread), no allocation per frame in steady state, and an EventLoop on its own thread
 * delivers delayed frames on time.
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ustack.engine.Clock;
import io.ustack.engine.EventLoop;
import io.ustack.engine.ManualClock;
import io.ustack.link.ImpairTestSupport.AwaitRecordingLink;
import io.ustack.link.ImpairTestSupport.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.ustack.link.ImpairTestSupport.drainPeer;
import static io.ustack.link.ImpairTestSupport.frame;
import static org.assertj.core.api.Assertions.assertThat;

class ImpairedLinkTimingTest {
    private static final long MS = 1_000_000L;
    private static final FrameSink DISCARD = f -> { };

    private final ManualClock clock = new ManualClock();
    private final List<Link> toClose = new ArrayList<>();

    @AfterEach
    void closeLinks() {
        toClose.forEach(Link::close);
    }

    private ImpairedLink impaired(String spec, Link delegate, Link peer) {
        ImpairedLink a = ImpairedLink.of(delegate, clock, spec);
        toClose.add(a);
        toClose.add(peer);
        return a;
    }

    private void advanceTo(long time) {
        clock.advanceNanos(time - clock.nanos());
    }

    @Test
    void delayReleasesFramesAtTheirDueTimeInBothDirections() {
        InMemoryLink[] pair = InMemoryLink.pair(ImpairTestSupport.MTU);
        ImpairedLink a = impaired("delay=20ms", pair[0], pair[1]);
        Collector atPeer = new Collector(clock);
        long t0 = clock.nanos();
        assertThat(a.transmit(frame(1))).isTrue();
        a.flush();
        assertThat(drainPeer(pair[1], atPeer)).isZero();
        assertThat(a.nextDueNanos()).isEqualTo(t0 + 20 * MS);
        clock.advanceNanos(20 * MS - 1);
        a.flush();
        assertThat(drainPeer(pair[1], atPeer)).isZero();
        clock.advanceNanos(1);
        a.flush();
        assertThat(drainPeer(pair[1], atPeer)).isEqualTo(1);
        assertThat(atPeer.times).containsExactly(t0 + 20 * MS);

        Collector atA = new Collector(clock);
        long t1 = clock.nanos();
        pair[1].transmit(frame(2));
        assertThat(a.receive(atA, 8)).isZero();
        assertThat(a.receiveQueued()).isEqualTo(1);
        clock.advanceNanos(20 * MS - 1);
        assertThat(a.receive(atA, 8)).isZero();
        clock.advanceNanos(1);
        assertThat(a.receive(atA, 8)).isEqualTo(1);
        assertThat(atA.seqs).containsExactly(2);
        assertThat(atA.times).containsExactly(t1 + 20 * MS);
        assertThat(a.transmitCounters().delayed()).isEqualTo(1);
        assertThat(a.receiveCounters().delayed()).isEqualTo(1);
    }

    @Test
    void awaitNeverSleepsPastTheNextDueTime() {
        InMemoryLink[] pair = InMemoryLink.pair(ImpairTestSupport.MTU);
        AwaitRecordingLink recording = new AwaitRecordingLink(pair[0]);
        ImpairedLink a = impaired("tx.delay=20ms,rx.delay=25ms", recording, pair[1]);
        long t0 = clock.nanos();

        a.await(1_000 * MS);
        assertThat(recording.awaits).containsExactly(1_000 * MS); // nothing held: the caller's timeout
        a.transmit(frame(1));
        clock.advanceNanos(5 * MS);
        a.await(1_000 * MS);
        assertThat(recording.awaits).last().isEqualTo(15 * MS);
        a.await(3 * MS);
        assertThat(recording.awaits).last().isEqualTo(3 * MS);

        pair[1].transmit(frame(2));
        assertThat(a.receive(DISCARD, 8)).isZero(); // pulled, due at t0 + 30ms
        advanceTo(t0 + 20 * MS);
        Collector atPeer = new Collector(clock);
        a.await(1_000 * MS); // sends the due transmit frame itself, then waits for the received one
        assertThat(drainPeer(pair[1], atPeer)).isEqualTo(1);
        assertThat(recording.awaits).last().isEqualTo(10 * MS);
        advanceTo(t0 + 30 * MS);
        int awaitsBefore = recording.awaits.size();
        a.await(1_000 * MS); // a received frame is due: return at once, without waiting on the link
        assertThat(recording.awaits).hasSize(awaitsBefore);
        Collector atA = new Collector(clock);
        assertThat(a.receive(atA, 8)).isEqualTo(1);
        assertThat(a.nextDueNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void jitterStaysWithinBoundsAndNeverReorders() {
        // sparse (a frame every 10 ms > 2 x jitter): each delay is drawn freely from [15, 25] ms
        long[] sparse = delaysUnderJitter(200);
        assertThat(sparse[0]).isGreaterThanOrEqualTo(15 * MS);
        assertThat(sparse[1]).isLessThanOrEqualTo(25 * MS + 50_000);
        assertThat(sparse[1] - sparse[0]).as("jitter spread").isGreaterThan(9 * MS);
        // dense (a frame every 100 us): order is kept, so a frame waits for the one ahead; still within bounds
        long[] dense = delaysUnderJitter(2);
        assertThat(dense[0]).isGreaterThanOrEqualTo(15 * MS);
        assertThat(dense[1]).isLessThanOrEqualTo(25 * MS + 50_000);
    }

    /** Sends 300 frames, one every {@code every} 50-us steps, under delay=20ms,jitter=5ms; returns {min, max} delay. */
    private long[] delaysUnderJitter(int every) {
        InMemoryLink[] pair = InMemoryLink.pair(ImpairTestSupport.MTU);
        ImpairedLink a = impaired("delay=20ms,jitter=5ms,seed=6", pair[0], pair[1]);
        Collector got = new Collector(clock);
        long step = 50_000;
        List<Long> sentAt = new ArrayList<>();
        for (int i = 0; i < 300 * every + 1_000; i++) {
            if (i % every == 0 && sentAt.size() < 300) {
                sentAt.add(clock.nanos());
                a.transmit(frame(sentAt.size() - 1));
            }
            a.flush();
            drainPeer(pair[1], got);
            clock.advanceNanos(step);
        }
        assertThat(got.seqs).hasSize(300).isSorted();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 300; i++) {
            long delay = got.times.get(i) - sentAt.get(got.seqs.get(i));
            min = Math.min(min, delay);
            max = Math.max(max, delay);
        }
        return new long[] {min, max};
    }

    @Test
    void theRateSpacesFramesByTheirLengthInBitsInBothDirections() {
        for (boolean receive : new boolean[] {false, true}) {
            InMemoryLink[] pair = InMemoryLink.pair(ImpairTestSupport.MTU);
            ImpairedLink a = impaired((receive ? "rx." : "tx.") + "rate=3mbit", pair[0], pair[1]);
            Collector got = new Collector(clock);
            long t0 = clock.nanos();
            for (int i = 0; i < 30; i++) {
                (receive ? pair[1] : a).transmit(frame(i, 1000)); // 8000 bits: 2.667 ms at 3 Mbit/s
            }
            for (int turn = 0; turn < 100 && got.count() < 30; turn++) {
                if (receive) {
                    a.receive(got, 64);
                } else {
                    a.flush();
                    drainPeer(pair[1], got);
                }
                long next = a.nextDueNanos();
                if (next != Long.MAX_VALUE) {
                    advanceTo(next);
                }
            }
            assertThat(got.seqs).hasSize(30).isSorted();
            for (int k = 0; k < 30; k++) {
                long expected = t0 + k * 8_000L * 1_000_000_000L / 3_000_000L; // exact: the remainder is carried
                assertThat(got.times.get(k)).as("departure of frame %d", k).isEqualTo(expected);
            }
            ImpairmentCounters c = receive ? a.receiveCounters() : a.transmitCounters();
            assertThat(c.throttled()).isEqualTo(29);
        }
    }

    @Test
    void aShortFrameWaitsLessBehindTheRate() {
        InMemoryLink[] pair = InMemoryLink.pair(ImpairTestSupport.MTU);
        ImpairedLink a = impaired("rate=1mbit", pair[0], pair[1]);
        Collector got = new Collector(clock);
        long t0 = clock.nanos();
        for (int i = 0; i < 6; i++) {
            a.transmit(frame(i, i % 2 == 0 ? 250 : 125)); // 2 ms, 1 ms
        }
        for (int t = 0; t <= 10; t++) {
            a.flush();
            drainPeer(pair[1], got);
            clock.advanceNanos(MS);
        }
        assertThat(got.times).containsExactly(t0, t0 + 2 * MS, t0 + 3 * MS, t0 + 5 * MS, t0 + 6 * MS, t0 + 8 * MS);
    }

    @Test
    void aFullQueueDropsTheTailAndCountsIt() {
        InMemoryLink[] pair = InMemoryLink.pair(ImpairTestSupport.MTU);
        ImpairedLink a = impaired("rate=1mbit,limit=5", pair[0], pair[1]);
        List<Boolean> taken = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            taken.add(a.transmit(frame(i, 125)));
        }
        // the first leaves at once, five wait for the rate, four find the queue full
        assertThat(taken).containsExactly(true, true, true, true, true, true, false, false, false, false);
        assertThat(a.transmitCounters().overflowed()).isEqualTo(4);
        assertThat(a.transmitCounters().dropped()).isEqualTo(4);
        assertThat(a.transmitQueued()).isEqualTo(5);
        Collector got = new Collector(clock);
        for (int t = 0; t < 10; t++) {
            a.flush();
            drainPeer(pair[1], got);
            clock.advanceNanos(MS);
        }
        assertThat(got.seqs).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void closeReleasesEveryHeldFrameInBothDirections() {
        InMemoryLink[] pair = InMemoryLink.pair(ImpairTestSupport.MTU);
        ImpairedLink a = impaired("delay=1s,reorder=50,duplicate=50,corrupt=20,seed=4", pair[0], pair[1]);
        List<ByteBuf> held = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ByteBuf out = frame(i, 64, ImpairTestSupport.UNRECYCLED.directBuffer(64, 64));
            held.add(out);
            assertThat(a.transmit(out)).isTrue();
            ByteBuf in = frame(100 + i, 64, ImpairTestSupport.UNRECYCLED.directBuffer(64, 64));
            held.add(in);
            pair[1].transmit(in);
        }
        assertThat(a.receive(DISCARD, 64)).isZero();
        a.flush();
        assertThat(pair[1].receive(DISCARD, 64)).isZero();
        assertThat(a.transmitQueued()).isGreaterThan(20); // duplicates too
        assertThat(a.receiveQueued()).isGreaterThan(20);
        long corruptedOriginals = a.transmitCounters().corrupted() + a.receiveCounters().corrupted();
        long stillHeld = held.stream().filter(b -> b.refCnt() == 1).count();
        // a corrupted frame is held as a copy; its original was released at once
        assertThat(stillHeld).isEqualTo(40 - corruptedOriginals);
        a.close();
        assertThat(held).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        assertThat(a.isUp()).isFalse();

        ByteBuf late = frame(99, 64, ImpairTestSupport.UNRECYCLED.directBuffer(64, 64));
        assertThat(a.transmit(late)).isFalse();
        assertThat(late.refCnt()).isZero();
        assertThat(a.receive(DISCARD, 8)).isZero();
        a.await(1_000 * MS); // returns at once
        a.close();
    }

    @Test
    void closeFromAnotherThreadWhileTheEngineRuns() throws Exception {
        InMemoryLink[] pair = InMemoryLink.pair(ImpairTestSupport.MTU);
        ImpairedLink a = ImpairedLink.of(pair[0], Clock.SYSTEM, "delay=5ms,reorder=10,duplicate=10,seed=8");
        toClose.add(a);
        toClose.add(pair[1]);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread engine = new Thread(() -> {
            try {
                for (int i = 0; i < 2_000_000 && a.isUp(); i++) {
                    a.transmit(frame(i));
                    a.receive(DISCARD, 16);
                    a.flush();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread peer = new Thread(() -> {
            for (int i = 0; i < 2_000_000 && pair[1].isUp() && a.isUp(); i++) {
                pair[1].transmit(frame(i));
                pair[1].receive(DISCARD, 16);
            }
        });
        engine.start();
        peer.start();
        Thread.sleep(200);
        a.close();
        engine.join(10_000);
        pair[1].close();
        peer.join(10_000);
        assertThat(engine.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        assertThat(a.transmitCounters().offered()).isPositive();
        // leaks, if any, fail the class (LeakCheckExtension)
    }

    @Test
    void noAllocationPerFrameInSteadyState() {
        InMemoryLink[] pair = InMemoryLink.pair(ImpairTestSupport.MTU);
        ImpairedLink a = impaired("loss=5,lossburst=2,reorder=5,gap=2,delay=1ms,jitter=200us,rate=1gbit,seed=1",
                pair[0], pair[1]);
        // an untracked heap buffer, sent again and again: the leak detector's own records would be allocation
        ByteBuf out = Unpooled.buffer(64).writeZero(64);
        ByteBuf in = Unpooled.buffer(64).writeZero(64);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long measured = 0;
        int frames = 200_000;
        for (int round = 0; round < 2; round++) {
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < frames; i++) {
                a.transmit(out.retain());
                pair[1].transmit(in.retain());
                a.flush();
                pair[1].receive(DISCARD, 64);
                a.receive(DISCARD, 64);
                clock.advanceNanos(10_000);
            }
            measured = threads.getThreadAllocatedBytes(id) - before; // the second round counts (JIT warm)
        }
        System.out.printf("ImpairedLink steady state: %d bytes allocated for %d frames each way (%.4f B/frame)%n",
                measured, frames, (double) measured / (2.0 * frames));
        assertThat(measured).isLessThan(16 * 1024);
        assertThat(a.transmitCounters().reordered()).isPositive();
        assertThat(a.transmitCounters().lost()).isPositive();
        a.close();
        assertThat(out.refCnt()).isEqualTo(1);
        assertThat(in.refCnt()).isEqualTo(1);
        out.release();
        in.release();
    }

    @Test
    void anEventLoopOnItsOwnThreadDeliversDelayedFramesOnTime() throws Exception {
        InMemoryLink[] pair = InMemoryLink.pair(ImpairTestSupport.MTU);
        ImpairedLink a = ImpairedLink.of(pair[0], Clock.SYSTEM, "delay=30ms");
        toClose.add(a);
        toClose.add(pair[1]);
        ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
        EventLoop loop = new EventLoop(a, Clock.SYSTEM, 10);
        loop.frameSink(f -> arrivals.add(System.nanoTime()));
        loop.start("impaired-loop");
        try {
            List<Long> latencies = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Thread.sleep(20); // let the loop go to sleep in await
                long sent = System.nanoTime();
                pair[1].transmit(frame(i));
                long deadline = sent + TimeUnit.SECONDS.toNanos(2);
                while (arrivals.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertThat(arrivals).as("frame %d arrived", i).isNotEmpty();
                latencies.add(arrivals.poll() - sent);
            }
            latencies.sort(null);
            assertThat(latencies.get(0)).isGreaterThanOrEqualTo(30 * MS);
            // the loop's own idle wait is up to 100 ms; await must cut it to the due time
            assertThat(latencies.get(2)).as("median of %s", latencies).isLessThan(70 * MS);
        } finally {
            loop.close();
        }
    }
}
