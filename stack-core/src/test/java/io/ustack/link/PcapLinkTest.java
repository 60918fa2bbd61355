/*
 * PcapLinkTest: the capture file byte for byte (header, record headers, timestamps from the clock, snaplen), the
 * pass-through of every Link call, capture failures, and a real reader's verdict: tshark must read every frame of a
 * capture of hand-built Ethernet/IPv4/UDP frames and call none malformed.
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.ustack.engine.ManualClock;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class PcapLinkTest {
    private static final long EPOCH_2023_11_14 = 1_700_000_000L * 1_000_000_000L;

    @Test
    void writesTheHeaderAndOneRecordPerFrameInBothDirections() {
        ScriptedLink inner = new ScriptedLink(Link.Framing.ETHERNET);
        ManualClock clock = new ManualClock(5_123_456_789L);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        PcapLink pcap = new PcapLink(inner, file, clock, EPOCH_2023_11_14);

        inner.inbound.add(bytes(0x11, 0x22, 0x33));
        inner.inbound.add(bytes(0x44));
        List<String> delivered = new ArrayList<>();
        assertThat(pcap.receive(f -> delivered.add(ByteBufUtil.hexDump(f)), 1)).isEqualTo(1);
        clock.advanceNanos(1_000_000_000L - 123_456_789L + 7); // crosses a second
        assertThat(pcap.receive(f -> delivered.add(ByteBufUtil.hexDump(f)), 8)).isEqualTo(1);
        assertThat(pcap.transmit(bytes(0xAA, 0xBB))).isTrue();
        assertThat(pcap.records()).isEqualTo(3);
        pcap.close();

        assertThat(delivered).containsExactly("112233", "44");
        assertThat(inner.transmitted).containsExactly("aabb");
        ByteBuffer b = ByteBuffer.wrap(file.toByteArray());
        assertThat(b.remaining()).isEqualTo(24 + (16 + 3) + (16 + 1) + (16 + 2));
        assertThat(b.getInt()).isEqualTo(0xA1B23C4D);
        assertThat(b.getShort()).isEqualTo((short) 2);
        assertThat(b.getShort()).isEqualTo((short) 4);
        assertThat(b.getInt()).isZero();
        assertThat(b.getInt()).isZero();
        assertThat(b.getInt()).isEqualTo(PcapLink.SNAPLEN);
        assertThat(b.getInt()).isEqualTo(1);
        assertRecord(b, 1_700_000_005L, 123_456_789, 3, 3, "112233");
        assertRecord(b, 1_700_000_006L, 7, 1, 1, "44");
        assertRecord(b, 1_700_000_006L, 7, 2, 2, "aabb");
        assertThat(b.hasRemaining()).isFalse();
    }

    @Test
    void ipFramingIsLinktypeRaw() {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        new PcapLink(new ScriptedLink(Link.Framing.IP), file, new ManualClock(), 0).close();
        assertThat(ByteBuffer.wrap(file.toByteArray()).getInt(20)).isEqualTo(101);
        assertThat(PcapLink.linkType(Link.Framing.ETHERNET)).isEqualTo(1);
    }

    @Test
    void cutsFramesAtTheSnaplenAndKeepsTheOriginalLength() {
        ScriptedLink inner = new ScriptedLink(Link.Framing.ETHERNET);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        PcapLink pcap = new PcapLink(inner, file, new ManualClock(0), 0);
        for (int i = 0; i < 3; i++) { // 3 x 300000 bytes: more than the internal buffer, so it drains midway
            ByteBuf big = Unpooled.buffer(300_000);
            big.writeZero(300_000);
            big.setByte(0, i + 1);
            pcap.transmit(big);
        }
        pcap.transmit(bytes(0x5A));
        pcap.close();
        ByteBuffer b = ByteBuffer.wrap(file.toByteArray());
        b.position(24);
        for (int i = 0; i < 3; i++) {
            assertThat(b.getInt()).isZero();
            assertThat(b.getInt()).isZero();
            assertThat(b.getInt()).as("incl_len").isEqualTo(PcapLink.SNAPLEN);
            assertThat(b.getInt()).as("orig_len").isEqualTo(300_000);
            assertThat(b.get(b.position())).isEqualTo((byte) (i + 1));
            b.position(b.position() + PcapLink.SNAPLEN);
        }
        assertRecord(b, 0, 0, 1, 1, "5a");
        assertThat(b.hasRemaining()).isFalse();
    }

    @Test
    void passesEveryOtherCallThroughToTheWrappedLink() {
        ScriptedLink inner = new ScriptedLink(Link.Framing.ETHERNET);
        PcapLink pcap = new PcapLink(inner, new ByteArrayOutputStream(), new ManualClock(), 0);
        assertThat(pcap.framing()).isEqualTo(Link.Framing.ETHERNET);
        assertThat(pcap.mtu()).isEqualTo(1234);
        assertThat(pcap.macAddress()).isEqualTo(0x02_11_22_33_44_55L);
        assertThat(pcap.isUp()).isTrue();
        pcap.flush();
        pcap.await(42);
        pcap.wakeup();
        inner.refuseTransmit = true;
        assertThat(pcap.transmit(bytes(1))).isFalse();
        assertThat(pcap.records()).as("a refused frame is still recorded as sent").isEqualTo(1);
        pcap.close();
        assertThat(inner.calls).containsExactly("flush", "await 42", "wakeup", "close");
        assertThat(pcap.isUp()).isFalse();
        pcap.close(); // idempotent for the capture
    }

    @Test
    void aFailingCaptureStopsRecordingButNotTheLinkAndIsReportedOnClose() {
        ScriptedLink inner = new ScriptedLink(Link.Framing.ETHERNET);
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("disk full");
            }
        };
        PcapLink pcap = new PcapLink(inner, broken, new ManualClock(), 0);
        for (int i = 0; i < 3; i++) {
            ByteBuf big = Unpooled.buffer(150_000);
            big.writeZero(150_000);
            assertThat(pcap.transmit(big)).isTrue();
        }
        assertThat(inner.transmitted).hasSize(3);
        assertThat(pcap.records()).as("recording stopped at the failed write").isEqualTo(2);
        assertThatThrownBy(pcap::close).isInstanceOf(UncheckedIOException.class).hasRootCauseMessage("disk full");
        assertThat(inner.calls).contains("close");
    }

    @Test
    void tsharkReadsEveryFrameAndFindsNoneMalformed(@TempDir Path dir) throws Exception {
        assumeCommand("tshark");
        Path file = dir.resolve("udp.pcap");
        ScriptedLink inner = new ScriptedLink(Link.Framing.ETHERNET);
        ManualClock clock = new ManualClock(0);
        PcapLink pcap = PcapLink.open(inner, file, clock);
        int[] payloadSizes = {0, 1, 18, 333, 1472};
        for (int i = 0; i < payloadSizes.length; i++) {
            ByteBuf frame = ethernetIpv4Udp(i, payloadSizes[i]);
            if ((i & 1) == 0) {
                inner.inbound.add(frame);
                assertThat(pcap.receive(f -> { }, 4)).isEqualTo(1);
            } else {
                assertThat(pcap.transmit(frame)).isTrue();
            }
            clock.advanceNanos(1_500_000);
        }
        pcap.close();

        String fields = tshark("-r", file.toString(), "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                "-T", "fields", "-E", "separator=,", "-e", "frame.number", "-e", "frame.len", "-e", "_ws.malformed",
                "-e", "ip.checksum.status", "-e", "udp.checksum.status", "-e", "udp.length");
        List<String> rows = fields.lines().toList();
        assertThat(rows).hasSize(payloadSizes.length);
        for (int i = 0; i < payloadSizes.length; i++) {
            int n = payloadSizes[i];
            // number, length, no malformation, IP and UDP checksums Good (1), UDP length
            assertThat(rows.get(i)).isEqualTo((i + 1) + "," + (14 + 20 + 8 + n) + ",,1,1," + (8 + n));
        }
        assertThat(tshark("-r", file.toString(), "-Y", "_ws.malformed")).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static void assertRecord(ByteBuffer b, long seconds, int nanos, int incl, int orig, String hex) {
        assertThat(Integer.toUnsignedLong(b.getInt())).as("ts_sec").isEqualTo(seconds);
        assertThat(b.getInt()).as("ts_nsec").isEqualTo(nanos);
        assertThat(b.getInt()).as("incl_len").isEqualTo(incl);
        assertThat(b.getInt()).as("orig_len").isEqualTo(orig);
        byte[] data = new byte[incl];
        b.get(data);
        assertThat(ByteBufUtil.hexDump(data)).isEqualTo(hex);
    }

    private static ByteBuf bytes(int... values) {
        ByteBuf buf = Unpooled.buffer(values.length);
        for (int v : values) {
            buf.writeByte(v);
        }
        return buf;
    }

    /** Ethernet II + IPv4 (no options, DF) + UDP 40000 -> 7 with a payload of {@code n} bytes and both checksums. */
    static ByteBuf ethernetIpv4Udp(int id, int n) {
        int ipLength = 20 + 8 + n;
        ByteBuf f = Unpooled.buffer(14 + ipLength);
        f.writeBytes(new byte[] {0x02, 0, 0, 0, 0, 0x02}); // destination MAC
        f.writeBytes(new byte[] {0x02, 0, 0, 0, 0, 0x01}); // source MAC
        f.writeShort(0x0800);
        int ip = f.writerIndex();
        f.writeByte(0x45).writeByte(0).writeShort(ipLength);
        f.writeShort(id).writeShort(0x4000);
        f.writeByte(64).writeByte(17).writeShort(0);   // TTL, UDP, checksum placeholder
        f.writeInt(0x0A00_0001).writeInt(0x0A00_0002); // 10.0.0.1 -> 10.0.0.2
        f.setShort(ip + 10, checksum(f, ip, 20, 0));
        int udp = f.writerIndex();
        f.writeShort(40000).writeShort(7).writeShort(8 + n).writeShort(0);
        for (int i = 0; i < n; i++) {
            f.writeByte('a' + i % 26);
        }
        long pseudo = 0x0A00L + 0x0001 + 0x0A00 + 0x0002 + 17 + (8 + n);
        int sum = checksum(f, udp, 8 + n, pseudo);
        f.setShort(udp + 6, sum == 0 ? 0xFFFF : sum);
        return f;
    }

    /** RFC 1071 Internet checksum of {@code length} bytes at {@code offset}, with a starting sum. */
    static int checksum(ByteBuf buf, int offset, int length, long initial) {
        long sum = initial;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += buf.getUnsignedShort(offset + i);
        }
        if ((length & 1) != 0) {
            sum += buf.getUnsignedByte(offset + length - 1) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private static void assumeCommand(String command) {
        boolean present = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                present = true;
                break;
            }
        }
        if (!present) {
            if ("true".equals(System.getenv("CI"))) {
                fail(command + " is required on CI but not installed");
            }
            Assumptions.abort(command + " is not installed");
        }
    }

    private static String tshark(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("tshark");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("tshark exit status, output: " + out).isZero();
        return out;
    }

    /** A Link that delivers queued frames, keeps a hex copy of transmitted ones, and logs the other calls. */
    private static final class ScriptedLink implements Link {
        final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
        final List<String> transmitted = new ArrayList<>();
        final List<String> calls = new ArrayList<>();
        final Framing framing;
        boolean refuseTransmit;
        boolean up = true;

        ScriptedLink(Framing framing) {
            this.framing = framing;
        }

        @Override
        public Framing framing() {
            return framing;
        }

        @Override
        public int mtu() {
            return 1234;
        }

        @Override
        public long macAddress() {
            return 0x02_11_22_33_44_55L;
        }

        @Override
        public boolean isUp() {
            return up;
        }

        @Override
        public int receive(FrameSink sink, int budget) {
            int n = 0;
            while (n < budget && !inbound.isEmpty()) {
                ByteBuf frame = inbound.poll();
                try {
                    sink.onFrame(frame);
                } finally {
                    frame.release();
                }
                n++;
            }
            return n;
        }

        @Override
        public boolean transmit(ByteBuf frame) {
            try {
                if (refuseTransmit) {
                    return false;
                }
                transmitted.add(frame.readableBytes() > 64 ? "big" : ByteBufUtil.hexDump(frame));
                return true;
            } finally {
                frame.release();
            }
        }

        @Override
        public void flush() {
            calls.add("flush");
        }

        @Override
        public void await(long timeoutNanos) {
            calls.add("await " + timeoutNanos);
        }

        @Override
        public void wakeup() {
            calls.add("wakeup");
        }

        @Override
        public void close() {
            calls.add("close");
            up = false;
            inbound.forEach(ByteBuf::release);
            inbound.clear();
        }
    }
}
