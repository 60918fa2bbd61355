/*
 * ImpairedGoodputTest: goodput over the TAP, both directions, without loss and with 10% loss on our side (each
 * direction, an ImpairedLink with "loss=10"), in one run so the figures can be set side by side (and beside
 * TapThroughputTest's kernel-to-kernel veth figure). Each transfer is checked by SHA-256; the rates are printed as
 * "MEASURE" lines and not asserted, since they depend on the machine. One assertion is about the stack, not the
 * machine: under the same loss our sender should not be far behind the kernel's (disabled: it is, see below).
 * Netty's leak detection is off in this class (PARANOID makes the stack ~30 times slower).
 */
package io.ustack.it;

import io.netty.util.ResourceLeakDetector;
import io.ustack.link.Impairment;
import io.ustack.tap.netns.KernelPeer;
import io.ustack.tcp.TcpConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"curl", "socat", "sha256sum", "bash", "ss"})
class ImpairedGoodputTest {
    private static final long CLEAN_BYTES = 100L << 20;
    /** Under 10% loss our sender manages ~3 Mbit/s (about 25 s for 8 MiB); the kernel's ~150 Mbit/s. */
    private static final long LOSSY_TO_KERNEL_BYTES = 8L << 20;
    private static final long LOSSY_TO_STACK_BYTES = 64L << 20;
    private static final Duration LIMIT = Duration.ofMinutes(4);
    private static final int PORT = 5302;
    private static ResourceLeakDetector.Level level;

    @BeforeAll
    static void leakDetectionOff() {
        level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }

    @AfterAll
    static void restore() {
        ResourceLeakDetector.setLevel(level);
        assertThat(KernelPeer.leftovers()).as("namespaces and TAP devices of this JVM").isEmpty();
    }

    @Test
    void goodputWithoutLossAndWithTenPercentLoss(@TempDir Path dir) throws Exception {
        Path clean = dir.resolve("clean.bin");
        String cleanSha = KernelTransfers.writeRandomFile(clean, CLEAN_BYTES, 0x600D);
        Path lossy = dir.resolve("lossy.bin");
        String lossySha = KernelTransfers.writeRandomFile(lossy, LOSSY_TO_STACK_BYTES, 0x1055);
        for (String spec : new String[] {"none", "loss=10,seed=10"}) {
            Impairment impairment = Impairment.parse(spec);
            boolean lossless = !impairment.impairs();
            try (StackPeer net = StackPeer.start(impairment, new TcpConfig(), null)) {
                KernelTransfers.Outcome down = KernelTransfers.curlDownload(net,
                        lossless ? CLEAN_BYTES : LOSSY_TO_KERNEL_BYTES, LIMIT);
                print("stack -> kernel (curl)", spec, down, net);
                assertThat(down.failure()).as("stack -> kernel under " + spec).isNull();
            }
            try (StackPeer net = StackPeer.start(impairment, new TcpConfig(), null)) {
                KernelTransfers.Outcome up = lossless
                        ? KernelTransfers.readFromSocat(net, PORT, clean, CLEAN_BYTES, cleanSha, LIMIT)
                        : KernelTransfers.readFromSocat(net, PORT, lossy, LOSSY_TO_STACK_BYTES, lossySha, LIMIT);
                print("kernel -> stack (socat)", spec, up, net);
                assertThat(up.failure()).as("kernel -> stack under " + spec).isNull();
            }
        }
    }

    /**
     * Under 10% loss each way Linux's sender keeps ~80 segments in flight and never waits for a retransmission
     * timeout; ours keeps ~3 and stalls on a 200 ms RTO several times per MiB, so it moves ~50 times less. This
     * asks for at least a quarter of the kernel's goodput.
     */
    @Test
    @Disabled("weakness, not a correctness bug: under 10% loss our sender reaches ~3 Mbit/s where Linux's reaches"
            + " ~150 (frequent RTO stalls, no undo of spurious reductions, see the report of branch kproof)")
    void underTenPercentLossOurSenderIsNotFarBehindTheKernels(@TempDir Path dir) throws Exception {
        Impairment impairment = Impairment.parse("loss=10,seed=11");
        long bytes = 8L << 20;
        Path file = dir.resolve("lossy.bin");
        String sha = KernelTransfers.writeRandomFile(file, bytes, 0x1056);
        KernelTransfers.Outcome ours;
        KernelTransfers.Outcome kernels;
        try (StackPeer net = StackPeer.start(impairment, new TcpConfig(), null)) {
            ours = KernelTransfers.curlDownload(net, bytes, LIMIT);
            print("stack -> kernel (curl)", "loss=10", ours, net);
        }
        try (StackPeer net = StackPeer.start(impairment, new TcpConfig(), null)) {
            kernels = KernelTransfers.readFromSocat(net, PORT, file, bytes, sha, LIMIT);
            print("kernel -> stack (socat)", "loss=10", kernels, net);
        }
        assertThat(ours.failure()).isNull();
        assertThat(kernels.failure()).isNull();
        assertThat(ours.megabitsPerSecond()).as("our goodput (Mbit/s) against a quarter of the kernel's")
                .isGreaterThanOrEqualTo(kernels.megabitsPerSecond() / 4);
    }

    private static void print(String direction, String spec, KernelTransfers.Outcome o, StackPeer net) {
        System.out.printf("MEASURE goodput over TAP, %s, impairment %s, %d MiB: %.1f Mbit/s (%.2f s, %s); %s%n",
                direction, spec, o.bytes() >> 20, o.megabitsPerSecond(), o.millis() / 1e3,
                o.ok() ? "SHA-256 equal" : "FAILED", KernelTransfers.counters(net));
    }
}
