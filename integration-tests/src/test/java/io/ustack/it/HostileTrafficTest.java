/*
 * HostileTrafficTest: our stack under a SYN flood and port scans from the kernel's namespace (never beyond it):
 * - hping3 floods port 80 with SYNs from a spoofed address of the fixture's own /24 that nobody answers for, so every
 *   half-open connection stays (RFC 4987 1.2); the SYN backlog fills and SYN cookies take over (RFC 4987 3.6), and
 *   100 curl connections made meanwhile all succeed;
 * - nmap's SYN, FIN, NULL, Xmas and ACK scans of ports 1-1024 see what RFC 9293 3.10.7 prescribes: a SYN to a
 *   listening port gets a SYN-ACK and to a closed one a RST (-sS: 7, 9, 80 open, the rest closed); FIN, NULL and Xmas
 *   to a listening port are dropped ("If the state is LISTEN ... any other control or text-bearing segment ... drop")
 *   and draw a RST from a closed one (open|filtered vs closed); an ACK draws a RST from either (-sA: unfiltered);
 * - nmap -O's odd probes (bad flags, options, window sizes, ECN, UDP to a closed port, ICMP echo with odd codes)
 *   leave the stack serving.
 */
package io.ustack.it;

import io.netty.util.ResourceLeakDetector;
import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import io.ustack.tcp.TcpExtCounters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"hping3", "nmap", "curl", "bash", "ping"})
class HostileTrafficTest {
    private static final int CLIENTS = 100;
    private static final Duration SCAN_LIMIT = Duration.ofMinutes(3);
    /** nmap -oG: "Ports: 7/open/tcp//echo///, ..." and "Ignored State: closed (1021)". */
    private static final Pattern PORT_ENTRY = Pattern.compile("(\\d+)/([a-z|]+)/tcp/");
    private static final Pattern IGNORED = Pattern.compile("Ignored State: ([a-z|]+) \\((\\d+)\\)");
    private static StackPeer net;
    private static ResourceLeakDetector.Level level;

    @BeforeAll
    static void start() throws Exception {
        // tens of thousands of SYNs: leak tracking of each buffer would make the stack the bottleneck
        level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        net = StackPeer.start();
    }

    @AfterAll
    static void stop() {
        try {
            if (net != null) {
                net.close();
            }
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
        assertThat(KernelPeer.leftovers()).as("namespaces and TAP devices of this JVM").isEmpty();
    }

    @Test
    void aHundredClientsGetThroughASynFlood() throws Exception {
        TcpExtCounters ext = net.stack().call(iface -> iface.tcp().extCounters()).join();
        long overflowsBefore = net.stack().call(iface -> ext.synBacklogOverflows).join();
        // a spoofed source in the fixture's own /24 (.77: neither the kernel, .1, nor the stack, .2) that no one
        // answers ARP for: the SYN-ACKs go nowhere and the half-open connections stay until they time out
        String spoofed = net.stackAddress().substring(0, net.stackAddress().lastIndexOf('.') + 1) + "77";
        Process flood = net.peer().exec("hping3", "-q", "-S", "-p", "80", "-i", "u100", "-c", "60000", "-a", spoofed,
                net.stackAddress());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (net.stack().call(iface -> ext.synBacklogOverflows).join() == overflowsBefore) {
                assertThat(flood.isAlive()).as("hping3 is flooding: " + (flood.isAlive() ? ""
                        : KernelTools.stderrOf(flood))).isTrue();
                assertThat(System.nanoTime() - deadline).as("the SYN backlog filled within 20 s").isNegative();
                TimeUnit.MILLISECONDS.sleep(20);
            }
            long start = System.nanoTime();
            ExecResult clients = KernelTools.sh(net.peer(), Duration.ofMinutes(4), "ok=0; for i in $(seq "
                    + CLIENTS + "); do code=$(curl -sS -o /dev/null -w '%{http_code}' --connect-timeout 10"
                    + " --max-time 20 " + KernelTools.quote(net.url("/")) + ") && [ \"$code\" = 200 ] && ok=$((ok+1));"
                    + " done; echo $ok");
            long millis = KernelTools.millisSince(start);
            boolean floodStillRunning = flood.isAlive();
            assertThat(clients.ok()).as(clients.describe()).isTrue();
            long overflows = net.stack().call(iface -> ext.synBacklogOverflows).join() - overflowsBefore;
            long cookiesSent = net.stack().call(iface -> ext.synCookiesSent).join();
            long cookiesValid = net.stack().call(iface -> ext.synCookiesValid).join();
            System.out.printf("SYN flood from %s: %s of %d curl connections succeeded in %d ms (flood %s);"
                            + " SYN backlog overflows %d, cookies sent %d, valid %d%n", spoofed,
                    clients.stdout().strip(), CLIENTS, millis, floodStillRunning ? "still running" : "over",
                    overflows, cookiesSent, cookiesValid);
            assertThat(Integer.parseInt(clients.stdout().strip())).as("curl connections that got a 200")
                    .isEqualTo(CLIENTS);
            assertThat(floodStillRunning).as("the flood lasted while the clients connected").isTrue();
            assertThat(cookiesSent).as("SYN cookies sent").isPositive();
            assertThat(cookiesValid).as("connections made from a valid cookie (the clients')").isPositive();
        } finally {
            KernelTools.kill(flood);
        }
        assertServing("after the SYN flood");
    }

