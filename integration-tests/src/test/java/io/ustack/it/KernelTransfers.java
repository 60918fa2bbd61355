/*
 * KernelTransfers: the two bulk transfers of the impaired-network tests, each checked end to end by SHA-256 and
 * bounded in time: the kernel's curl downloads /bytes/N from our HTTP server (our TCP sends, RFC 9293 / RFC 9112),
 * and our stack reads a file that socat in the namespace serves (the kernel's TCP sends). Both report an Outcome
 * (bytes, wall time, and what went wrong) instead of failing, so a soak can count passes.
 */
package io.ustack.it;

import io.ustack.api.TcpSocket;
import io.ustack.app.PatternBytes;
import io.ustack.link.ImpairedLink;
import io.ustack.tcp.TcpExtCounters;
import io.ustack.tap.netns.ExecResult;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Static helpers; no state. */
final class KernelTransfers {
    private KernelTransfers() {
    }

    /** What one transfer did: {@code failure} is null when every byte arrived with the right digest. */
    record Outcome(long bytes, long millis, String failure) {
        boolean ok() {
            return failure == null;
        }

        /** Goodput in Mbit/s (the bytes the application got, over the wall time). */
        double megabitsPerSecond() {
            return bytes * 8.0 / 1e3 / Math.max(1, millis);
        }
    }

    /**
     * curl in the namespace fetches /bytes/{@code bytes} into /dev/null: the rate without sha256sum (which runs at
     * about 1.8 Gbit/s on these machines) in the way; the time is curl's own (time_total). Checks status and size.
     */
    static Outcome curlDiscard(StackPeer net, long bytes, Duration limit) {
        ExecResult curl = KernelTools.sh(net.peer(), limit.plusSeconds(30), "curl -sS -o /dev/null --max-time "
                + limit.toSeconds() + " -w '%{http_code} %{size_download} %{time_total}' "
                + KernelTools.quote(net.url("/bytes/" + bytes)));
        String[] f = curl.stdout().strip().split(" ");
        if (!curl.ok() || f.length != 3) {
            return new Outcome(bytes, 0, "curl failed: " + curl.describe());
        }
        long millis = Math.round(Double.parseDouble(f[2]) * 1000);
        return new Outcome(bytes, millis, "200".equals(f[0]) && Long.parseLong(f[1]) == bytes ? null
                : "status and size: " + curl.describe());
    }

    /** curl in the namespace fetches /bytes/{@code bytes} through sha256sum; the whole run is bounded by limit. */
    static Outcome curlDownload(StackPeer net, long bytes, Duration limit) {
        long start = System.nanoTime();
        ExecResult curl = KernelTools.sh(net.peer(), limit.plusSeconds(30), "curl -sS --max-time "
                + limit.toSeconds() + " -w '%{stderr}%{http_code} %{size_download}' "
                + KernelTools.quote(net.url("/bytes/" + bytes)) + " | sha256sum");
        long millis = KernelTools.millisSince(start);
        if (!curl.ok()) {
            return new Outcome(bytes, millis, "curl failed after " + millis + " ms: " + curl.describe());
        }
        String[] f = curl.stderr().strip().split(" ");
        if (f.length != 2 || !"200".equals(f[0]) || Long.parseLong(f[1]) != bytes) {
            return new Outcome(bytes, millis, "status and size: " + curl.describe());
        }
        String got = curl.stdout().split("\\s+")[0];
        String expected = PatternBytes.sha256(bytes);
        return new Outcome(bytes, millis, expected.equals(got) ? null
                : "SHA-256 " + got + " differs from " + expected);
    }

