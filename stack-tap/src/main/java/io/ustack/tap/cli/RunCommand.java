/*
 * RunCommand: `ustack run`, the README's main job. With root and /dev/net/tun it serves on a real TAP device in a
 * private network namespace and lets the kernel there ping it, download from it (curl: once through sha256sum to
 * check the bytes, once into /dev/null for the rate, as sha256sum is slower than the path) and upload the same number
 * of bytes to our discard service (socat), printing what was measured; without them it runs the in-memory demo.
 * Everything it creates is removed before it returns. The TAP is opened with the virtio-net header and offloads
 * (TapOptions.OFFLOADS: the kernel hands us TCP super-frames, we hand it TCP super-segments) unless --no-offload.
 */
package io.ustack.tap.cli;

import io.ustack.api.Stack;
import io.ustack.app.PatternBytes;
import io.ustack.app.Services;
import io.ustack.tap.DeviceMode;
import io.ustack.tap.TapOptions;
import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import io.ustack.tcp.CongestionAlgorithm;
import io.ustack.tcp.TcpConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Serve on a real TAP in a private namespace and measure with the kernel as client (root), "
                + "else run the in-memory demo.")
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--bytes", defaultValue = "268435456", description = "Bytes to download (default 256 MiB).")
    long bytes;

    @Option(names = "--mtu", defaultValue = "1500", description = "Link MTU.")
    int mtu;

    @Option(names = "--offload", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "TAP mode: open the TAP with the virtio-net header and offloads (checksum, TSO4/TSO6 both "
                    + "ways; default); --no-offload for plain frames.")
    boolean offload = true;

    @Option(names = "--in-memory", description = "Run the in-memory demo even when a TAP could be used.")
    boolean inMemory;

    @Option(names = "--cc", defaultValue = "CUBIC", paramLabel = "ALGORITHM", description = "TCP congestion control of"
            + " the serving stack: ${COMPLETION-CANDIDATES} (default CUBIC).")
    CongestionAlgorithm cc;

    @Override
    public Integer call() throws Exception {
        String why = tapUnavailableReason();
        if (inMemory || why != null) {
            System.out.println(inMemory ? "in-memory demo (as asked)" : "in-memory demo: " + why);
            DemoCommand demo = new DemoCommand();
            demo.bytes = bytes;
            demo.mtu = mtu;
            demo.cc = cc;
            return demo.call();
        }
        return overTap();
    }

    static String tapUnavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not root, so no TAP device and network namespace can be created";
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return "/dev/net/tun does not exist";
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            return "the `ip` command (iproute2) is missing";
        }
        return null;
    }

    private int overTap() throws Exception {
        try (KernelPeer peer = KernelPeer.create(mtu, DeviceMode.TAP, TapOptions.offloads(offload));
             Stack stack = Stack.builder(peer.link()).name(peer.deviceName())
                     .ipv4(peer.stackAddress() + "/" + peer.prefixLength())
                     .tcp(new TcpConfig().congestionControl(cc)).build().start();
             Services services = Services.start(stack)) {
            System.out.printf("TAP %s: our stack %s (TCP %s), the kernel %s in namespace %s, MTU %d%s%n",
                    peer.deviceName(), stack.ipv4(), cc, peer.kernelAddress(), peer.namespace(), mtu,
                    offload ? ", offloads on" : "");
            boolean ok = true;
            ExecResult ping = peer.run(Duration.ofSeconds(20), "ping", "-c", "5", "-i", "0.2", "-W", "2",
                    peer.stackAddress());
            String summary = ping.stdout().lines().filter(l -> l.contains("packets transmitted") || l.contains("rtt"))
                    .reduce((a, b) -> a + "; " + b).orElse(ping.describe());
            System.out.println("kernel pings us: " + summary);
            ok &= ping.ok();
            ok &= download(peer);
            ok &= upload(peer);
            System.out.println("stack counters: " + stack.counters());
            if (offload) {
                System.out.println(OffloadReport.of(peer.link()));
            }
            return ok ? 0 : 1;
        }
    }

    /**
     * curl downloads {@link #bytes} from our HTTP service twice: through sha256sum, which must match, then into
     * /dev/null for the rate.
     */
    private boolean download(KernelPeer peer) {
        if (!commandExists(peer, "curl")) {
            System.out.println("curl is not installed: skipping the download (apt-get install curl)");
            return true;
        }
        String url = "http://" + peer.stackAddress() + "/bytes/" + bytes;
        String timing = " -w '%{stderr}%{size_download} %{time_total}' ";
        ExecResult checked = peer.run(Duration.ofMinutes(5), "sh", "-c", "curl -sS --max-time 240" + timing + url
                + " | sha256sum");
        ExecResult fast = peer.run(Duration.ofMinutes(5), "sh", "-c", "curl -sS -o /dev/null --max-time 240"
                + timing + url);
        boolean shaOk = checked.stdout().startsWith(PatternBytes.sha256(bytes));
        boolean ok = true;
        for (ExecResult r : new ExecResult[] {checked, fast}) {
            String[] f = r.stderr().trim().split(" ");
            if (!r.ok() || f.length != 2) {
                System.out.println("download failed: " + r.describe());
                ok = false;
                continue;
            }
            long got = Long.parseLong(f[0]);
            double secs = Double.parseDouble(f[1]);
            System.out.printf("kernel downloads %s%s: %d bytes in %.3f s = %.1f Mbit/s%s%n", url,
                    r == checked ? " through sha256sum" : " into /dev/null", got, secs, got * 8 / 1e6 / secs,
                    r == checked ? "; SHA-256 " + (shaOk ? "matches" : "DIFFERS") : "");
            ok &= got == bytes && (r != checked || shaOk);
        }
        return ok;
    }

    /**
     * The kernel sends {@link #bytes} zero bytes to our discard service (9) with socat reading /dev/zero in 256 KiB
     * blocks (a pipe or socat's default 8 KiB blocks would be slower than the path); the rate is printed.
     */
    private boolean upload(KernelPeer peer) {
        if (!commandExists(peer, "socat")) {
            System.out.println("socat is not installed: skipping the upload (apt-get install socat)");
            return true;
        }
        long start = System.nanoTime();
        ExecResult up = peer.run(Duration.ofMinutes(5), "socat", "-u", "-b", "262144", "-T", "60",
                "OPEN:/dev/zero,readbytes=" + bytes, "TCP:" + peer.stackAddress() + ":9");
        double secs = (System.nanoTime() - start) / 1e9;
        if (!up.ok()) {
            System.out.println("upload failed: " + up.describe());
            return false;
        }
        System.out.printf("kernel uploads %d bytes to our discard service: %.3f s = %.1f Mbit/s%n", bytes, secs,
                bytes * 8 / 1e6 / secs);
        return true;
    }

    private static boolean commandExists(KernelPeer peer, String command) {
        return peer.run(Duration.ofSeconds(5), "sh", "-c", "command -v " + command).ok();
    }
}
