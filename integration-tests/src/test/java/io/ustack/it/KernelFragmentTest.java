/*
 * KernelFragmentTest: IPv4 fragmentation and reassembly against the Linux kernel over a TAP (RFC 791 3.2, RFC 1122
 * 3.3.2-3.3.3). `ping -s 4000` from the kernel's namespace: the kernel fragments each 4028-byte echo request, our
 * stack reassembles it and fragments its echo reply, which the kernel reassembles. Then UDP datagrams of 6000 bytes
 * each way through the stack's UDP echo service (python3 in the namespace sends and compares).
 */
package io.ustack.it;

import io.ustack.app.Services;
import io.ustack.engine.StackCounters;
import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"ping", "python3"})
class KernelFragmentTest extends SharedStackPeer {
    private static final int PINGS = 3;
    private static final int DATAGRAMS = 3;
    private static final int DATAGRAM_SIZE = 6000;
    /**
     * Sends argv[3] datagrams of argv[4] random bytes to argv[1]:argv[2], each waiting up to 2 s for its echo; prints
     * "echoed N" with N the echoes that came back equal; exit 1 if any did not.
     */
    private static final String UDP_CLIENT = """
            import os, socket, sys
            host, port, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(2.0)
            good = 0
            for i in range(count):
                payload = os.urandom(size)
                s.sendto(payload, (host, port))
                try:
                    echo = s.recv(65535)
                except socket.timeout:
                    print('no echo for datagram', i)
                    continue
                if echo == payload:
                    good += 1
                else:
                    print('datagram', i, 'came back as', len(echo), 'different bytes')
            print('echoed', good)
            sys.exit(0 if good == count else 1)
            """;
    private static long[] counters() {
        return net.stack().call(iface -> {
            StackCounters c = net.stack().counters();
            return new long[] {c.ipReasmOKs, c.ipFragOKs, c.ipFragCreates, c.ipReasmFails, c.icmpEchoReplies};
        }).join();
    }

    @Test
    void pingsOf4000BytesAreReassembledAndAnsweredInFragments() {
        long[] before = counters();
        ExecResult ping = net.peer().run(Duration.ofSeconds(30), "ping", "-n", "-c", Integer.toString(PINGS),
                "-i", "0.2", "-W", "2", "-s", "4000", net.stackAddress());
        long[] after = counters();
        System.out.println("ping -s 4000: " + ping.stdout().lines()
                .filter(l -> l.contains("transmitted") || l.contains("rtt")).reduce((a, b) -> a + "; " + b)
                .orElse(""));
        assertThat(KernelTools.pingCounts(ping)).as(ping.describe()).containsExactly(PINGS, PINGS);
        assertThat(ping.stdout()).as("the replies carry the 4000 bytes").contains("4008 bytes from");
        assertThat(after[0] - before[0]).as("echo requests reassembled").isEqualTo(PINGS);
        assertThat(after[1] - before[1]).as("echo replies fragmented").isEqualTo(PINGS);
        // 4008 bytes of ICMP in 1480-byte pieces: 3 fragments per reply
        assertThat(after[2] - before[2]).as("fragments sent").isEqualTo(3L * PINGS);
        assertThat(after[3] - before[3]).as("reassembly failures").isZero();
        assertThat(after[4] - before[4]).as("echo replies").isEqualTo(PINGS);
    }

    @Test
    void udpDatagramsOf6000BytesGoEachWay(@TempDir Path dir) throws IOException {
        Path script = dir.resolve("udp_big_echo.py");
        Files.writeString(script, UDP_CLIENT);
        long[] before = counters();
        ExecResult client = net.peer().run(Duration.ofSeconds(60), "python3", script.toString(),
                net.stackAddress(), Integer.toString(Services.ECHO), Integer.toString(DATAGRAMS),
                Integer.toString(DATAGRAM_SIZE));
        long[] after = counters();
        System.out.println("UDP echo of " + DATAGRAMS + " x " + DATAGRAM_SIZE + " bytes: " + client.stdout().strip());
        assertThat(client.ok()).as(client.describe()).isTrue();
        assertThat(client.stdout()).contains("echoed " + DATAGRAMS);
        assertThat(after[0] - before[0]).as("datagrams reassembled from the kernel's fragments").isEqualTo(DATAGRAMS);
        assertThat(after[1] - before[1]).as("echoes fragmented by the stack").isEqualTo(DATAGRAMS);
        assertThat(after[3] - before[3]).as("reassembly failures").isZero();
    }
}
