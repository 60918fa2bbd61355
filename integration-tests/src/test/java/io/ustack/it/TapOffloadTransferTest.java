/*
 * TapOffloadTransferTest: TAP offloads against the real kernel (TapOptions.OFFLOADS: IFF_VNET_HDR with
 * TUNSETOFFLOAD CSUM|TSO4|TSO6|TSO_ECN, Linux Documentation/networking/tuntap.rst; the virtio-net header of virtio
 * spec 1.x section 5.1.6). In one run, each in its own namespace and TAP:
 *   - kernel -> stack: our stack reads 256 MiB that socat serves, with offloads on and off; with them on the link must
 *     have received super-frames (longer than the MTU, GSO) with partial checksums, and no malformed header; off, no
 *     frame is longer than the MTU. SHA-256 equal both times.
 *   - stack -> kernel: curl downloads 256 MiB from our HTTP server with offloads on and off, SHA-256 equal, then again
 *     into /dev/null for the rate (sha256sum is slower than the path). With offloads on, TCP hands the TAP
 *     super-segments of up to 64 KiB behind a GSO_TCPV4 header (TCP segmentation offload), and must have written some.
 *   - the kernel-to-kernel baseline over a veth pair (iperf3), if installed.
 * Rates are printed as "MEASURE" lines, never asserted. -Dustack.it.offloadMiB changes the size, and
 * -Dustack.it.offloadRounds repeats the on/off pairs. Netty's leak detection is off in this class (PARANOID makes the
 * stack ~30 times slower); the other tests run the same paths with it on.
 */
package io.ustack.it;

import io.ustack.link.Impairment;
import io.ustack.tap.DeviceMode;
import io.ustack.tap.TapLink;
import io.ustack.tap.TapOptions;
import io.ustack.tap.netns.KernelPeer;
import io.ustack.tcp.TcpConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"curl", "socat", "sha256sum", "bash", "ss"})
@ExtendWith(LeakDetectionOff.class)
class TapOffloadTransferTest {
    private static final long BYTES = (long) Integer.getInteger("ustack.it.offloadMiB", 256) << 20;
    private static final int ROUNDS = Integer.getInteger("ustack.it.offloadRounds", 1);
    private static final Duration LIMIT = Duration.ofMinutes(5);
    private static final int PORT = 5401;

    @AfterAll
    static void restore() {
        assertThat(KernelPeer.leftovers()).as("namespaces and TAP devices of this JVM").isEmpty();
    }

    private static StackPeer start(boolean offloads) throws Exception {
        return StackPeer.start(null, DeviceMode.TAP, Impairment.NONE, new TcpConfig(), TapOptions.offloads(offloads));
    }

    /** What the TAP link counted, read on the engine thread. */
    private record Received(long frames, long superFrames, long gso, long partial, long malformed, int longest,
            String drops) {
        static Received of(StackPeer net) {
            TapLink link = net.peer().link();
            return net.stack().call(iface -> new Received(link.rxFrames(), link.rxSuperFrames(), link.rxGsoFrames(),
                    link.rxPartialChecksum(), link.rxMalformed(), link.rxLargestFrame(),
                    iface.counters().dropSnapshot().toString())).join();
        }

        @Override
        public String toString() {
            return frames + " frames received, " + superFrames + " longer than the MTU (" + gso + " GSO), " + partial
                    + " with a partial checksum, longest " + longest + " B, " + malformed + " malformed; stack drops "
                    + drops;
        }
    }

