/*
 * KernelTools: small shared helpers for the kernel-peer tests: shell commands in a namespace with a time limit,
 * bounded polling for a listening socket (`ss -ltn`), SHA-256 of files and arrays, seeded random data, and parsing
 * of the tools' outputs (ping's summary line).
 */
package io.ustack.it;

import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Static helpers; no state. */
final class KernelTools {
    /** The limit for quick commands (ss, command -v, ...). */
    static final Duration QUICK = Duration.ofSeconds(10);
    private static final Pattern PING_SUMMARY =
            Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received");

    private KernelTools() {
    }

    /** Runs {@code script} with `bash -o pipefail -c` in the peer's namespace, killed after {@code timeout}. */
    static ExecResult sh(KernelPeer peer, Duration timeout, String script) {
        return peer.run(timeout, "bash", "-o", "pipefail", "-c", script);
    }

    /** Runs {@code command} in the namespace {@code namespace} (one not owned by a KernelPeer). */
    static ExecResult inNamespace(String namespace, Duration timeout, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return KernelPeer.runCommand(full, timeout);
    }

    /** Whether {@code command} can be run inside the namespace (same PATH as the tests). */
    static boolean hasCommand(KernelPeer peer, String command) {
        return sh(peer, QUICK, "command -v " + command).ok();
    }

    /**
     * Polls `ss -ltnH` in {@code namespace} until something listens on TCP {@code port}; fails after {@code limit}
     * with the last output. Polling is bounded and every probe is a finished command, so this is not a sleep.
     */
    static void awaitTcpListener(String namespace, int port, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        ExecResult last;
        do {
            last = inNamespace(namespace, QUICK, "ss", "-ltnH", "sport = :" + port);
            if (last.ok() && !last.stdout().isBlank()) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("nothing listens on TCP port " + port + " in " + namespace + " after " + limit
                + ": " + last.describe());
    }

    /**
     * Polls until the kernel in {@code peer}'s namespace has no TCP connection to remote {@code port} other than in
     * TIME-WAIT (that is, every connection's closing handshake is over); fails after {@code limit}.
     */
    static void awaitKernelConnectionsClosed(KernelPeer peer, int port, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        ExecResult last;
        do {
            last = peer.run(QUICK, "ss", "-tnH", "state", "connected", "exclude", "time-wait", "dport = :" + port);
            if (last.ok() && last.stdout().isBlank()) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("connections to port " + port + " still open after " + limit + ": "
                + last.describe());
    }

    /** Waits for {@code p} to exit within {@code limit}; kills it (and its children) and fails otherwise. */
    static int awaitExit(Process p, Duration limit, String what) throws InterruptedException {
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError(what + " did not finish within " + limit + "; stderr: " + stderrOf(p));
        }
        return p.exitValue();
    }

    /** What a finished process wrote to stderr (for messages). */
    static String stderrOf(Process p) {
        try (InputStream err = p.getErrorStream()) {
            return new String(err.readNBytes(4096)).strip();
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }

    /** Ends {@code p} and its children if still running; never throws. */
    static void kill(Process p) {
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code n} pseudo-random bytes from {@code seed} (reproducible, so a failure can be replayed). */
    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** {transmitted, received} from ping's summary line; fails if there is none. */
    static int[] pingCounts(ExecResult ping) {
        Matcher m = PING_SUMMARY.matcher(ping.stdout());
        if (!m.find()) {
            throw new AssertionError("no summary line in ping's output: " + ping.describe());
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /** target/NAME of this module (created), for files worth keeping after the run, such as captures. */
    static Path artifactDirectory(String name) throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("basedir", "."), "target", name));
    }

    /** Single-quotes {@code s} for sh. */
    static String quote(Object s) {
        return "'" + s.toString().replace("'", "'\\''") + "'";
    }

    /** Milliseconds since {@code startNanos}. */
    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
