/*
 * TapLinkAllocationTest: TapLink's per-frame paths allocate nothing on the Java heap. The kernel in a KernelPeer
 * namespace floods the link with UDP datagrams (socat), and the engine thread's allocated bytes are measured around
 * receive() and transmit(). Netty's leak detector is turned off for the measured loops only: at PARANOID it records
 * a stack trace per buffer, which is the test harness's garbage, not the link's.
 *
 * The receiving thread is a Netty FastThreadLocalThread, as an engine thread should be: Netty 4.2 recycles pooled
 * ByteBuf objects and uses the per-thread pool cache only on such threads; on a plain thread each pooled
 * directBuffer() costs about 104 heap bytes (measured), whoever calls it.
 *
 * Both tests run with and without offloads (TapOptions.OFFLOADS: the virtio-net header is parsed on every read and
 * written with writev on every write, virtio spec 1.x section 5.1.6): neither may allocate per frame.
 */
package io.ustack.it;

import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.ustack.link.FrameSink;
import io.ustack.tap.DeviceMode;
import io.ustack.tap.TapLink;
import io.ustack.tap.TapOptions;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.Ipv4Address;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.TcpSegment;
import io.ustack.wire.TcpSegmentation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"socat"})
class TapLinkAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Counts frames; one instance for the whole loop, so the sink itself allocates nothing. */
    private static final class Counter implements FrameSink {
        long frames;
        long bytes;

        @Override
        public void onFrame(ByteBuf frame) {
            frames++;
            bytes += frame.readableBytes();
        }
    }

    @ParameterizedTest(name = "offloads {0}")
    @ValueSource(booleans = {false, true})
    void receivingAFloodAllocatesNoHeapPerFrame(boolean offloads) throws Exception {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        try (KernelPeer peer = KernelPeer.create(TapLink.DEFAULT_MTU, DeviceMode.TAP, TapOptions.offloads(offloads))) {
            TapLink link = peer.link();
            peer.pinNeighbour(peer.stackAddress(), link.macAddress());
            Process flood = peer.exec("socat", "-u", "-b", "1472", "/dev/zero",
                    "UDP-SENDTO:" + peer.stackAddress() + ":9");
            try {
                ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
                Counter counter = new Counter();
                Counter measured = new Counter();
                long[] allocatedBytes = new long[1];
                Thread engine = new FastThreadLocalThread(() -> {
                    receive(link, counter, 100_000, Duration.ofSeconds(20)); // warm-up: JIT and buffer pools
                    long before = THREADS.getCurrentThreadAllocatedBytes();
                    receive(link, measured, 100_000, Duration.ofSeconds(20));
                    allocatedBytes[0] = THREADS.getCurrentThreadAllocatedBytes() - before;
                }, "engine");
                engine.start();
                engine.join();
                ResourceLeakDetector.setLevel(level);
                long allocated = allocatedBytes[0];
                assertThat(counter.frames).as("frames from the flood").isGreaterThanOrEqualTo(100_000);
                assertThat(measured.frames).isGreaterThanOrEqualTo(100_000);
                assertThat(measured.bytes / measured.frames).as("mean bytes per frame (a few IPv6 ND frames)").isBetween(1400L, 1514L);
                assertThat(allocated / measured.frames).as("heap bytes allocated per received frame").isLessThan(8);
            } finally {
                ResourceLeakDetector.setLevel(level);
                flood.destroyForcibly();
                flood.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @ParameterizedTest(name = "offloads {0}")
    @ValueSource(booleans = {false, true})
    void transmittingToTheKernelAllocatesNoHeapPerFrame(boolean offloads) throws Exception {
        try (KernelPeer peer = KernelPeer.create(TapLink.DEFAULT_MTU, DeviceMode.TAP, TapOptions.offloads(offloads))) {
            TapLink link = peer.link();
            // A direct buffer outside the leak detector, re-sent with retain(): frames for another host on the wire,
            // which the kernel drops right after reading them.
            ByteBuf frame = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(1514));
            frame.setLong(0, 0x0200_0000_0099_0000L | (link.macAddress() >>> 32));
            frame.setInt(8, (int) link.macAddress());
            frame.setShort(12, 0x88B5);
            try {
                long best = bytesPerCall(100_000, () -> link.transmit(frame.retain()), link::txFrames);
                assertThat(best).as("heap bytes allocated per transmitted frame (best of five rounds)").isLessThan(8);
            } finally {
                frame.release();
            }
        }
    }

    /**
     * TCP segmentation offload: a 20 000-byte IPv4 TCP super-segment written behind a GSO_TCPV4 virtio-net header
     * (TapLink.transmitTcpSegments; addressed to another host, so the kernel cuts and drops it) allocates nothing.
     */
    @org.junit.jupiter.api.Test
    void transmittingTcpSuperSegmentsAllocatesNoHeapPerFrame() throws Exception {
        try (KernelPeer peer = KernelPeer.create(TapLink.DEFAULT_MTU, DeviceMode.TAP, TapOptions.OFFLOADS)) {
            TapLink link = peer.link();
            int payload = 20_000;
            ByteBuf frame = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(14 + 20 + 20 + payload));
            frame.setLong(0, 0x0200_0000_0099_0000L | (link.macAddress() >>> 32));
            frame.setInt(8, (int) link.macAddress());
            frame.setShort(12, EthernetFrame.TYPE_IPV4);
            int src = Ipv4Address.parse(peer.stackAddress());
            int dst = Ipv4Address.parse("192.0.2.9"); // not the kernel's: dropped after the device cut it
            Ipv4Packet.emitHeader(frame, 14, src, dst, Ipv4Packet.PROTOCOL_TCP, 20 + payload, 64, 1, true);
            TcpSegment.emitHeader(frame, 34, 40000, 9, 1, 1, TcpSegment.ACK, 100, null);
            frame.setShort(34 + TcpSegment.CHECKSUM_OFFSET, TcpSegmentation.partialChecksum(src, dst, 20 + payload));
            try {
                long best = bytesPerCall(20_000, () -> link.transmitTcpSegments(frame.retain(), 1448),
                        link::txSuperFrames);
                assertThat(best).as("heap bytes allocated per super-segment (best of five rounds)").isLessThan(8);
            } finally {
                frame.release();
            }
        }
    }

    /**
     * Heap bytes per call of {@code send}: {@code n} calls to warm up, then the best of up to five rounds of {@code n}
     * (a round may still run before C2 has compiled the path), each of which must move the {@code sent} counter by n.
     */
    private static long bytesPerCall(int n, Runnable send, java.util.function.LongSupplier sent) {
        for (int i = 0; i < n; i++) {
            send.run();
        }
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 5 && best >= 8; round++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            long sentBefore = sent.getAsLong();
            for (int i = 0; i < n; i++) {
                send.run();
            }
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertThat(sent.getAsLong() - sentBefore).isEqualTo(n);
            best = Math.min(best, allocated / n);
        }
        return best;
    }

    static void receive(TapLink link, FrameSink sink, long frames, Duration limit) {
        Counter counter = sink instanceof Counter c ? c : null;
        long start = counter == null ? 0 : counter.frames;
        long deadline = System.nanoTime() + limit.toNanos();
        while ((counter == null || counter.frames - start < frames) && System.nanoTime() < deadline) {
            if (link.receive(sink, 64) == 0) {
                link.await(1_000_000);
            }
        }
    }
}
