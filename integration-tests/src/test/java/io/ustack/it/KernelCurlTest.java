/*
 * KernelCurlTest: the kernel's TCP (RFC 9293) as the client of our stack's HTTP/1.1 server (RFC 9112), driven by curl
 * in the namespace: the index page, a 10 MB pattern body checked by SHA-256, and a connection to a closed port, which
 * our stack must refuse at once with a RST (RFC 9293 3.10.7.1) so curl fails with "Couldn't connect" (exit 7).
 */
package io.ustack.it;

import io.netty.util.ResourceLeakDetector;
import io.ustack.app.PatternBytes;
import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"curl", "sha256sum", "bash", "ping"})
class KernelCurlTest extends SharedStackPeer {
    private static final Duration CURL_LIMIT = Duration.ofSeconds(180);
    private static final long TEN_MB = 10_000_000;
    private static final int CURL_COULDNT_CONNECT = 7;
    @Test
    void curlGetsTheIndexPage() {
        // curl prints the body, then the status on a line of its own
        ExecResult curl = net.peer().run(CURL_LIMIT, "curl", "-sS", "--max-time", "30", "-w", "\n%{http_code}\n",
                net.url("/"));
        assertThat(curl.ok()).as(curl.describe()).isTrue();
        String[] lines = curl.stdout().strip().split("\n");
        assertThat(lines[lines.length - 1]).as("HTTP status; " + curl.describe()).isEqualTo("200");
        assertThat(curl.stdout()).contains("ustack").contains("<html>");
    }

    @Test
    void curlDownloadsTenMegabytesWithTheRightDigest() {
        // the body goes through sha256sum; curl's own numbers go to stderr
        ExecResult curl = KernelTools.sh(net.peer(), CURL_LIMIT, "curl -sS --max-time 150 "
                + "-w '%{stderr}%{http_code} %{size_download} %{speed_download}' "
                + KernelTools.quote(net.url("/bytes/" + TEN_MB)) + " | sha256sum");
        assertThat(curl.ok()).as(curl.describe()).isTrue();
        String[] f = curl.stderr().strip().split(" ");
        assertThat(f).as(curl.describe()).hasSize(3);
        assertThat(f[0]).as("HTTP status").isEqualTo("200");
        assertThat(Long.parseLong(f[1])).as("bytes received").isEqualTo(TEN_MB);
        assertThat(curl.stdout().split("\\s+")[0]).as("SHA-256 of the body")
                .isEqualTo(PatternBytes.sha256(TEN_MB));
        System.out.printf("curl /bytes/%d (netty leak detection %s): %.1f Mbit/s%n", TEN_MB,
                ResourceLeakDetector.getLevel(), Double.parseDouble(f[2]) * 8 / 1e6);
    }

    @Test
    void aClosedPortIsRefusedAtOnce() {
        // warm ARP first, so the timing below is only the SYN and its RST
        assertThat(net.peer().run(Duration.ofSeconds(10), "ping", "-n", "-c", "1", "-W", "2", net.stackAddress()).ok())
                .as("the stack answers ping").isTrue();
        long start = System.nanoTime();
        ExecResult curl = net.peer().run(Duration.ofSeconds(20), "curl", "-sS", "--max-time", "10",
                "--connect-timeout", "10", "http://" + net.stackAddress() + ":81/");
        long millis = KernelTools.millisSince(start);
        System.out.println("curl to closed port 81: exit " + curl.exitCode() + " after " + millis + " ms");
        assertThat(curl.exitCode()).as("curl exit code (7 = couldn't connect); " + curl.describe())
                .isEqualTo(CURL_COULDNT_CONNECT);
        assertThat(curl.stderr()).as("curl 7.x words ECONNREFUSED so").contains("Couldn't connect");
        assertThat(millis).as("refused without waiting for a timeout").isLessThan(2_000);
        long resets = net.stack().call(iface -> net.stack().counters().tcpResetsSent).join();
        assertThat(resets).as("RSTs the stack sent").isPositive();
    }
}