    @Test
    void kernelToStackWithOffloadsOnAndOff(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("served.bin");
        String expected = KernelTransfers.writeRandomFile(file, BYTES, 0x0FF1);
        for (int round = 0; round < ROUNDS; round++) {
            for (boolean offloads : new boolean[] {false, true}) {
                try (StackPeer net = start(offloads)) {
                    KernelTransfers.Outcome o = KernelTransfers.readFromSocat(net, PORT, file, BYTES, expected, LIMIT);
                    Received r = Received.of(net);
                    System.out.printf("MEASURE TAP offloads %s, kernel (socat) -> stack, %d MiB: %.1f Mbit/s (%.2f s,"
                            + " %s); %s; %s%n", offloads ? "on" : "off", BYTES >> 20, o.megabitsPerSecond(),
                            o.millis() / 1e3, o.ok() ? "SHA-256 equal" : "FAILED", r, KernelTransfers.counters(net));
                    assertThat(o.failure()).as("offloads " + offloads).isNull();
                    assertThat(r.malformed()).isZero();
                    if (offloads) {
                        assertThat(r.superFrames()).as("the kernel hands over super-frames: " + r).isPositive();
                        assertThat(r.gso()).as(r.toString()).isPositive();
                        assertThat(r.partial()).as(r.toString()).isPositive();
                        assertThat(r.longest()).as(r.toString()).isGreaterThan(TapLink.DEFAULT_MTU + 14);
                    } else {
                        assertThat(r.superFrames()).as("no offloads, no frame over the MTU: " + r).isZero();
                        assertThat(r.partial()).as(r.toString()).isZero();
                    }
                }
            }
        }
    }

    @Test
    void stackToKernelWithOffloadsOnAndOff() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            for (boolean offloads : new boolean[] {false, true}) {
                try (StackPeer net = start(offloads)) {
                    KernelTransfers.Outcome o = KernelTransfers.curlDownload(net, BYTES, LIMIT);
                    long superFrames = net.stack().call(iface -> net.peer().link().txSuperFrames()).join();
                    System.out.printf("MEASURE TAP offloads %s, stack -> kernel (curl | sha256sum), %d MiB: %.1f"
                            + " Mbit/s (%.2f s, %s), %d TCP super-segments written; %s; %s%n", offloads ? "on" : "off",
                            BYTES >> 20, o.megabitsPerSecond(), o.millis() / 1e3, o.ok() ? "SHA-256 equal" : "FAILED",
                            superFrames, Received.of(net), KernelTransfers.counters(net));
                    assertThat(o.failure()).as("offloads " + offloads).isNull();
                    if (offloads) {
                        assertThat(superFrames).as("TCP segmentation offload used").isPositive();
                    } else {
                        assertThat(superFrames).isZero();
                    }
                    // the same without the digest, which is slower than the path it would measure
                    KernelTransfers.Outcome fast = KernelTransfers.curlDiscard(net, BYTES, LIMIT);
                    System.out.printf("MEASURE TAP offloads %s, stack -> kernel (curl > /dev/null), %d MiB: %.1f"
                            + " Mbit/s (%.2f s)%n", offloads ? "on" : "off", BYTES >> 20, fast.megabitsPerSecond(),
                            fast.millis() / 1e3);
                    assertThat(fast.failure()).as("offloads " + offloads + ", to /dev/null").isNull();
                }
            }
        }
    }

    /** On a TUN device (bare IP packets, no Ethernet header) the super-segments start at the IP header. */
    @Test
    void stackToKernelOverTunWithOffloads() throws Exception {
        long bytes = 64L << 20;
        try (StackPeer net = StackPeer.start(null, DeviceMode.TUN, Impairment.NONE, new TcpConfig(),
                TapOptions.OFFLOADS)) {
            KernelTransfers.Outcome o = KernelTransfers.curlDownload(net, bytes, LIMIT);
            long superFrames = net.stack().call(iface -> net.peer().link().txSuperFrames()).join();
            System.out.printf("MEASURE TUN offloads on, stack -> kernel (curl | sha256sum), %d MiB: %.1f Mbit/s (%.2f s,"
                    + " %s), %d TCP super-segments written%n", bytes >> 20, o.megabitsPerSecond(), o.millis() / 1e3,
                    o.ok() ? "SHA-256 equal" : "FAILED", superFrames);
            assertThat(o.failure()).isNull();
            assertThat(superFrames).as("TCP segmentation offload on a TUN device").isPositive();
        }
    }

    @Test
    void kernelToKernelOverVethForComparison() throws Exception {
        HostRequirements.requireCommand("iperf3");
        double mbits = VethNamespaces.iperf3Megabits(3);
        System.out.printf("MEASURE veth, kernel iperf3 to kernel, 3 s: %.1f Mbit/s%n", mbits);
    }
}
