/*
 * TapOffloadTest: a real TAP opened with offloads (TapOptions.OFFLOADS: IFF_VNET_HDR, TUNSETVNETHDRSZ 12,
 * TUNSETOFFLOAD CSUM|TSO4|TSO6|TSO_ECN; Linux Documentation/networking/tuntap.rst, virtio spec 1.x section 5.1.6):
 * the kernel's device shows the offloads, a plain open of the same (persistent) device resets them, and frames
 * written with the zero virtio-net header reach the kernel whole, from direct and heap buffers. Receiving super-frames
 * from the kernel's TCP is tested in integration-tests (TapOffloadTransferTest).
 */
package io.ustack.tap;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class TapOffloadTest {
    @BeforeEach
    void requireTap() {
        TapTestSupport.assumeTapUsable();
    }

    private static String offloadsOf(String name) {
        TapTestSupport.Result r = TapTestSupport.run("ethtool", "-k", name);
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r.output();
    }

    @Test
    void offloadsAreOnWithTheOptionAndAPlainOpenResetsThem() throws Exception {
        TapTestSupport.assumeCommand("ethtool");
        try (TapTestSupport.PersistentDevice tap = TapTestSupport.PersistentDevice.create(DeviceMode.TAP)) {
            String name = tap.name();
            try (TapLink link = TapLink.open(name, DeviceMode.TAP, 1500, TapLink.RANDOM_MAC, TapOptions.OFFLOADS)) {
                assertThat(link.offloads()).isTrue();
                assertThat(offloadsOf(name)).contains("tcp-segmentation-offload: on")
                        .contains("tx-tcp-segmentation: on").contains("tx-tcp6-segmentation: on")
                        .contains("tx-checksumming: on");
            }
            // the device keeps the offloads of its last user: a plain open must take them back
            try (TapLink plain = TapLink.open(name)) {
                assertThat(plain.offloads()).isFalse();
                assertThat(offloadsOf(name)).contains("tcp-segmentation-offload: off")
                        .contains("tx-checksumming: off");
            }
        }
    }

    @Test
    void framesWrittenBehindTheZeroHeaderReachTheKernelWhole() throws Exception {
        String name = TapTestSupport.uniqueName();
        try (TapLink link = TapLink.open(name, DeviceMode.TAP, 1500, TapLink.RANDOM_MAC, TapOptions.OFFLOADS)) {
            assertThat(TapTestSupport.run("ip", "link", "set", "dev", name, "up").exitCode()).isZero();
            long packets = statistic(name, "rx_packets");
            long bytes = statistic(name, "rx_bytes");
            assertThat(link.transmit(TapTestSupport.localExperimentalFrame(link, true))).as("direct: writev").isTrue();
            assertThat(link.transmit(TapTestSupport.localExperimentalFrame(link, false))).as("heap: copy").isTrue();
            assertThat(link.txFrames()).isEqualTo(2);
            assertThat(link.txBytes()).as("frame bytes, without the headers").isEqualTo(2 * 60);
            // had the header been missing, the kernel would have read our first 12 bytes as one: 48-byte frames
            assertThat(statistic(name, "rx_packets") - packets).isEqualTo(2);
            assertThat(statistic(name, "rx_bytes") - bytes).as("the kernel got 60 bytes each").isEqualTo(2 * 60);
        }
    }

    private static long statistic(String name, String counter) throws Exception {
        return Long.parseLong(Files.readString(Path.of("/sys/class/net", name, "statistics", counter)).strip());
    }
}
