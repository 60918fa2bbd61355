/*
 * VethNamespaces: two private network namespaces joined by a veth pair, for a kernel-to-kernel baseline (iperf3, or
 * socat under loss in KernelLossBaseline) measured in the same run as our stack over TAP. Names are unique per JVM
 * (us<pid>v<n>a / ...b, at most 15
 * characters) and the /30 lives only inside these namespaces. close() ends the processes in them and removes both
 * (deleting a namespace deletes its veth end, and with it the pair). Nothing is done in the root namespace except
 * creating and deleting these two.
 */
package io.ustack.it;

import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Namespace A (address .1) and B (address .2) on one veth link. */
final class VethNamespaces implements AutoCloseable {
    /** What every namespace name of this JVM starts with (KernelPeer's are us<pid>n..., so the two never clash). */
    static final String NAME_PREFIX = "us" + ProcessHandle.current().pid() + "v";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final Pattern IPERF_RECEIVED =
            Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)");
    private final String a;
    private final String b;
    private final String subnet;
    private boolean aCreated;
    private boolean bCreated;

    private VethNamespaces() {
        long pid = ProcessHandle.current().pid();
        int n = COUNTER.incrementAndGet();
        this.a = NAME_PREFIX + n + "a";
        this.b = NAME_PREFIX + n + "b";
        if (a.length() > 15) {
            throw new IllegalStateException("namespace name longer than an interface name may be: " + a);
        }
        this.subnet = "10." + (20 + pid % 200) + "." + (200 + n % 50) + ".";
    }

    /** Creates both namespaces and the veth pair, with addresses, up. */
    static VethNamespaces create() {
        VethNamespaces v = new VethNamespaces();
        boolean done = false;
        try {
            v.setUp();
            done = true;
            return v;
        } finally {
            if (!done) {
                v.close();
            }
        }
    }

    private void setUp() {
        host("ip", "netns", "add", a);
        aCreated = true;
        host("ip", "netns", "add", b);
        bCreated = true;
        // created inside A, the peer end moved straight into B: no device ever exists in the root namespace
        host("ip", "-n", a, "link", "add", a, "type", "veth", "peer", "name", b, "netns", b);
        for (String ns : List.of(a, b)) {
            String address = subnet + (ns.equals(a) ? "1" : "2") + "/30";
            host("ip", "-n", ns, "link", "set", "dev", "lo", "up");
            host("ip", "-n", ns, "addr", "add", address, "dev", ns);
            host("ip", "-n", ns, "link", "set", "dev", ns, "up");
        }
    }

    String namespaceA() {
        return a;
    }

    String namespaceB() {
        return b;
    }

    String addressA() {
        return subnet + "1";
    }

    String addressB() {
        return subnet + "2";
    }

    /** Runs {@code command} in namespace A. */
    ExecResult runInA(Duration timeout, String... command) {
        return KernelTools.inNamespace(a, timeout, command);
    }

    /** Runs {@code command} in namespace B. */
    ExecResult runInB(Duration timeout, String... command) {
        return KernelTools.inNamespace(b, timeout, command);
    }

    /** Starts {@code command} in namespace A without waiting for it (a server); close() ends it if still running. */
    Process startInA(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", a));
        full.addAll(List.of(command));
        try {
            return new ProcessBuilder(full).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + full, e);
        }
    }

    /**
     * The kernel-to-kernel baseline: iperf3 from B to A for {@code seconds}, on a veth pair of its own (created and
     * removed here); returns the rate A received, in Mbit/s.
     */
    static double iperf3Megabits(int seconds) throws InterruptedException {
        VethNamespaces veth = create();
        Process server = null;
        double mbits;
        try {
            // -1: serve one test and exit
            server = veth.startInA("iperf3", "-s", "-1", "-B", veth.addressA(), "-p", "5201");
            KernelTools.awaitTcpListener(veth.namespaceA(), 5201, Duration.ofSeconds(10));
            ExecResult client = veth.runInB(Duration.ofSeconds(seconds + 27L), "iperf3", "-c", veth.addressA(), "-p",
                    "5201", "-t", Integer.toString(seconds), "-J");
            assertThat(client.ok()).as(client.describe()).isTrue();
            Matcher m = IPERF_RECEIVED.matcher(client.stdout());
            assertThat(m.find()).as("iperf3's received rate in: " + client.stdout()).isTrue();
            mbits = Double.parseDouble(m.group(1)) / 1e6;
            assertThat(mbits).isPositive();
            assertThat(KernelTools.awaitExit(server, Duration.ofSeconds(10), "iperf3 -s -1")).isZero();
        } finally {
            KernelTools.kill(server);
            veth.close();
        }
        assertThat(veth.exists()).as("the veth namespaces are gone").isFalse();
        return mbits;
    }

    /** Ends what runs in the namespaces and removes them. Idempotent, never throws. */
    @Override
    public void close() {
        for (String ns : List.of(a, b)) {
            boolean created = ns.equals(a) ? aCreated : bCreated;
            if (!created) {
                continue;
            }
            try {
                ExecResult pids = KernelPeer.runCommand(List.of("ip", "netns", "pids", ns), LIMIT);
                for (String pid : pids.stdout().split("\\s+")) {
                    if (!pid.isBlank()) {
                        ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                KernelPeer.runCommand(List.of("ip", "netns", "del", ns), LIMIT);
            } catch (RuntimeException e) {
                System.err.println("VethNamespaces " + ns + ": cleanup problem: " + e);
            }
        }
        aCreated = false;
        bCreated = false;
    }

    /** Whether a namespace of this pair still exists (for the tests' leftover checks). */
    boolean exists() {
        String list = KernelPeer.runCommand(List.of("ip", "netns", "list"), LIMIT).stdout();
        return list.lines().map(l -> l.split("\\s+")[0]).anyMatch(n -> n.equals(a) || n.equals(b));
    }

    /** The namespaces of this JVM's pairs that still exist (empty once every pair is closed). */
    static List<String> leftovers() {
        String list = KernelPeer.runCommand(List.of("ip", "netns", "list"), LIMIT).stdout();
        return list.lines().map(l -> l.split("\\s+")[0]).filter(n -> n.startsWith(NAME_PREFIX)).toList();
    }

    private static void host(String... command) {
        KernelPeer.runCommand(List.of(command), LIMIT).orThrow();
    }
}
