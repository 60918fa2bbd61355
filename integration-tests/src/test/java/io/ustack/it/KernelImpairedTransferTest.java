/*
 * KernelImpairedTransferTest: the proof against the real kernel on a bad network: our stack behind an
 * ImpairedLink (10% loss, 5% reordering, 1% duplication, 1% corruption, each direction, on our side of the TAP) moves
 * data both ways with Linux's TCP (RFC 9293 with RFC 7323 timestamps, RFC 2018 SACK, RFC 6675 / RFC 8985 loss
 * recovery on both ends): the kernel's curl downloads /bytes/N from our HTTP server (stack -> kernel) and our stack
 * reads a file of random bytes that socat serves (kernel -> stack). Every run must end within its bound with the
 * SHA-256 of the data equal to what was sent. Our sender runs BBR, the congestion control a server on a lossy path
 * chooses (as Linux servers do with net.ipv4.tcp_congestion_control=bbr); the default CUBIC sender is proven too, with
 * less data, because any loss-based sender moves only a few Mbit/s at 10% random loss (Linux's Reno as well:
 * ImpairedGoodputTest).
 *
 * Profiles: by default (CI) one run per direction (sizes below; -Dustack.it.impairedMiB.toKernel / .toStack change
 * them); with -Dustack.soak=true (or `-P soak`) ustack.soak.runs runs (default 20) of ustack.soak.mib MiB (default
 * 1024) per direction, each with its own seed, and the pass count is printed as a "SOAK" line before the assertion.
 * Each run prints a "MEASURE" line (goodput, duration, the impairment's counters, the stack's retransmissions).
 * Netty's leak detection is off in this class (PARANOID makes the stack ~30 times slower); the other tests run the
 * same paths with it on.
 */
package io.ustack.it;

import io.ustack.link.Impairment;
import io.ustack.tap.netns.KernelPeer;
import io.ustack.tcp.CongestionAlgorithm;
import io.ustack.tcp.TcpConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"curl", "socat", "sha256sum", "bash", "ss"})
@ExtendWith(LeakDetectionOff.class)
class KernelImpairedTransferTest {
    /** The impairment, applied to each direction on our side of the TAP (a run adds its seed). */
    static final String IMPAIRMENT = "loss=10,reorder=5,duplicate=1,corrupt=1";
    private static final boolean SOAK = Boolean.getBoolean("ustack.soak");
    /**
     * CI sizes: 256 MiB each way. The CUBIC sender moves 32 MiB (3-8 Mbit/s under this impairment: frequent 200 ms
     * retransmission timeouts at a flight of a few segments; 256 MiB would take over 10 minutes). Soak: 1 GiB each
     * way; the CUBIC download keeps its CI size and runs once.
     */
    private static final long TO_KERNEL_BYTES = mebibytes("ustack.it.impairedMiB.toKernel", 256);
    private static final long CUBIC_TO_KERNEL_BYTES =
            (long) Integer.getInteger("ustack.it.impairedMiB.toKernelCubic", 32) << 20;
    private static final long TO_STACK_BYTES = mebibytes("ustack.it.impairedMiB.toStack", 256);
    private static final int RUNS = SOAK ? Integer.getInteger("ustack.soak.runs", 20) : 1;
    private static final int PORT = 5301;

    private static long mebibytes(String property, int ciDefault) {
        return (long) Integer.getInteger(property, SOAK ? Integer.getInteger("ustack.soak.mib", 1024) : ciDefault)
                << 20;
    }

    /** Bound of one run of {@code bytes}: 5 minutes, or 10 s per MiB (0.8 Mbit/s) if longer. */
    private static Duration runLimit(long bytes) {
        return Duration.ofSeconds(Math.max(300, 2 * (bytes >> 20)));
    }

    @AfterAll
    static void restore() {
        assertThat(KernelPeer.leftovers()).as("namespaces and TAP devices of this JVM").isEmpty();
    }

    @Test
    void kernelDownloadsFromTheStackThroughTheImpairment() throws Exception {
        List<String> failures = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            long seed = 0xD0_0000L + run;
            String outcome = download(seed, TO_KERNEL_BYTES, CongestionAlgorithm.BBR);
            if (outcome != null) {
                failures.add("run " + run + " (seed " + seed + "): " + outcome);
            }
        }
        report("stack (BBR) -> kernel (curl)", TO_KERNEL_BYTES, failures);
    }

    @Test
    void kernelDownloadsFromTheDefaultCubicSenderThroughTheImpairment() throws Exception {
        long seed = 0xC0_0000L;
        String outcome = download(seed, CUBIC_TO_KERNEL_BYTES, CongestionAlgorithm.CUBIC);
        assertThat(outcome).as("stack (CUBIC) -> kernel (curl), seed " + seed).isNull();
    }

    @Test
    void stackReadsFromTheKernelThroughTheImpairment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("served.bin");
        String expected = KernelTransfers.writeRandomFile(file, TO_STACK_BYTES, 0x51DE);
        List<String> failures = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            long seed = 0xE0_0000L + run;
            String outcome = upload(seed, file, TO_STACK_BYTES, expected);
            if (outcome != null) {
                failures.add("run " + run + " (seed " + seed + "): " + outcome);
            }
        }
        report("kernel -> stack (socat)", TO_STACK_BYTES, failures);
    }

    /** One download; null when it passed, else what went wrong. */
    private static String download(long seed, long bytes, CongestionAlgorithm cc) throws Exception {
        try (StackPeer net = StackPeer.start(Impairment.parse(IMPAIRMENT + ",seed=" + seed),
                new TcpConfig().congestionControl(cc), null)) {
            KernelTransfers.Outcome o = KernelTransfers.curlDownload(net, bytes, runLimit(bytes));
            measure("stack (" + cc + ") -> kernel (curl)", seed, o, net);
            return o.failure();
        }
    }

    /** One read of {@code file} from socat by our stack; null when it passed, else what went wrong. */
    private static String upload(long seed, Path file, long bytes, String expected) throws Exception {
        try (StackPeer net = StackPeer.start(Impairment.parse(IMPAIRMENT + ",seed=" + seed), new TcpConfig(), null)) {
            KernelTransfers.Outcome o = KernelTransfers.readFromSocat(net, PORT, file, bytes, expected,
                    runLimit(bytes));
            measure("kernel -> stack (socat)", seed, o, net);
            return o.failure();
        }
    }

    private static void measure(String direction, long seed, KernelTransfers.Outcome o, StackPeer net) {
        System.out.printf("MEASURE impaired TAP (%s, seed %d), %s, %d MiB: %.1f Mbit/s (%.2f s, %s); %s%n",
                IMPAIRMENT, seed, direction, o.bytes() >> 20, o.megabitsPerSecond(), o.millis() / 1e3,
                o.ok() ? "SHA-256 equal" : "FAILED", KernelTransfers.counters(net));
    }

    private static void report(String direction, long bytes, List<String> failures) {
        if (SOAK) {
            System.out.printf("SOAK %s: %d of %d runs of %d MiB passed under %s%n", direction,
                    RUNS - failures.size(), RUNS, bytes >> 20, IMPAIRMENT);
        }
        assertThat(failures).as(direction + ": runs that failed").isEmpty();
    }
}
