/*
 * PcapCaptureTest: a capture written by PcapLink (the pcap format, nanosecond variant) while the kernel pings our
 * stack and downloads from it is read by Wireshark's tshark without a malformed packet or a bad IPv4/TCP/ICMP
 * checksum, holds as many frames as PcapLink recorded, and shows the conversation: echo replies from the stack
 * (RFC 792), the kernel's SYN, our SYN/ACK, and a FIN from each side (RFC 9293 3.5, 3.6). With TAP offloads (the
 * virtio-net header, virtio spec 1.x section 5.1.6) the kernel's frames carry only partial TCP checksums and come as
 * super-frames: the capture holds them whole, with the checksum PcapLink completed, and tshark finds nothing wrong.
 */
package io.ustack.it;

import io.ustack.app.Services;
import io.ustack.link.Impairment;
import io.ustack.tap.DeviceMode;
import io.ustack.tap.TapOptions;
import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import io.ustack.tcp.TcpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"ping", "curl", "tshark", "ss", "socat"})
class PcapCaptureTest {
    private static final Duration TSHARK_LIMIT = Duration.ofSeconds(60);
    /** tshark's checksum checks are off by default; turn them on for the protocols we write. */
    private static final List<String> CHECK_CHECKSUMS = List.of("-o", "ip.check_checksum:TRUE", "-o",
            "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE");

    @AfterEach
    void nothingOfOursIsLeft() {
        assertThat(KernelPeer.leftovers()).as("namespaces and TAP devices of this JVM").isEmpty();
    }

    @Test
    void aCaptureOfPingAndHttpIsWellFormedAndShowsTheHandshakes() throws Exception {
        Path file = KernelTools.artifactDirectory("pcap").resolve("PcapCaptureTest.pcap");
        String kernel;
        String stack;
        long recorded;
        try (StackPeer net = StackPeer.start(file)) {
            kernel = net.peer().kernelAddress();
            stack = net.stackAddress();
            ExecResult ping = net.peer().run(Duration.ofSeconds(20), "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2",
                    stack);
            assertThat(ping.ok()).as(ping.describe()).isTrue();
            ExecResult index = net.peer().run(Duration.ofSeconds(70), "curl", "-sS", "--max-time", "60", "-o",
                    "/dev/null", net.url("/"));
            assertThat(index.ok()).as(index.describe()).isTrue();
            // a few hundred full-sized segments each way: enough to exercise windows and ACK clocking
            ExecResult bytes = net.peer().run(Duration.ofSeconds(70), "curl", "-sS", "--max-time", "60", "-o",
                    "/dev/null", net.url("/bytes/500000"));
            assertThat(bytes.ok()).as(bytes.describe()).isTrue();
            // the capture should hold both closing handshakes, not stop between our FIN and the kernel's ACK
            KernelTools.awaitKernelConnectionsClosed(net.peer(), Services.HTTP, Duration.ofSeconds(10));
            recorded = net.pcap().records();
        }
        // the stack is closed: the capture is complete on disk
        assertThat(recorded).as("frames PcapLink recorded").isPositive();
        assertThat(Files.size(file)).as("capture size").isGreaterThan(24 + 16 * recorded);
        System.out.println("capture: " + file.toAbsolutePath() + ", " + recorded + " frames");

        // one pass: malformed frames (any dissector) and bad checksums; prints the offenders, or nothing
        ExecResult problems = problems(file);
        assertThat(problems.ok()).as(problems.describe()).isTrue();
        assertThat(problems.stdout()).as("frames tshark finds malformed or with a bad checksum").isBlank();
        // and the check can fail: one flipped payload byte in a copy is reported as a bad TCP checksum
        Path damaged = file.resolveSibling("PcapCaptureTest-damaged.pcap");
        int frame = damageFirstFullFrame(file, damaged);
        assertThat(problems(damaged).stdout()).as("tshark on a damaged copy").startsWith(frame + "\t");

        List<String[]> rows = fields(file, "ip.src", "ip.dst", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin",
                "tcp.flags.reset", "icmp.type", "tcp.analysis.retransmission");
        assertThat(rows).as("frames tshark reads").hasSize((int) recorded);
        assertThat(count(rows, stack, kernel, r -> "0".equals(r[6]))).as("ICMP echo replies from the stack")
                .isEqualTo(3);
        // two connections (a retransmitted SYN would add one of each, which is not wrong)
        assertThat(count(rows, kernel, stack, r -> on(r[2]) && !on(r[3]))).as("SYNs from the kernel")
                .isGreaterThanOrEqualTo(2);
        assertThat(count(rows, stack, kernel, r -> on(r[2]) && on(r[3]))).as("SYN/ACKs from the stack")
                .isGreaterThanOrEqualTo(2);
        assertThat(count(rows, kernel, stack, r -> on(r[4]))).as("FINs from the kernel").isGreaterThanOrEqualTo(2);
        assertThat(count(rows, stack, kernel, r -> on(r[4]))).as("FINs from the stack").isGreaterThanOrEqualTo(2);
        assertThat(count(rows, null, null, r -> on(r[5]))).as("RSTs on either side").isZero();
        System.out.println("capture: tshark marks " + count(rows, null, null, r -> !r[7].isEmpty())
                + " TCP retransmissions");
    }

