/*
 * TapThroughputTest: measures, in one run, (1) the rate at which the kernel's TCP downloads 100 MB from our stack's
 * HTTP server over the TAP (curl's speed_download), and (2) a kernel-to-kernel baseline: iperf3 over a veth pair
 * between two namespaces made for it. Both are printed as "MEASURE" lines (on the console, and kept in
 * target/surefire-reports/TEST-io.ustack.it.TapThroughputTest.xml under system-out) so the README can set them side
 * by side. The download is checked (status, length) but its rate is only reported, never asserted: it depends on the
 * machine. Netty's leak detection is off during the download (PARANOID makes the stack ~30 times slower).
 */
package io.ustack.it;

import io.netty.util.ResourceLeakDetector;
import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"curl"})
class TapThroughputTest {
    private static final long HUNDRED_MB = 100_000_000;

    @AfterEach
    void nothingOfOursIsLeft() {
        assertThat(KernelPeer.leftovers()).as("namespaces and TAP devices of this JVM").isEmpty();
    }

    @Test
    void kernelDownloadsHundredMegabytesOverTap() throws Exception {
        // PARANOID leak tracking (the tests' setting) records a stack trace per buffer: off while timing, as in the
        // benchmarks; the other tests run the same paths with it on
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try (StackPeer net = StackPeer.start()) {
            ExecResult warm = net.peer().run(Duration.ofSeconds(30), "curl", "-sS", "--max-time", "20", "-o",
                    "/dev/null", net.url("/bytes/1000000"));
            assertThat(warm.ok()).as(warm.describe()).isTrue();
            ExecResult curl = net.peer().run(Duration.ofMinutes(5), "curl", "-sS", "--max-time", "240", "-o",
                    "/dev/null", "-w", "%{http_code} %{size_download} %{speed_download} %{time_total}",
                    net.url("/bytes/" + HUNDRED_MB));
            assertThat(curl.ok()).as(curl.describe()).isTrue();
            String[] f = curl.stdout().strip().split(" ");
            assertThat(f).as(curl.describe()).hasSize(4);
            assertThat(f[0]).as("HTTP status").isEqualTo("200");
            assertThat(Long.parseLong(f[1])).as("bytes received").isEqualTo(HUNDRED_MB);
            double mbits = Double.parseDouble(f[2]) * 8 / 1e6;
            long retransmits = net.stack().call(iface -> net.stack().counters().tcpRetransmits).join();
            System.out.printf("MEASURE TAP, kernel curl downloads 100 MB from ustack: %.1f Mbit/s (%.2f s, %d TCP"
                    + " retransmissions by the stack)%n", mbits, Double.parseDouble(f[3]), retransmits);
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    @Test
    @RequiresKernelPeer(commands = {"iperf3", "ss"})
    void kernelToKernelOverVethForComparison() throws Exception {
        double mbits = VethNamespaces.iperf3Megabits(3);
        System.out.printf("MEASURE veth, kernel iperf3 to kernel, 3 s: %.1f Mbit/s%n", mbits);
    }
}
