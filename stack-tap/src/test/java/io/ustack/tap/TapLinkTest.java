/*
 * TapLinkTest: opening real TAP/TUN devices (as root), the link's lifecycle, await/wakeup timing, transmit results and
 * the absence of per-frame heap allocation on transmit. Receiving from the kernel is tested in integration-tests.
 */
package io.ustack.tap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ustack.link.Link;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TapLinkTest {
    private static final long MS = 1_000_000L;

    @BeforeEach
    void requireTap() {
        TapTestSupport.assumeTapUsable();
    }

    @Test
    void opensTapAsRootAndTheDeviceGoesAwayOnClose() throws Exception {
        String name = TapTestSupport.uniqueName();
        TapLink link = TapLink.open(name);
        try {
            assertThat(link.name()).isEqualTo(name);
            assertThat(link.framing()).isEqualTo(Link.Framing.ETHERNET);
            assertThat(link.mtu()).isEqualTo(1500);
            assertThat(link.isUp()).isTrue();
            TapTestSupport.Result show = TapTestSupport.run("ip", "-d", "-o", "link", "show", "dev", name);
            assertThat(show.exitCode()).isZero();
            assertThat(show.output()).contains(name).contains("tun type tap");
            long mac = link.macAddress();
            assertThat(mac >>> 48).isZero();
            assertThat((mac >>> 40) & 0x03).as("locally administered unicast").isEqualTo(0x02);
        } finally {
            link.close();
        }
        assertThat(link.isUp()).isFalse();
        assertThat(TapTestSupport.linkExists(name)).as("non-persistent device removed with its last fd").isFalse();
    }

    @Test
    void opensTunWithIpFramingAndNoMac() throws Exception {
        String name = TapTestSupport.uniqueName();
        try (TapLink link = TapLink.open(name, DeviceMode.TUN, 1400)) {
            assertThat(link.framing()).isEqualTo(Link.Framing.IP);
            assertThat(link.macAddress()).isZero();
            assertThat(link.mtu()).isEqualTo(1400);
            assertThat(TapTestSupport.run("ip", "-d", "-o", "link", "show", "dev", name).output())
                    .contains("tun type tun");
        }
    }

    @Test
    void usesTheGivenMac() throws Exception {
        try (TapLink link = TapLink.open(TapTestSupport.uniqueName(), DeviceMode.TAP, 9000, 0x02_00_5e_10_20_30L)) {
            assertThat(link.macAddress()).isEqualTo(0x02_00_5e_10_20_30L);
            assertThat(link.mtu()).isEqualTo(9000);
        }
    }

    @Test
    void aSecondOpenOfTheSameDeviceIsBusyWithAClearMessage() throws Exception {
        String name = TapTestSupport.uniqueName();
        try (TapLink first = TapLink.open(name)) {
            assertThat(first.isUp()).isTrue();
            assertThatThrownBy(() -> TapLink.open(name))
                    .isInstanceOf(TapException.class)
                    .hasMessageContaining("Cannot attach TAP device '" + name + "'")
                    .hasMessageContaining("(EBUSY)")
                    .satisfies(e -> assertThat(((TapException) e).errno()).isEqualTo(LibC.EBUSY));
        }
    }

    @Test
    void openingATunNameAsTapIsRefused() throws Exception {
        try (TapTestSupport.PersistentDevice tun = TapTestSupport.PersistentDevice.create(DeviceMode.TUN)) {
            String name = tun.name();
            assertThatThrownBy(() -> TapLink.open(name, DeviceMode.TAP, 1500))
                    .isInstanceOf(TapException.class)
                    .hasMessageContaining("Cannot attach TAP device '" + name + "'")
                    .hasMessageContaining("(EINVAL)");
        }
    }

    @Test
    void attachesToAPersistentDeviceAndLeavesItInPlace() throws Exception {
        try (TapTestSupport.PersistentDevice tap = TapTestSupport.PersistentDevice.create(DeviceMode.TAP)) {
            String name = tap.name();
            try (TapLink link = TapLink.open(name)) {
                assertThat(link.isUp()).isTrue();
            }
            assertThat(TapTestSupport.linkExists(name)).isTrue();
            try (TapLink again = TapLink.open(name)) {
                assertThat(again.isUp()).as("the fd was really closed: the device can be attached again").isTrue();
            }
        }
    }

    @Test
    void rejectsBadNamesBeforeAnySystemCall() {
        assertThatThrownBy(() -> TapLink.open("a-name-that-is-too-long"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 15");
        assertThatThrownBy(() -> TapLink.open("bad name")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TapLink.open("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void awaitSleepsForItsTimeoutAndZeroMeansNoWait() throws Exception {
        try (TapLink link = TapLink.open(TapTestSupport.uniqueName())) {
            long t0 = System.nanoTime();
            link.await(0);
            long zero = System.nanoTime() - t0;
            t0 = System.nanoTime();
            link.await(30 * MS);
            long thirty = System.nanoTime() - t0;
            assertThat(zero).isLessThan(5 * MS);
            assertThat(thirty).isBetween(29 * MS, 500 * MS);
        }
    }

    @Test
    void wakeupBeforeAwaitMakesItReturnAtOnceAndIsConsumed() throws Exception {
        try (TapLink link = TapLink.open(TapTestSupport.uniqueName())) {
            link.wakeup();
            link.wakeup(); // coalesced with the first
            long t0 = System.nanoTime();
            link.await(5_000 * MS);
            assertThat(System.nanoTime() - t0).isLessThan(200 * MS);
            t0 = System.nanoTime();
            link.await(40 * MS);
            assertThat(System.nanoTime() - t0).as("the wake-up was consumed").isGreaterThanOrEqualTo(39 * MS);
        }
    }

    @Test
    void wakeupFromAnotherThreadEndsABlockedAwait() throws Exception {
        try (TapLink link = TapLink.open(TapTestSupport.uniqueName())) {
            for (int round = 0; round < 5; round++) {
                CountDownLatch sleeping = new CountDownLatch(1);
                Thread waker = Thread.ofPlatform().start(() -> {
                    try {
                        sleeping.await();
                        Thread.sleep(30);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    link.wakeup();
                });
                sleeping.countDown();
                long t0 = System.nanoTime();
                link.await(10_000 * MS); // capped at 1 s, woken after about 30 ms
                long took = System.nanoTime() - t0;
                waker.join();
                assertThat(took).isLessThan(900 * MS);
            }
        }
    }

    @Test
    void closeIsIdempotentAndAClosedLinkDropsAndReleases() throws Exception {
        String name = TapTestSupport.uniqueName();
        TapLink link = TapLink.open(name);
        link.close();
        link.close();
        assertThat(link.isUp()).isFalse();
        ByteBuf frame = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        frame.writeZero(64);
        assertThat(link.transmit(frame)).isFalse();
        assertThat(frame.refCnt()).isZero();
        assertThat(link.txDropped()).isEqualTo(1);
        assertThat(link.receive(f -> { }, 16)).isZero();
        link.await(50 * MS); // must neither block nor touch the closed descriptors
        link.wakeup();
        assertThat(TapTestSupport.linkExists(name)).isFalse();
    }

    @Test
    void closeFromAnotherThreadEndsABlockedAwaitAndReleasesTheDevice() throws Exception {
        String name = TapTestSupport.uniqueName();
        TapLink link = TapLink.open(name);
        AtomicLong awaited = new AtomicLong();
        CountDownLatch started = new CountDownLatch(1);
        Thread engine = Thread.ofPlatform().start(() -> {
            started.countDown();
            long t0 = System.nanoTime();
            while (link.isUp()) {
                link.await(1_000 * MS);
            }
            awaited.set(System.nanoTime() - t0);
        });
        started.await();
        Thread.sleep(50);
        link.close();
        engine.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(engine.isAlive()).isFalse();
        assertThat(awaited.get()).isLessThan(900 * MS);
        assertThat(TapTestSupport.linkExists(name)).isFalse();
    }

    @Test
    void transmitIsRefusedWhileTheInterfaceIsDownAndAcceptedOnceUp() throws Exception {
        String name = TapTestSupport.uniqueName();
        try (TapLink link = TapLink.open(name)) {
            assertThat(link.transmit(TapTestSupport.localExperimentalFrame(link, true))).isFalse();
            assertThat(link.lastErrno()).isEqualTo(LibC.EIO);
            assertThat(link.isUp()).as("a down interface is not a dead link").isTrue();
            assertThat(TapTestSupport.run("ip", "link", "set", "dev", name, "up").exitCode()).isZero();
            assertThat(link.transmit(TapTestSupport.localExperimentalFrame(link, true))).as("direct buffer").isTrue();
            assertThat(link.transmit(TapTestSupport.localExperimentalFrame(link, false))).as("heap buffer").isTrue();
            assertThat(link.txFrames()).isEqualTo(2);
            assertThat(link.txBytes()).isEqualTo(2 * 60);
            assertThat(link.txDropped()).isEqualTo(1);
        }
    }

    @Test
    void transmitAllocatesNothingOnTheHeapPerFrame() throws Exception {
        String name = TapTestSupport.uniqueName();
        try (TapLink link = TapLink.open(name)) {
            assertThat(TapTestSupport.run("ip", "link", "set", "dev", name, "up").exitCode()).isZero();
            // Buffers outside the leak detector (which, at PARANOID, records a stack trace on every retain).
            ByteBuf direct = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(60));
            ByteBuf heap = Unpooled.wrappedBuffer(new byte[60]);
            try {
                direct.setBytes(0, TapTestSupport.localExperimentalBytes(link));
                heap.setBytes(0, TapTestSupport.localExperimentalBytes(link));
                sendRetained(link, direct, heap, 50_000); // warm-up: JIT, pools
                com.sun.management.ThreadMXBean threads =
                        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                // the best of a few rounds: on a loaded machine C2 (whose escape analysis removes the call's
                // temporaries) may not have compiled the path yet in the first one (16 B/frame seen once so)
                long perFrame = Long.MAX_VALUE;
                for (int round = 0; round < 5 && perFrame >= 8; round++) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    int frames = 100_000;
                    sendRetained(link, direct, heap, frames);
                    perFrame = Math.min(perFrame, (threads.getCurrentThreadAllocatedBytes() - before) / frames);
                }
                assertThat(perFrame).as("heap bytes allocated per transmit").isLessThan(8);
            } finally {
                direct.release();
                heap.release();
            }
        }
    }

    private static void sendRetained(TapLink link, ByteBuf direct, ByteBuf heap, int frames) {
        for (int i = 0; i < frames; i++) {
            ByteBuf frame = (i & 1) == 0 ? direct : heap;
            link.transmit(frame.retain());
        }
    }
}
