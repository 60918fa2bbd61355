/*
 * KernelPeer: the Linux kernel as the other end of a wire, for integration tests. One fixture is a private network
 * namespace plus a TAP device: our stack holds the TAP's file descriptor (a TapLink, opened in the root namespace),
 * and the TAP's network interface lives in the namespace with an address, so the kernel's own ARP, ICMP, TCP and
 * UDP answer the stack, and tools (ping, socat, tshark...) run against it with exec()/run().
 *
 * Order matters: the TAP is created (`ip tuntap add`), opened through TapLink, and only then moved into the
 * namespace (`ip link set NAME netns NS`). A tun/tap file descriptor stays attached to its device when the device
 * changes namespace, so the stack keeps reading and writing it from the root namespace.
 *
 * Every fixture gets a unique name (us<pid>n<counter>, at most 15 characters, used for both namespace and device)
 * and a unique /24 (10.<20 + pid % 200>.<counter>.0/24: kernel .1, stack .2). close() removes everything, also after
 * a half-done create(); a JVM shutdown hook closes fixtures a test forgot.
 */
package io.ustack.tap.netns;

import io.ustack.tap.DeviceMode;
import io.ustack.tap.TapException;
import io.ustack.tap.TapLink;
import io.ustack.tap.TapOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A network namespace whose kernel is wired to a TapLink. Create with {@link #create()}, always {@link #close()}. */
public final class KernelPeer implements AutoCloseable {
    /** Every fixture name of this JVM starts with this. */
    public static final String NAME_PREFIX = "us" + ProcessHandle.current().pid() + "n";
    public static final int PREFIX_LENGTH = 24;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<KernelPeer> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK_INSTALLED = new AtomicBoolean();
    private static final Pattern LINK_ETHER = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private final String name;
    private final int subnetSecond;
    private final int subnetThird;
    private final int mtu;
    private final DeviceMode mode;
    private final TapOptions options;
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile TapLink link;
    private volatile boolean namespaceCreated;
    private volatile boolean deviceCreated;

    private KernelPeer(int id, int mtu, DeviceMode mode, TapOptions options) {
        long pid = ProcessHandle.current().pid();
        this.name = NAME_PREFIX + id;
        if (name.length() > 15) {
            throw new IllegalStateException("fixture name longer than an interface name may be: " + name);
        }
        this.subnetSecond = 20 + (int) (pid % 200);
        this.subnetThird = id % 256;
        this.mtu = mtu;
        this.mode = mode;
        this.options = options;
    }

    /** A fixture with MTU 1500 on both sides. */
    public static KernelPeer create() throws TapException {
        return create(TapLink.DEFAULT_MTU);
    }

    /**
     * Creates the TAP, opens it as a TapLink, moves it into a new namespace and gives the kernel side its address.
     *
     * @param mtu the MTU of the kernel's interface and of the TapLink
     */
    public static KernelPeer create(int mtu) throws TapException {
        return create(mtu, DeviceMode.TAP);
    }

    /** As {@link #create(int)}, with a TUN device (bare IP packets, no ARP) when {@code mode} is TUN. */
    public static KernelPeer create(int mtu, DeviceMode mode) throws TapException {
        return create(mtu, mode, TapOptions.PLAIN);
    }

    /** As {@link #create(int, DeviceMode)}, the TapLink opened with {@code options} (e.g. offloads). */
    public static KernelPeer create(int mtu, DeviceMode mode, TapOptions options) throws TapException {
        installShutdownHook();
        KernelPeer peer = new KernelPeer(COUNTER.incrementAndGet(), mtu, mode, options);
        LIVE.add(peer);
        boolean done = false;
        try {
            peer.setUp();
            done = true;
            return peer;
        } finally {
            if (!done) {
                peer.close();
            }
        }
    }

    private void setUp() throws TapException {
        host(List.of("ip", "tuntap", "add", "dev", name, "mode", mode.ipMode())).orThrow();
        deviceCreated = true;
        link = TapLink.open(name, mode, mtu, TapLink.RANDOM_MAC, options);
        host(List.of("ip", "netns", "add", name)).orThrow();
        namespaceCreated = true;
        host(List.of("ip", "link", "set", "dev", name, "netns", name)).orThrow();
        ip("link", "set", "dev", "lo", "up");
        ip("link", "set", "dev", name, "mtu", Integer.toString(mtu));
        ip("addr", "add", kernelAddress() + "/" + PREFIX_LENGTH, "dev", name);
        ip("link", "set", "dev", name, "up");
    }

    /** Runs `ip -n NS ARGS...` and fails unless it exits 0. */
    public ExecResult ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        return host(command).orThrow();
    }

    /** The namespace's name (also the device's). */
    public String namespace() {
        return name;
    }

    /** The TAP interface's name (the same in the root namespace at creation and in the namespace afterwards). */
    public String deviceName() {
        return name;
    }

    /** The address of the kernel's side of the TAP, e.g. "10.37.4.1". */
    public String kernelAddress() {
        return "10." + subnetSecond + "." + subnetThird + ".1";
    }

    /** The address our stack should use on the TapLink, same subnet: e.g. "10.37.4.2". */
    public String stackAddress() {
        return "10." + subnetSecond + "." + subnetThird + ".2";
    }

    /** The kernel's address as an int (a.b.c.d = a<<24|...). */
    public int kernelAddressInt() {
        return (10 << 24) | (subnetSecond << 16) | (subnetThird << 8) | 1;
    }

    /** The stack's address as an int. */
    public int stackAddressInt() {
        return (10 << 24) | (subnetSecond << 16) | (subnetThird << 8) | 2;
    }

    public int prefixLength() {
        return PREFIX_LENGTH;
    }

    public int mtu() {
        return mtu;
    }

    /** Our side: the TAP's descriptor, opened before the move. Owned by this fixture (closed by close()). */
    public TapLink link() {
        TapLink l = link;
        if (l == null) {
            throw new IllegalStateException("fixture " + name + " is not set up");
        }
        return l;
    }

    /**
     * Pins the kernel's neighbour entry for {@code address} to {@code mac} (`ip neigh replace ... nud permanent`), so
     * the kernel never resolves it with ARP. For tests that impair the link: the kernel gives up resolving after three
     * lost requests and fails a connect with EHOSTUNREACH, which would measure ARP instead of TCP.
     */
    public void pinNeighbour(String address, long mac) {
        if (mode != DeviceMode.TAP) {
            throw new IllegalStateException("no neighbours on a " + mode + " device");
        }
        ip("neigh", "replace", address, "lladdr", macText(mac), "dev", name, "nud", "permanent");
    }

    /** {@code mac} (low 48 bits) as `ip` writes it: six colon-separated lowercase hex bytes. */
    public static String macText(long mac) {
        StringBuilder s = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (s.length() > 0) {
                s.append(':');
            }
            s.append(String.format("%02x", (mac >>> shift) & 0xFF));
        }
        return s.toString();
    }

    /** The kernel interface's MAC address (low 48 bits), as `ip link` reports it. */
    public long kernelMac() {
        String out = ip("-o", "link", "show", "dev", name).stdout();
        Matcher m = LINK_ETHER.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no MAC in: " + out);
        }
        return Long.parseLong(m.group(1).replace(":", ""), 16);
    }

    /**
     * Starts {@code command} inside the namespace (`ip netns exec NS command...`), stdout and stderr piped. The
     * process is killed by close() if still running; callers should still wait for or destroy it.
     */
    public Process exec(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(full).start();
            started.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + full, e);
        }
    }

    /** Runs {@code command} inside the namespace and waits for it, killing it after {@code timeout}. */
    public ExecResult run(Duration timeout, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return runCommand(full, timeout);
    }

    /**
     * Removes the namespace and the device, and closes the link. Idempotent, never throws, works on a fixture whose
     * creation failed half-way.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            for (Process p : started) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            TapLink l = link;
            if (l != null) {
                l.close();
            }
            if (namespaceCreated) {
                // Processes still in the namespace would keep it alive: they are ours (it was created for us).
                for (String pid : host(List.of("ip", "netns", "pids", name)).stdout().split("\\s+")) {
                    if (!pid.isBlank()) {
                        ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                host(List.of("ip", "-n", name, "link", "del", "dev", name));
                host(List.of("ip", "netns", "del", name));
            }
            if (deviceCreated) {
                // Still in the root namespace if the move never happened (or the kernel moved it back).
                ExecResult show = host(List.of("ip", "-o", "link", "show", "dev", name));
                if (show.ok()) {
                    host(List.of("ip", "link", "del", "dev", name));
                }
            }
        } catch (RuntimeException e) {
            System.err.println("KernelPeer " + name + ": cleanup problem: " + e);
        } finally {
            LIVE.remove(this);
        }
    }

    /** Names of this JVM's namespaces and TAP/TUN devices that exist now (empty once every fixture is closed). */
    public static List<String> leftovers() {
        List<String> found = new ArrayList<>();
        for (String line : host(List.of("ip", "netns", "list")).stdout().split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            if (ns.startsWith(NAME_PREFIX)) {
                found.add("netns " + ns);
            }
        }
        for (String line : host(List.of("ip", "-o", "link", "show", "type", "tun")).stdout().split("\n")) {
            String[] parts = line.split(":\\s*");
            if (parts.length > 1 && parts[1].startsWith(NAME_PREFIX)) {
                found.add("link " + parts[1].split("[@\\s]")[0]);
            }
        }
        return Collections.unmodifiableList(found);
    }

    @Override
    public String toString() {
        return "KernelPeer[" + name + " kernel " + kernelAddress() + " stack " + stackAddress() + "/" + PREFIX_LENGTH
                + "]";
    }

    private static void installShutdownHook() {
        if (HOOK_INSTALLED.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("kernel-peer-cleanup").unstarted(() -> {
                for (KernelPeer peer : List.copyOf(LIVE)) {
                    peer.close();
                }
            }));
        }
    }

    private static ExecResult host(List<String> command) {
        return runCommand(command, COMMAND_TIMEOUT);
    }

    public static ExecResult runCommand(List<String> command, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        try {
            p.getOutputStream().close();
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            return new ExecResult(List.copyOf(command), finished ? p.exitValue() : -1, out.join(), err.join(),
                    !finished);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.complete("<" + e + ">");
            }
        });
        return result;
    }
}