    @Test
    void synScanSeesTheServicesOpenAndTheRestClosed() {
        ScanResult r = scan("-sS");
        assertThat(r.listed).as("ports nmap -sS lists").containsExactlyEntriesOf(open("open"));
        assertThat(r.ignored).as("the other ports").isEqualTo("closed (1021)");
        assertServing("after -sS");
    }

    @Test
    void finNullAndXmasScansSeeOpenOrFilteredAndClosed() {
        for (String type : new String[] {"-sF", "-sN", "-sX"}) {
            ScanResult r = scan(type);
            assertThat(r.listed).as("ports nmap " + type + " lists").containsExactlyEntriesOf(open("open|filtered"));
            assertThat(r.ignored).as(type + ": the other ports").isEqualTo("closed (1021)");
        }
        assertServing("after -sF, -sN, -sX");
    }

    @Test
    void ackScanSeesEveryPortUnfiltered() {
        ScanResult r = scan("-sA");
        assertThat(r.listed).as("ports nmap -sA lists").isEmpty();
        assertThat(r.ignored).as("-sA: every port answers an ACK with a RST").isEqualTo("unfiltered (1024)");
        assertServing("after -sA");
    }

    @Test
    void osDetectionProbesLeaveTheStackServing() {
        ExecResult os = net.peer().run(SCAN_LIMIT, "nmap", "-n", "-Pn", "-O", "--osscan-guess", "-p", "7,9,80,81",
                net.stackAddress());
        assertThat(os.ok()).as(os.describe()).isTrue();
        List<String> lines = new ArrayList<>();
        for (String line : os.stdout().split("\n")) {
            if (line.startsWith("OS") || line.startsWith("Aggressive OS") || line.startsWith("No exact OS")
                    || line.startsWith("Device type") || line.startsWith("Running") || line.contains("/tcp")) {
                lines.add(line.strip());
            }
        }
        System.out.println("nmap -O: " + String.join(" | ", lines));
        assertThat(os.stdout()).as("nmap -O saw the host").contains("80/tcp").contains("open");
        assertServing("after nmap -O");
    }

    /** The stack answers ping and serves its index page. */
    private static void assertServing(String when) {
        ExecResult ping = net.peer().run(Duration.ofSeconds(20), "ping", "-n", "-c", "2", "-i", "0.2", "-W", "2",
                net.stackAddress());
        assertThat(ping.ok()).as("ping " + when + ": " + ping.describe()).isTrue();
        ExecResult curl = net.peer().run(Duration.ofSeconds(40), "curl", "-sS", "--max-time", "30", "-o",
                "/dev/null", "-w", "%{http_code}", net.url("/"));
        assertThat(curl.ok() && "200".equals(curl.stdout().strip())).as("curl / " + when + ": " + curl.describe())
                .isTrue();
    }

    private static TreeMap<Integer, String> open(String state) {
        TreeMap<Integer, String> m = new TreeMap<>();
        for (int port : new int[] {7, 9, 80}) {
            m.put(port, state);
        }
        return m;
    }

    /** What nmap -oG reports: the ports it lists with their states, and the summary of the others. */
    private record ScanResult(TreeMap<Integer, String> listed, String ignored) {
    }

    private static ScanResult scan(String type) {
        long start = System.nanoTime();
        // -n: no DNS; -Pn: the host is up; -T4 and one retry keep the open|filtered ports from taking long
        ExecResult r = net.peer().run(SCAN_LIMIT, "nmap", "-n", "-Pn", type, "-p", "1-1024", "-T4", "--max-retries",
                "1", "-oG", "-", net.stackAddress());
        assertThat(r.ok()).as(r.describe()).isTrue();
        // the host's result line (without "Ports:" when every port is in the ignored state)
        String line = r.stdout().lines().filter(l -> l.contains("Ports:") || l.contains("Ignored State:"))
                .findFirst().orElseThrow(() -> new AssertionError("no result line: " + r.describe()));
        TreeMap<Integer, String> listed = new TreeMap<>();
        int ports = line.indexOf("Ports:");
        Matcher m = PORT_ENTRY.matcher(ports < 0 ? "" : line.substring(ports));
        while (m.find()) {
            listed.put(Integer.parseInt(m.group(1)), m.group(2));
        }
        Matcher ig = IGNORED.matcher(line);
        String ignored = ig.find() ? ig.group(1) + " (" + ig.group(2) + ")" : "";
        System.out.printf("nmap %s -p 1-1024 (%d ms): %s; others %s%n", type, KernelTools.millisSince(start), listed,
                ignored.isEmpty() ? "none" : ignored);
        return new ScanResult(listed, ignored);
    }
}
