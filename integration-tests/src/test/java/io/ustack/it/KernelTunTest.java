/*
 * KernelTunTest: the stack on a TUN device (bare IPv4 packets, no Ethernet and no ARP: RFC 791 straight on the
 * device) with the kernel as the peer: it answers ping and serves HTTP, and a capture of it is LINKTYPE_RAW.
 */
package io.ustack.it;

import io.ustack.app.PatternBytes;
import io.ustack.tap.DeviceMode;
import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"ping", "curl", "sha256sum", "tshark"})
class KernelTunTest {
    private static StackPeer net;
    private static Path pcap;

    @BeforeAll
    static void start() throws Exception {
        pcap = KernelTools.artifactDirectory("pcap").resolve("KernelTunTest.pcap");
        net = StackPeer.start(pcap, DeviceMode.TUN);
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
        assertThat(KernelPeer.leftovers()).as("namespaces and TAP devices of this JVM").isEmpty();
    }

    @Test
    void pingAndDownloadOverTun() {
        ExecResult ping = net.peer().run(Duration.ofSeconds(30), "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2",
                net.stackAddress());
        assertThat(ping.stdout()).as(ping.describe()).contains("3 received");
        ExecResult curl = net.peer().run(Duration.ofSeconds(120), "sh", "-c",
                "curl -sS --max-time 100 " + net.url("/bytes/1000000") + " | sha256sum");
        assertThat(curl.stdout()).as(curl.describe()).startsWith(PatternBytes.sha256(1_000_000));
        long arp = net.stack().call(iface -> iface.arp() == null ? 0L : 1L).join();
        assertThat(arp).as("a TUN interface has no ARP layer").isZero();
    }

    @Test
    void theCaptureIsRawIpAndWellFormed() throws Exception {
        pingAndDownloadOverTun();
        net.pcap().flushCapture();
        ExecResult types = KernelPeer.runCommand(java.util.List.of("tshark", "-r", pcap.toString(), "-T", "fields",
                "-e", "frame.protocols"), Duration.ofSeconds(60));
        assertThat(types.stdout()).as(types.describe()).contains("raw:ip:icmp").contains("raw:ip:tcp")
                .doesNotContain("eth:");
        ExecResult malformed = KernelPeer.runCommand(java.util.List.of("tshark", "-r", pcap.toString(), "-Y",
                "_ws.malformed"), Duration.ofSeconds(60));
        assertThat(malformed.stdout().strip()).as(malformed.describe()).isEmpty();
    }
}
