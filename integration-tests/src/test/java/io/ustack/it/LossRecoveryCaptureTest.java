/*
 * LossRecoveryCaptureTest: what a loss-recovery run with Linux looks like on the wire, read back by tshark from a
 * capture PcapLink recorded on our side of an ImpairedLink (10% loss and 5% reordering each way): the kernel
 * downloads from our HTTP server (our TCP recovers) and our stack reads from socat (the kernel's TCP recovers).
 * Both handshakes negotiate SACK-permitted (RFC 2018 2), timestamps (RFC 7323 3.2) and window scaling (RFC 7323
 * 2.2) in both directions; afterwards every segment carries a timestamp, each side's TSecr echoes a TSval the other
 * really sent (RFC 7323 4.3), both sides send well-formed SACK blocks (RFC 2018 3, D-SACK per RFC 2883 allowed below
 * the cumulative ACK) and both retransmit. The capture is kept as target/pcap/LossRecoveryCaptureTest.pcap.
 */
package io.ustack.it;

import io.netty.util.ResourceLeakDetector;
import io.ustack.app.Services;
import io.ustack.link.Impairment;
import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import io.ustack.tcp.TcpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"curl", "socat", "sha256sum", "bash", "ss", "tshark"})
class LossRecoveryCaptureTest {
    private static final String IMPAIRMENT = "loss=10,reorder=5,seed=77";
    /** Our sender manages ~3 Mbit/s under 10% loss: 2 MiB take several seconds, plenty of recoveries. */
    private static final long DOWNLOAD_BYTES = 2L << 20;
    private static final long UPLOAD_BYTES = 8L << 20;
    private static final int PORT = 5303;
    private static final String[] FIELDS = {"tcp.stream", "ip.src", "tcp.srcport", "tcp.flags.syn", "tcp.flags.ack",
        "tcp.flags.reset", "tcp.len", "tcp.ack", "tcp.options.sack_perm", "tcp.options.timestamp.tsval",
        "tcp.options.timestamp.tsecr", "tcp.options.wscale.shift", "tcp.options.sack.count", "tcp.options.sack_le",
        "tcp.options.sack_re", "tcp.options.sack.dsack_le", "tcp.analysis.retransmission"};
    private static final int STREAM = 0;
    private static final int SRC = 1;
    private static final int SRCPORT = 2;
    private static final int SYN = 3;
    private static final int ACK = 4;
    private static final int RST = 5;
    private static final int ACKNO = 7;
    private static final int SACK_PERM = 8;
    private static final int TSVAL = 9;
    private static final int TSECR = 10;
    private static final int WSCALE = 11;
    private static final int SACK_COUNT = 12;
    private static final int SACK_LE = 13;
    private static final int SACK_RE = 14;
    private static final int DSACK = 15;
    private static final int RETRANSMISSION = 16;

    @AfterEach
    void nothingOfOursIsLeft() {
        assertThat(KernelPeer.leftovers()).as("namespaces and TAP devices of this JVM").isEmpty();
    }

    @Test
    void sackAndTimestampsAreNegotiatedAndUsedBothWaysDuringRecovery(@TempDir Path dir) throws Exception {
        Path file = KernelTools.artifactDirectory("pcap").resolve("LossRecoveryCaptureTest.pcap");
        Path served = dir.resolve("served.bin");
        String sha = KernelTransfers.writeRandomFile(served, UPLOAD_BYTES, 0xCA97);
        String stack;
        String kernel;
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try (StackPeer net = StackPeer.start(Impairment.parse(IMPAIRMENT), new TcpConfig(), file)) {
            stack = net.stackAddress();
            kernel = net.peer().kernelAddress();
            KernelTransfers.Outcome down = KernelTransfers.curlDownload(net, DOWNLOAD_BYTES, Duration.ofMinutes(3));
            assertThat(down.failure()).as("download under " + IMPAIRMENT).isNull();
            KernelTransfers.Outcome up = KernelTransfers.readFromSocat(net, PORT, served, UPLOAD_BYTES, sha,
                    Duration.ofMinutes(3));
            assertThat(up.failure()).as("upload under " + IMPAIRMENT).isNull();
            // let both closing handshakes finish inside the capture
            KernelTools.awaitKernelConnectionsClosed(net.peer(), Services.HTTP, Duration.ofSeconds(30));
            System.out.printf("capture %s: download %.1f Mbit/s, upload %.1f Mbit/s, %d frames%n", file,
                    down.megabitsPerSecond(), up.megabitsPerSecond(), net.pcap().records());
        } finally {
            ResourceLeakDetector.setLevel(level);
        }

        List<String[]> rows = fields(file);
        // the two connections: the kernel's to our port 80, and ours to socat's port
        Map<String, List<String[]>> streams = new HashMap<>();
        for (String[] r : rows) {
            streams.computeIfAbsent(r[STREAM], k -> new ArrayList<>()).add(r);
        }
        List<String[]> download = stream(streams, "80");
        List<String[]> upload = stream(streams, Integer.toString(PORT));

        for (List<String[]> conn : List.of(download, upload)) {
            String[] syn = first(conn, r -> on(r[SYN]) && !on(r[ACK]));
            String[] synAck = first(conn, r -> on(r[SYN]) && on(r[ACK]));
            for (String[] s : new String[][] {syn, synAck}) {
                String who = (on(s[ACK]) ? "SYN-ACK from " : "SYN from ") + s[SRC];
                assertThat(s[SACK_PERM]).as(who + ": SACK-permitted").isNotEmpty();
                assertThat(s[TSVAL]).as(who + ": timestamps").isNotEmpty();
                assertThat(s[WSCALE]).as(who + ": window scale").isNotEmpty();
            }
            assertThat(syn[SRC]).isNotEqualTo(synAck[SRC]);
            // RFC 7323 3.2: once negotiated, every segment but a RST carries the option
            assertThat(conn.stream().filter(r -> !on(r[RST]) && r[TSVAL].isEmpty()).count())
                    .as("segments without a timestamp").isZero();
            assertEchoes(conn, stack, kernel);
            assertEchoes(conn, kernel, stack);
        }

        // SACK blocks both ways: the kernel's on the download (our data), ours on the upload (its data)
        long kernelSacks = sackSegments(download, kernel);
        long stackSacks = sackSegments(upload, stack);
        long stackRetransmissions = count(download, stack, r -> !r[RETRANSMISSION].isEmpty());
        long kernelRetransmissions = count(upload, kernel, r -> !r[RETRANSMISSION].isEmpty());
        System.out.printf("capture: SACK segments from the kernel %d, from the stack %d; D-SACKs from the kernel %d,"
                        + " from the stack %d; retransmissions by the stack %d, by the kernel %d%n", kernelSacks,
                stackSacks, count(download, kernel, r -> !r[DSACK].isEmpty()),
                count(upload, stack, r -> !r[DSACK].isEmpty()), stackRetransmissions, kernelRetransmissions);
        assertThat(kernelSacks).as("ACKs with SACK blocks from the kernel").isPositive();
        assertThat(stackSacks).as("ACKs with SACK blocks from the stack").isPositive();
        assertThat(stackRetransmissions).as("retransmissions by the stack (tshark's analysis)").isPositive();
        assertThat(kernelRetransmissions).as("retransmissions by the kernel (tshark's analysis)").isPositive();
    }

