/*
 * KernelTapBridgeTest: the kernel-to-kernel bridge through two TAP devices and an ImpairedLink (KernelTapBridge)
 * carries a TCP transfer intact, without loss and with 10% loss each way, and leaves nothing behind.
 */
package io.ustack.it;

import io.ustack.link.Impairment;
import io.ustack.tap.netns.KernelPeer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"socat", "sha256sum", "bash", "ss", "ethtool", "nstat"})
class KernelTapBridgeTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @AfterAll
    static void nothingLeft() {
        assertThat(KernelPeer.leftovers()).as("namespaces and TAP devices of this JVM").isEmpty();
    }

    @Test
    void cleanBridgeCarriesTheFileAndForwardsBothWays(@TempDir Path dir) throws Exception {
        long bytes = 4L << 20;
        Path file = dir.resolve("clean.bin");
        String sha = KernelTransfers.writeRandomFile(file, bytes, 0xB1D6);
        KernelTapBridge.Result r;
        try (KernelTapBridge bridge = KernelTapBridge.create(Impairment.NONE)) {
            assertThat(bridge.senderAddress()).isNotEqualTo(bridge.receiverAddress());
            r = bridge.send(file, bytes, sha, LIMIT);
            System.out.println("bridge, no impairment: " + r.describe());
            assertThat(bridge.failure()).isNull();
            assertThat(bridge.queueDrops()).as("frames dropped by a full queue").isZero();
        }
        assertThat(r.outcome().failure()).isNull();
        // at most 1448 payload bytes per segment: the data frames alone are more than bytes / 1500
        assertThat(r.forwardedToReceiver()).isGreaterThan(bytes / 1500);
        assertThat(r.forwardedToSender()).as("ACKs crossed back").isPositive();
        assertThat(r.lostToReceiver() + r.lostToSender()).isZero();
        assertThat(r.sender().segmentsSent()).isGreaterThan(bytes / 1500);
        assertThat(KernelPeer.leftovers()).isEmpty();
    }

    @Test
    void withTenPercentLossTheKernelRetransmitsAndTheFileArrivesIntact(@TempDir Path dir) throws Exception {
        long bytes = 2L << 20;
        Path file = dir.resolve("lossy.bin");
        String sha = KernelTransfers.writeRandomFile(file, bytes, 0xB1D7);
        KernelTapBridge.Result r;
        try (KernelTapBridge bridge = KernelTapBridge.create(Impairment.parse("loss=10,seed=7"))) {
            r = bridge.send(file, bytes, sha, LIMIT);
            System.out.println("bridge, loss=10: " + r.describe());
            assertThat(bridge.failure()).isNull();
        }
        assertThat(r.outcome().failure()).isNull();
        assertThat(r.lostToReceiver()).as("data frames the impairment dropped").isPositive();
        assertThat(r.lostToSender()).as("ACK frames the impairment dropped").isPositive();
        assertThat(r.sender().retransmitted()).as("segments the kernel retransmitted").isPositive();
        assertThat(KernelPeer.leftovers()).isEmpty();
    }
}
