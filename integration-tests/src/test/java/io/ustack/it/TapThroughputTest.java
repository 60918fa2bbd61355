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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"curl"})
class TapThroughputTest {
    private static final long HUNDRED_MB = 100_000_000;
    private static final Pattern IPERF_RECEIVED =
            Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)");

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
        VethNamespaces veth = VethNamespaces.create();
        Process server = null;
        try {
            // -1: serve one test and exit
            server = veth.startInA("iperf3", "-s", "-1", "-B", veth.addressA(), "-p", "5201");
            KernelTools.awaitTcpListener(veth.namespaceA(), 5201, Duration.ofSeconds(10));
            ExecResult client = veth.runInB(Duration.ofSeconds(30), "iperf3", "-c", veth.addressA(), "-p", "5201",
                    "-t", "3", "-J");
            assertThat(client.ok()).as(client.describe()).isTrue();
            Matcher m = IPERF_RECEIVED.matcher(client.stdout());
            assertThat(m.find()).as("iperf3's received rate in: " + client.stdout()).isTrue();
            double mbits = Double.parseDouble(m.group(1)) / 1e6;
            assertThat(mbits).isPositive();
            System.out.printf("MEASURE veth, kernel iperf3 to kernel, 3 s: %.1f Mbit/s%n", mbits);
            assertThat(KernelTools.awaitExit(server, Duration.ofSeconds(10), "iperf3 -s -1")).isZero();
        } finally {
            KernelTools.kill(server);
            veth.close();
        }
        assertThat(veth.exists()).as("the veth namespaces are gone").isFalse();
    }
}