    /** The one connection with {@code port} on either end. */
    private static List<String[]> stream(Map<String, List<String[]>> streams, String port) {
        List<List<String[]>> found = streams.values().stream()
                .filter(c -> c.stream().anyMatch(r -> port.equals(r[SRCPORT]))).toList();
        assertThat(found).as("connections with port " + port).hasSize(1);
        return found.get(0);
    }

    /** Every TSecr {@code from} sent (after its SYN) is a TSval {@code to} really sent on the connection. */
    private static void assertEchoes(List<String[]> conn, String from, String to) {
        Set<String> sent = new HashSet<>();
        for (String[] r : conn) {
            if (r[SRC].equals(to) && !r[TSVAL].isEmpty()) {
                sent.add(r[TSVAL]);
            }
        }
        long echoes = 0;
        for (String[] r : conn) {
            if (r[SRC].equals(from) && on(r[ACK]) && !r[TSECR].isEmpty()) {
                assertThat(sent).as("TSecr %s from %s echoes a TSval of %s", r[TSECR], from, to).contains(r[TSECR]);
                echoes++;
            }
        }
        assertThat(echoes).as("segments from " + from + " echoing a timestamp").isPositive();
    }

    /**
     * Segments from {@code src} with SACK blocks; checks each block: the count matches, and (sequence space, mod
     * 2^32) left < right; a block below the cumulative ACK must be the first one (a D-SACK, RFC 2883).
     */
    private static long sackSegments(List<String[]> conn, String src) {
        long n = 0;
        for (String[] r : conn) {
            if (!r[SRC].equals(src) || r[SACK_LE].isEmpty()) {
                continue;
            }
            n++;
            String[] le = r[SACK_LE].split(",");
            String[] re = r[SACK_RE].split(",");
            assertThat(re).as("SACK edges in " + String.join(" ", r)).hasSameSizeAs(le);
            assertThat(Integer.parseInt(r[SACK_COUNT])).as("sack.count of " + String.join(" ", r))
                    .isEqualTo(le.length);
            assertThat(le.length).as("blocks in one segment (40 option bytes with timestamps: 3)").isBetween(1, 4);
            int ack = (int) Long.parseLong(r[ACKNO]);
            for (int i = 0; i < le.length; i++) {
                int left = (int) Long.parseLong(le[i]);
                int right = (int) Long.parseLong(re[i]);
                assertThat(right - left).as("block %d of %s is not empty", i, String.join(" ", r)).isPositive();
                if (i > 0) {
                    assertThat(left - ack).as("block %d of %s lies above the cumulative ACK", i,
                            String.join(" ", r)).isGreaterThanOrEqualTo(0);
                }
            }
        }
        return n;
    }

    private static List<String[]> fields(Path file) {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-Y", "tcp", "-T",
                "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"));
        for (String f : FIELDS) {
            command.add("-e");
            command.add(f);
        }
        ExecResult r = KernelPeer.runCommand(command, Duration.ofSeconds(120));
        assertThat(r.ok()).as(r.describe()).isTrue();
        List<String[]> rows = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isEmpty()) {
                String[] row = line.split("\t", -1);
                assertThat(row).as("fields of: " + line).hasSize(FIELDS.length);
                rows.add(row);
            }
        }
        assertThat(rows).as("TCP segments in the capture").isNotEmpty();
        return rows;
    }

    private static String[] first(List<String[]> conn, java.util.function.Predicate<String[]> p) {
        return conn.stream().filter(p).findFirst()
                .orElseThrow(() -> new AssertionError("no such segment in stream " + conn.get(0)[STREAM]));
    }

    private static long count(List<String[]> conn, String src, java.util.function.Predicate<String[]> p) {
        return conn.stream().filter(r -> r[SRC].equals(src)).filter(p).count();
    }

    /** A boolean field as tshark prints it (1/0 in 4.0, True/False in later versions). */
    private static boolean on(String field) {
        return "1".equals(field) || "True".equalsIgnoreCase(field);
    }
}