    @Test
    void aCaptureOfAnOffloadingTapHasCompletedChecksumsAndWholeSuperFrames() throws Exception {
        Path file = KernelTools.artifactDirectory("pcap").resolve("PcapCaptureTest-offloads.pcap");
        long recorded;
        try (StackPeer net = StackPeer.start(file, DeviceMode.TAP, Impairment.NONE, new TcpConfig(),
                TapOptions.OFFLOADS)) {
            // the kernel sends 4 MB to our discard service: TSO super-frames with partial checksums
            ExecResult up = KernelTools.sh(net.peer(), Duration.ofSeconds(70), "head -c 4000000 /dev/urandom"
                    + " | socat -u -T 30 STDIN TCP:" + net.stackAddress() + ":" + Services.DISCARD);
            assertThat(up.ok()).as(up.describe()).isTrue();
            KernelTools.awaitKernelConnectionsClosed(net.peer(), Services.DISCARD, Duration.ofSeconds(10));
            recorded = net.pcap().records();
        }
        ExecResult problems = problems(file);
        assertThat(problems.ok()).as(problems.describe()).isTrue();
        assertThat(problems.stdout()).as("frames tshark finds malformed or with a bad checksum").isBlank();
        List<String[]> rows = fields(file, "frame.len", "frame.cap_len");
        assertThat(rows).as("frames tshark reads").hasSize((int) recorded);
        assertThat(rows.stream().filter(r -> Integer.parseInt(r[0]) > 1514).count()).as("super-frames").isPositive();
        assertThat(rows).as("every frame kept whole").allMatch(r -> r[0].equals(r[1]));
    }

    private static ExecResult problems(Path file) {
        return tshark(file, "-Y", "_ws.malformed || ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\""
                + " || udp.checksum.status == \"Bad\" || icmp.checksum.status == \"Bad\"", "-T", "fields", "-e",
                "frame.number", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info");
    }

    /**
     * Copies the capture to {@code copy} with one byte of TCP payload flipped in the first frame longer than 1000
     * bytes; returns that frame's number (1-based). Record headers are big-endian, as PcapLink writes them.
     */
    private static int damageFirstFullFrame(Path file, Path copy) throws IOException {
        byte[] pcap = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(pcap);
        int frame = 0;
        for (int record = 24; record + 16 <= pcap.length; record += 16 + b.getInt(record + 8)) {
            frame++;
            if (b.getInt(record + 8) > 1000) {
                pcap[record + 16 + 100] ^= (byte) 0xFF; // past Ethernet (14), IPv4 (20) and TCP (20..60) headers
                Files.write(copy, pcap);
                return frame;
            }
        }
        throw new AssertionError("no frame longer than 1000 bytes in " + file);
    }

    private static ExecResult tshark(Path file, String... args) {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString()));
        command.addAll(CHECK_CHECKSUMS);
        command.addAll(List.of(args));
        return KernelPeer.runCommand(command, TSHARK_LIMIT);
    }

    /** One row per frame, the fields in order (empty where a frame has no such field). */
    private static List<String[]> fields(Path file, String... names) {
        List<String> args = new ArrayList<>(List.of("-T", "fields", "-E", "separator=/t", "-E", "occurrence=f"));
        for (String n : names) {
            args.add("-e");
            args.add(n);
        }
        ExecResult r = tshark(file, args.toArray(String[]::new));
        assertThat(r.ok()).as(r.describe()).isTrue();
        List<String[]> rows = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isEmpty()) {
                String[] row = line.split("\t", -1);
                assertThat(row).as("fields of: " + line).hasSize(names.length);
                rows.add(row);
            }
        }
        return rows;
    }

    /** A boolean field as tshark prints it (1/0 in 4.0, True/False in later versions). */
    private static boolean on(String field) {
        return "1".equals(field) || "True".equalsIgnoreCase(field);
    }

    private static long count(List<String[]> rows, String src, String dst, Predicate<String[]> p) {
        return rows.stream().filter(r -> (src == null || src.equals(r[0])) && (dst == null || dst.equals(r[1])))
                .filter(p).count();
    }
}
