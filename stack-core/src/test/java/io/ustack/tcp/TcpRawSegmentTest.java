package io.ustack.tcp;

import io.ustack.wire.DropReason;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hand-made segments against layer b, to reach cases a well-behaved peer never produces: out-of-order FIN, bad
 * checksums and options, a window scale above 14, ACKs of unsent data, data on a SYN.
 */
class TcpRawSegmentTest {
    private static final int PORT = 3333;
    private static final int PEER_ISS = 0x7000_0000;

    /** Opens a connection from a scripted peer to b:80; returns the accepted connection and b's ISS. */
    private static TcpConnection open(TcpTestNet net, List<Peer> accepted, TcpOptions synOptions, int[] bIss) {
        net.filter = s -> TcpTestNet.Fate.DROP; // b talks to the script, not to layer a (which would reset)
        net.b.layer.listen(0, 80, 4, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                Peer p = new Peer();
                p.attach(c);
                accepted.add(p);
            }
        });
        net.b.inject(PORT, 80, PEER_ISS, 0, TcpSegment.SYN, 65535, synOptions, new byte[0]);
        TcpTestNet.Sent synAck = net.log.get(net.log.size() - 1);
        assertThat(synAck.isSyn()).isTrue();
        bIss[0] = synAck.seq();
        net.b.inject(PORT, 80, PEER_ISS + 1, synAck.seq() + 1, TcpSegment.ACK, 65535, null, new byte[0]);
        assertThat(accepted).hasSize(1);
        return accepted.get(0).conn;
    }

    private static byte[] bytes(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    @Test
    void outOfOrderFinWaitsForTheDataBeforeIt() {
        try (TcpTestNet net = new TcpTestNet()) {
            List<Peer> acc = new ArrayList<>();
            int[] iss = new int[1];
            TcpConnection c = open(net, acc, null, iss);
            int ack = iss[0] + 1;
            int ackPsh = TcpSegment.ACK | TcpSegment.PSH;
            // bytes 1000..1999 with FIN first, then 0..999
            net.b.inject(PORT, 80, PEER_ISS + 1 + 1000, ack, ackPsh | TcpSegment.FIN, 65535, null,
                    bytes(1000, 1000));
            assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(c.available()).isZero();
            TcpTestNet.Sent dupAck = net.log.get(net.log.size() - 1);
            assertThat(dupAck.ack()).isEqualTo(PEER_ISS + 1); // immediate ACK for out-of-order data
            net.b.inject(PORT, 80, PEER_ISS + 1, ack, ackPsh, 65535, null, bytes(0, 1000));
            assertThat(c.state()).isEqualTo(TcpState.CLOSE_WAIT);
            Peer p = acc.get(0);
            assertThat(p.eof).isTrue();
            byte[] got = p.received.toByteArray();
            assertThat(got).isEqualTo(bytes(0, 2000));
            assertThat(net.log.get(net.log.size() - 1).ack()).isEqualTo(PEER_ISS + 1 + 2000 + 1);
            c.abort();
            acc.forEach(Peer::release);
        }
    }

    @Test
    void overlappingAndPartlyOldSegmentsAreTrimmed() {
        try (TcpTestNet net = new TcpTestNet()) {
            List<Peer> acc = new ArrayList<>();
            int[] iss = new int[1];
            TcpConnection c = open(net, acc, null, iss);
            int ack = iss[0] + 1;
            net.b.inject(PORT, 80, PEER_ISS + 1, ack, TcpSegment.ACK, 65535, null, bytes(0, 500));
            net.b.inject(PORT, 80, PEER_ISS + 1 + 800, ack, TcpSegment.ACK, 65535, null, bytes(800, 400));
            // 300..899: old at the front, overlapping the held range at the back
            net.b.inject(PORT, 80, PEER_ISS + 1 + 300, ack, TcpSegment.ACK, 65535, null, bytes(300, 600));
            assertThat(acc.get(0).received.toByteArray()).isEqualTo(bytes(0, 1200));
            assertThat(c.receiver.outOfOrderRanges()).isZero();
            c.abort();
            acc.forEach(Peer::release);
        }
    }

    @Test
    void malformedSegmentsAreCountedAndDropped() {
        try (TcpTestNet net = new TcpTestNet()) {
            io.netty.buffer.ByteBuf buf = net.alloc.directBuffer(64);
            TcpSegment.emitHeader(buf, 0, PORT, 80, 1, 0, TcpSegment.SYN, 100, null);
            buf.writerIndex(20);
            TcpSegment.fillChecksum(buf, 0, 20, TcpTestNet.A_IP, TcpTestNet.B_IP);
            buf.setByte(5, buf.getByte(5) ^ 1); // corrupt after the checksum
            net.b.layer.input(buf, 0, 20, TcpTestNet.A_IP, TcpTestNet.B_IP, net.now());
            assertThat(net.b.counters.drops(DropReason.BAD_CHECKSUM)).isEqualTo(1);
            net.b.layer.input(buf, 0, 12, TcpTestNet.A_IP, TcpTestNet.B_IP, net.now());
            assertThat(net.b.counters.drops(DropReason.TRUNCATED)).isEqualTo(1);
            // an option whose length runs past the header
            buf.clear();
            TcpSegment.emitHeader(buf, 0, PORT, 80, 1, 0, TcpSegment.SYN, 100, null);
            buf.setByte(12, 6 << 4); // data offset 24 bytes
            buf.setBytes(20, new byte[] {2, 9, 0, 0});
            buf.writerIndex(24);
            TcpSegment.fillChecksum(buf, 0, 24, TcpTestNet.A_IP, TcpTestNet.B_IP);
            net.b.layer.input(buf, 0, 24, TcpTestNet.A_IP, TcpTestNet.B_IP, net.now());
            assertThat(net.b.counters.drops(DropReason.BAD_OPTION)).isEqualTo(1);
            buf.release();
            assertThat(net.log).isEmpty();
            assertThat(net.b.counters.tcpSegmentsIn).isEqualTo(3);
        }
    }

    /** RFC 7323 2.3: a shift above 14 is used as 14. */
    @Test
    void windowScaleAbove14IsClamped() {
        try (TcpTestNet net = new TcpTestNet()) {
            List<Peer> acc = new ArrayList<>();
            int[] iss = new int[1];
            TcpConnection c = open(net, acc, new TcpOptions().mss(1000).windowScale(20), iss);
            assertThat(c.sender.sndWscale).isEqualTo(14);
            assertThat(c.sender.smss).isEqualTo(1000);
            assertThat(c.sender.sndWnd).isEqualTo(65535 << 14);
            assertThat(net.log.get(0).wscale()).isEqualTo(3); // b's own shift in its SYN-ACK
            c.abort();
            acc.forEach(Peer::release);
        }
    }

    /** RFC 9293 3.10.7.4 fifth: an ACK for data never sent is answered with an ACK and dropped. */
    @Test
    void ackOfUnsentDataIsAnsweredAndDropped() {
        try (TcpTestNet net = new TcpTestNet()) {
            List<Peer> acc = new ArrayList<>();
            int[] iss = new int[1];
            TcpConnection c = open(net, acc, null, iss);
            int before = net.log.size();
            net.b.inject(PORT, 80, PEER_ISS + 1, iss[0] + 1000, TcpSegment.ACK, 65535, null, bytes(0, 10));
            assertThat(c.available()).isZero(); // the text was dropped with the segment
            assertThat(net.log).hasSize(before + 1);
            assertThat(net.log.get(before).isPureAck()).isTrue();
            assertThat(net.log.get(before).ack()).isEqualTo(PEER_ISS + 1);
            assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
            c.abort();
            acc.forEach(Peer::release);
        }
    }

    /** Text on a SYN is not acknowledged (only the SYN is); the peer sends it again after the handshake. */
    @Test
    void dataOnSynIsNotAcknowledged() {
        try (TcpTestNet net = new TcpTestNet()) {
            net.filter = s -> TcpTestNet.Fate.DROP;
            net.b.layer.listen(0, 80, 4, l -> { });
            net.b.inject(PORT, 80, PEER_ISS, 0, TcpSegment.SYN, 65535, null, bytes(0, 100));
            assertThat(net.log.get(0).ack()).isEqualTo(PEER_ISS + 1);
            assertThat(net.b.layer.connectionCount()).isEqualTo(1);
            net.run(Duration.ofSeconds(130)); // 6 SYN-ACK retries (1+2+...+64 s) run out: the embryonic connection goes quietly
            assertThat(net.b.layer.connectionCount()).isZero();
            assertThat(net.sentBy('b').stream().filter(s -> s.has(TcpSegment.RST)).count()).isZero();
        }
    }

    /** A zero window: only a segment at exactly RCV.NXT is acceptable, and it carries no text. */
    @Test
    void zeroWindowAcceptsOnlyEmptySegmentsAtRcvNxt() {
        TcpConfig tiny = TcpTestNet.testConfig().receiveBufferSize(1000);
        try (TcpTestNet net = new TcpTestNet(TcpTestNet.testConfig(), tiny)) {
            List<Peer> acc = new ArrayList<>();
            int[] iss = new int[1];
            TcpConnection c = open(net, acc, null, iss);
            acc.get(0).readPaused = true;
            int ack = iss[0] + 1;
            net.b.inject(PORT, 80, PEER_ISS + 1, ack, TcpSegment.ACK, 65535, null, bytes(0, 1000));
            assertThat(c.available()).isEqualTo(1000);
            net.run(Duration.ofMillis(100)); // the delayed ACK
            assertThat(net.log.get(net.log.size() - 1).window()).isZero();
            long drops = net.b.counters.drops(DropReason.TCP_UNACCEPTABLE);
            net.b.inject(PORT, 80, PEER_ISS + 1 + 1000, ack, TcpSegment.ACK, 65535, null, bytes(0, 1));
            assertThat(net.b.counters.drops(DropReason.TCP_UNACCEPTABLE)).isEqualTo(drops + 1);
            assertThat(c.available()).isEqualTo(1000);
            // the ACK field of a probe at RCV.NXT still counts (RFC 9293 3.10.7.4): our data gets acknowledged on it
            byte[] out = bytes(7, 300);
            assertThat(c.write(io.netty.buffer.Unpooled.wrappedBuffer(out), out.length)).isEqualTo(300);
            net.run(Duration.ofMillis(1));
            assertThat(c.sender.sndMax).isEqualTo(ack + 300);
            net.b.inject(PORT, 80, PEER_ISS + 1 + 1000, ack + 300, TcpSegment.ACK, 65535, null, bytes(0, 1));
            assertThat(c.sender.sndUna).as("SND.UNA moved by the probe's ACK").isEqualTo(ack + 300);
            assertThat(c.available()).isEqualTo(1000);
            ack += 300;
            // a FIN at the edge needs no buffer space: accepted
            net.b.inject(PORT, 80, PEER_ISS + 1 + 1000, ack, TcpSegment.ACK | TcpSegment.FIN, 65535, null,
                    new byte[0]);
            assertThat(c.state()).isEqualTo(TcpState.CLOSE_WAIT);
            c.abort();
            acc.forEach(Peer::release);
        }
    }
}
