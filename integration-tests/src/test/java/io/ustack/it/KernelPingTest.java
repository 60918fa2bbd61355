/*
 * KernelPingTest: the kernel in the namespace pings our stack (ICMP echo, RFC 792, answered by the stack's ICMP
 * layer after the kernel resolved our address with ARP, RFC 826): every one of 10 requests gets its reply.
 */
package io.ustack.it;

import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"ping"})
class KernelPingTest extends SharedStackPeer {
    @Test
    void tenPingsFromTheKernelGetTenReplies() {
        ExecResult ping = net.peer().run(Duration.ofSeconds(30), "ping", "-n", "-c", "10", "-i", "0.2", "-W", "2",
                net.stackAddress());
        int[] counts = KernelTools.pingCounts(ping);
        System.out.println("ping: " + ping.stdout().lines().filter(l -> l.contains("transmitted") || l.contains("rtt"))
                .reduce((a, b) -> a + "; " + b).orElse(""));
        assertThat(ping.stdout()).as(ping.describe()).contains("10 received");
        assertThat(counts).as(ping.describe()).containsExactly(10, 10);
        assertThat(ping.ok()).as(ping.describe()).isTrue();
        long replies = net.stack().call(iface -> net.stack().counters().icmpEchoReplies).join();
        assertThat(replies).as("echo replies the stack counted").isEqualTo(10);
    }
}