    /**
     * socat in the namespace serves {@code file} ({@code bytes} long, digest {@code sha256}) on {@code port}; our
     * stack connects, reads to the end of stream and checks the digest. The wall time includes the connect.
     */
    static Outcome readFromSocat(StackPeer net, int port, Path file, long bytes, String sha256, Duration limit)
            throws Exception {
        // -T: socat gives up when nothing moved for that long (so a stuck connection cannot outlive the run)
        Process socat = net.peer().exec("socat", "-T", "60", "-u", "OPEN:" + file + ",rdonly",
                "TCP-LISTEN:" + port + ",reuseaddr");
        try {
            KernelTools.awaitTcpListener(net.peer().namespace(), port, Duration.ofSeconds(10));
            long start = System.nanoTime();
            long deadline = start + limit.toNanos();
            // the SYN or its answer may be lost: the connect has its own retries (1 s initial RTO)
            TcpSocket s = net.stack().connect(net.kernel(port)).get(60, TimeUnit.SECONDS);
            MessageDigest md = KernelTools.sha256();
            long total = 0;
            try {
                ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
                while (true) {
                    long left = deadline - System.nanoTime();
                    int n;
                    try {
                        n = s.read(buf.clear()).get(Math.max(1, left), TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        return new Outcome(bytes, KernelTools.millisSince(start), "not done within " + limit
                                + " (" + total + " bytes read)");
                    }
                    if (n < 0) {
                        break;
                    }
                    md.update(buf.array(), 0, n);
                    total += n;
                }
            } finally {
                s.close();
            }
            long millis = KernelTools.millisSince(start);
            if (total != bytes) {
                return new Outcome(bytes, millis, total + " bytes read, not " + bytes);
            }
            String got = HexFormat.of().formatHex(md.digest());
            if (!sha256.equals(got)) {
                return new Outcome(bytes, millis, "SHA-256 " + got + " differs from " + sha256);
            }
            int exit = KernelTools.awaitExit(socat, Duration.ofSeconds(60), "socat serving");
            return new Outcome(bytes, millis, exit == 0 ? null
                    : "socat exited with " + exit + ": " + KernelTools.stderrOf(socat));
        } finally {
            KernelTools.kill(socat);
        }
    }

    /**
     * Our stack connects to socat listening in the namespace and sends {@code bytes} seeded random bytes, then closes;
     * socat pipes what arrives through sha256sum. One direction from the first segment on, like the kernel-to-kernel
     * baseline (KernelLossBaseline), so the receiving kernel never sees a request/response exchange (which puts Linux
     * in its interactive "pingpong" delayed-ACK mode, as a curl download does). The wall time covers connect to
     * socat's end.
     */
    static Outcome sendToSocat(StackPeer net, int port, long bytes, long seed, Duration limit) throws Exception {
        Process socat = net.peer().exec("bash", "-o", "pipefail", "-c",
                "socat -T 60 -u TCP-LISTEN:" + port + ",reuseaddr STDOUT | sha256sum");
        try {
            KernelTools.awaitTcpListener(net.peer().namespace(), port, Duration.ofSeconds(10));
            long start = System.nanoTime();
            long deadline = start + limit.toNanos();
            TcpSocket s = net.stack().connect(net.kernel(port)).get(60, TimeUnit.SECONDS);
            MessageDigest md = KernelTools.sha256();
            SplittableRandom random = new SplittableRandom(seed);
            byte[] chunk = new byte[1 << 20];
            try {
                for (long left = bytes; left > 0; left -= chunk.length) {
                    int n = (int) Math.min(left, chunk.length);
                    random.nextBytes(chunk);
                    md.update(chunk, 0, n);
                    long wait = Math.max(1, deadline - System.nanoTime());
                    try {
                        s.write(ByteBuffer.wrap(chunk, 0, n)).get(wait, TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        return new Outcome(bytes, KernelTools.millisSince(start), "not sent within " + limit);
                    }
                }
            } finally {
                s.close();
            }
            long wait = Math.max(1, deadline - System.nanoTime());
            if (!socat.waitFor(wait, TimeUnit.NANOSECONDS)) {
                return new Outcome(bytes, KernelTools.millisSince(start), "socat not done within " + limit);
            }
            long millis = KernelTools.millisSince(start);
            String expected = HexFormat.of().formatHex(md.digest());
            String got = new String(socat.getInputStream().readAllBytes()).strip().split("\\s+")[0];
            if (socat.exitValue() != 0) {
                return new Outcome(bytes, millis, "socat | sha256sum exited with " + socat.exitValue() + ": "
                        + KernelTools.stderrOf(socat));
            }
            return new Outcome(bytes, millis, expected.equals(got) ? null
                    : "SHA-256 " + got + " differs from " + expected);
        } finally {
            KernelTools.kill(socat);
        }
    }

    /** Starts a command in the sending namespace (it keeps running). */
    interface Starter {
        Process start(String... command);
    }

    /** Runs a command in the receiving namespace to its end, bounded in time. */
    interface Runner {
        ExecResult run(Duration limit, String... command);
    }

    /**
     * Kernel to kernel: socat in the sending namespace serves {@code file} ({@code bytes} long, digest
     * {@code sha256}) on {@code address:port}; socat in the receiving namespace connects and reads to the end through
     * sha256sum. The wall time covers the receiver's command (connect to end of stream); the whole is bounded by
     * {@code limit}, after which the outcome says so and the sender is ended.
     */
    static Outcome socatFileToSha256(Starter sender, String senderNamespace, String address, int port,
            Runner receiver, Path file, long bytes, String sha256, Duration limit) throws InterruptedException {
        // -T: socat gives up when nothing moved for that long (so a stuck connection cannot outlive the run)
        Process serving = sender.start("socat", "-T", "60", "-u", "OPEN:" + file + ",rdonly",
                "TCP-LISTEN:" + port + ",bind=" + address + ",reuseaddr");
        try {
            KernelTools.awaitTcpListener(senderNamespace, port, Duration.ofSeconds(10));
            long start = System.nanoTime();
            ExecResult reading = receiver.run(limit, "bash", "-o", "pipefail", "-c", "socat -T 60 -u TCP:" + address
                    + ":" + port + " STDOUT | sha256sum");
            long millis = KernelTools.millisSince(start);
            if (reading.timedOut()) {
                return new Outcome(bytes, millis, "not done within " + limit);
            }
            if (!reading.ok()) {
                return new Outcome(bytes, millis, "receiver failed: " + reading.describe());
            }
            String got = reading.stdout().split("\\s+")[0];
            int exit = KernelTools.awaitExit(serving, Duration.ofSeconds(30), "socat sending");
            return new Outcome(bytes, millis, !sha256.equals(got) ? "SHA-256 " + got + " differs from " + sha256
                    : exit != 0 ? "socat sending exited with " + exit + ": " + KernelTools.stderrOf(serving)
                    : null);
        } finally {
            KernelTools.kill(serving);
        }
    }

    /** The stack's retransmissions and, if impaired, what the impairment did each way (for MEASURE lines). */
    static String counters(StackPeer net) {
        long retransmits = net.stack().call(iface -> net.stack().counters().tcpRetransmits).join();
        String recovery = net.stack().call(iface -> {
            TcpExtCounters c = iface.tcp().extCounters();
            return "timeouts " + c.retransmitTimeouts + ", SACK recoveries " + c.sackRecoveries + ", loss probes "
                    + c.lossProbes + ", lost retransmissions " + c.lostRetransmits + ", spurious recoveries undone "
                    + c.spuriousRecoveriesUndone + ", out-of-order segments dropped (no free range) "
                    + c.outOfOrderDrops;
        }).join();
        ImpairedLink link = net.impaired();
        return "stack retransmitted " + retransmits + " segments (" + recovery + ")"
                + (link == null ? "" : "; sent " + link.transmitCounters() + "; received " + link.receiveCounters());
    }

    /** Writes {@code size} seeded random bytes to {@code file}; returns their SHA-256. */
    static String writeRandomFile(Path file, long size, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest md = KernelTools.sha256();
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                int n = (int) Math.min(left, chunk.length);
                random.nextBytes(chunk);
                out.write(chunk, 0, n);
                md.update(chunk, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
