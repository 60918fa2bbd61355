/*
 * TapLinkRateMeasurement: frames per second through a TapLink against a KernelPeer, on demand only:
 *   ./mvnw -q -pl integration-tests -am test -Dtest=TapLinkRateMeasurement -Dsurefire.failIfNoSpecifiedTests=false \
 *          -Dustack.measure=true
 * Prints one "MEASURE" line per loop (frames/s, Gbit/s of frame bytes, heap bytes per frame). Netty's leak
 * detector is off during the timed loops; the loops run on a FastThreadLocalThread like an engine thread would.
 */
package io.ustack.it;

import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.ustack.link.FrameSink;
import io.ustack.tap.TapLink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@EnabledIfSystemProperty(named = "ustack.measure", matches = "true")
@RequiresKernelPeer(commands = {"socat"})
class TapLinkRateMeasurement {
    private static final long SECOND = 1_000_000_000L;
    private static final int FRAME = 1514;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void writeLoops() throws Exception {
        try (KernelPeer peer = KernelPeer.create()) {
            TapLink link = peer.link();
            // Frames for another host: the kernel reads them and drops them as PACKET_OTHERHOST.
            ByteBuf template = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(FRAME));
            template.setLong(0, 0x0200_0000_0099_0000L | (link.macAddress() >>> 32));
            template.setInt(8, (int) link.macAddress());
            template.setShort(12, 0x88B5);
            try {
                onEngineThread(() -> {
                    report("write, one reused buffer", timed(link, () -> link.transmit(template.retain()), SECOND / 3),
                            link);
                    report("write, one reused buffer", timed(link, () -> link.transmit(template.retain()), SECOND),
                            link);
                    Runnable pooled = () -> {
                        ByteBuf frame = PooledByteBufAllocator.DEFAULT.directBuffer(FRAME, FRAME);
                        frame.writeBytes(template, 0, FRAME);
                        link.transmit(frame);
                    };
                    timed(link, pooled, SECOND / 3);
                    report("write, pooled buffer per frame", timed(link, pooled, SECOND), link);
                });
            } finally {
                template.release();
            }
        }
    }

    @Test
    void readLoop() throws Exception {
        try (KernelPeer peer = KernelPeer.create()) {
            TapLink link = peer.link();
            peer.pinNeighbour(peer.stackAddress(), link.macAddress());
            boolean hping = HostRequirements.findOnPath("hping3").isPresent();
            String source = hping ? "hping3 UDP flood" : "socat UDP flood";
            Process flood = hping
                    ? peer.exec("hping3", "--flood", "--udp", "-p", "9", "-d", "1472", "-q", peer.stackAddress())
                    : peer.exec("socat", "-u", "-b", "1472", "/dev/zero", "UDP-SENDTO:" + peer.stackAddress() + ":9");
            try {
                FrameSink ignore = frame -> { };
                Runnable receive = () -> {
                    if (link.receive(ignore, 64) == 0) {
                        link.await(1_000_000);
                    }
                };
                Runnable spin = () -> link.receive(ignore, 64);
                onEngineThread(() -> {
                    timedRx(link, receive, SECOND / 3);
                    report("read+await, " + source, timedRx(link, receive, SECOND), link);
                    report("read busy-poll, " + source, timedRx(link, spin, SECOND), link);
                });
                // TX of the kernel's interface = frames offered to us; "dropped" = the TAP queue overflowed.
                System.out.println("MEASURE kernel side: " + peer.ip("-s", "link", "show", "dev", peer.deviceName())
                        .stdout().lines().skip(5).findFirst().orElse("?").strip()
                        + " (TX bytes packets errors dropped carrier collsns)");
            } finally {
                flood.destroyForcibly();
                flood.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private record Result(long frames, long bytes, long nanos, long allocated) {
    }

    private static Result timed(TapLink link, Runnable op, long nanos) {
        long frames0 = link.txFrames();
        long bytes0 = link.txBytes();
        long alloc0 = THREADS.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        long t;
        do {
            for (int i = 0; i < 256; i++) {
                op.run();
            }
            t = System.nanoTime();
        } while (t - t0 < nanos);
        return new Result(link.txFrames() - frames0, link.txBytes() - bytes0, t - t0,
                THREADS.getCurrentThreadAllocatedBytes() - alloc0);
    }

    private static Result timedRx(TapLink link, Runnable op, long nanos) {
        long frames0 = link.rxFrames();
        long bytes0 = link.rxBytes();
        long alloc0 = THREADS.getCurrentThreadAllocatedBytes();
        long t0 = System.nanoTime();
        long t;
        do {
            op.run();
            t = System.nanoTime();
        } while (t - t0 < nanos);
        return new Result(link.rxFrames() - frames0, link.rxBytes() - bytes0, t - t0,
                THREADS.getCurrentThreadAllocatedBytes() - alloc0);
    }

    private static void report(String what, Result r, TapLink link) {
        assertThat(r.frames()).as(what + ": frames").isPositive();
        double seconds = r.nanos() / 1e9;
        System.out.printf("MEASURE %-32s %,12d frames/s  %6.2f Gbit/s  %4d heap B/frame  (%,d frames, dropped so far"
                        + " %d)%n", what, (long) (r.frames() / seconds), r.bytes() * 8 / seconds / 1e9,
                r.allocated() / r.frames(), r.frames(), link.txDropped());
    }

    private static void onEngineThread(Runnable body) throws InterruptedException {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        Throwable[] failure = new Throwable[1];
        try {
            Thread engine = new FastThreadLocalThread(() -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    failure[0] = t;
                }
            }, "engine");
            engine.start();
            engine.join();
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
        if (failure[0] instanceof AssertionError e) {
            throw e;
        }
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
    }
}
