package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.ustack.spi.WsaError;
import io.ustack.wire.Icmpv4Packet;
import io.ustack.wire.Ipv4Packet;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.ustack.tcp.TcpDataTransferTest.connect;
import static io.ustack.tcp.TcpTestNet.A_IP;
import static io.ustack.tcp.TcpTestNet.B_IP;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ICMP errors about TCP segments (RFC 1122 4.2.3.9): path MTU reduction (RFC 1191), accepted only when the quoted
 * segment is one we sent and is unacknowledged (RFC 5927 4.1); soft and hard errors.
 */
class TcpIcmpTest {
    private static final int FRAG_NEEDED = Icmpv4Packet.CODE_FRAGMENTATION_NEEDED;
    private static final int UNREACHABLE = Icmpv4Packet.TYPE_DEST_UNREACHABLE;

    /** Delivers to a's TCP an ICMP error quoting a's packet to b with this sequence number. */
    private static void icmpToA(TcpTestNet net, TcpConnection a, int type, int code, int mtu, int seq,
            int quotedLength) {
        ByteBuf q = net.alloc.directBuffer(28);
        q.writeByte(0x45).writeByte(0).writeShort(quotedLength).writeShort(1).writeShort(0x4000) // DF
                .writeByte(64).writeByte(Ipv4Packet.PROTOCOL_TCP).writeShort(0).writeInt(A_IP).writeInt(B_IP);
        q.writeShort(a.localPort()).writeShort(a.remotePort()).writeInt(seq);
        try {
            net.a.layer.icmpError(type, code, mtu, q, 0, q.readableBytes(), net.now());
        } finally {
            q.release();
        }
    }

    /**
     * A 1200-byte hop drops a's full-sized segments; the ICMP "fragmentation needed" that quotes the first dropped
     * one lowers a's MSS, what was in flight is resent at once in the new size, and the transfer completes.
     */
    @Test
    void fragmentationNeededForASegmentInFlightLowersTheMss() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            TcpConnection a = p[0].conn;
            int options = a.sender.segmentOptionBytes;
            int before = a.sender.smss;
            assertThat(before).isEqualTo(1460 - options);
            int[] firstTooBig = {0};
            boolean[] seen = {false};
            net.filter = s -> {
                if (s.from() == 'a' && s.length() + 40 + options > 1200) {
                    if (!seen[0]) {
                        seen[0] = true;
                        firstTooBig[0] = s.seq();
                    }
                    return TcpTestNet.Fate.DROP;
                }
                return TcpTestNet.Fate.DELIVER;
            };
            p[0].send(300_000, 9);
            assertThat(net.runUntil(() -> seen[0], Duration.ofSeconds(1))).isTrue();
            int cwnd = a.sender.cc.cwnd();
            int logged = net.log.size();
            icmpToA(net, a, UNREACHABLE, FRAG_NEEDED, 1200, firstTooBig[0], 1500);
            assertThat(a.sender.smss).isEqualTo(1200 - 40 - options);
            // not a congestion signal: no reduction; a window still at its initial value keeps its ten segments
            assertThat(a.sender.cc.ssthresh()).isEqualTo(Integer.MAX_VALUE);
            assertThat(a.sender.cc.cwnd()).isIn(cwnd, InitialWindow.RFC6928.bytes(a.sender.smss));
            TcpTestNet.Sent resent = net.log.get(logged);
            assertThat(resent.seq()).isEqualTo(a.sender.sndUna); // at once, from the first unacknowledged byte
            assertThat(resent.time()).isEqualTo(net.now());
            assertThat(resent.length()).isEqualTo(1200 - 40 - options);
            assertThat(net.runUntil(() -> p[1].received.size() == 300_000, Duration.ofSeconds(20))).isTrue();
            assertThat(p[1].receivedPattern(300_000, 9)).isTrue();
            assertThat(net.log.subList(logged, net.log.size())).noneMatch(s -> s.from() == 'a' && s.dropped());
            assertThat(net.a.layer.extCounters().pathMtuReductions).isEqualTo(1);
            assertThat(net.a.layer.extCounters().icmpAccepted).isEqualTo(1);
            net.filter = s -> TcpTestNet.Fate.DELIVER;
            TcpDataTransferTest.closeBoth(net, p);
        }
    }

    /** ICMP quoting what a never sent, or what b already acknowledged, or another connection: ignored. */
    @Test
    void icmpQuotingNoSegmentInFlightIsIgnored() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            TcpConnection a = p[0].conn;
            p[1].readPaused = true;
            p[0].send(100_000, 1);
            net.run(Duration.ofMillis(3));
            TcpSender snd = a.sender;
            assertThat(snd.sndMax - snd.sndUna).isPositive();
            int mss = snd.smss;
            icmpToA(net, a, UNREACHABLE, FRAG_NEEDED, 600, snd.sndMax, 1500);          // SND.NXT: not sent yet
            icmpToA(net, a, UNREACHABLE, FRAG_NEEDED, 600, snd.sndMax + 100_000, 1500); // far ahead
            icmpToA(net, a, UNREACHABLE, FRAG_NEEDED, 600, snd.sndUna - 1, 1500);      // acknowledged already
            icmpToA(net, a, UNREACHABLE, FRAG_NEEDED, 600, snd.iss, 1500);             // the SYN, long acked
            assertThat(snd.smss).isEqualTo(mss);
            // another (unknown) connection
            ByteBuf q = net.alloc.directBuffer(28);
            q.writeByte(0x45).writeByte(0).writeShort(1500).writeInt(0).writeByte(64).writeByte(6).writeShort(0)
                    .writeInt(A_IP).writeInt(B_IP).writeShort(a.localPort() + 1).writeShort(80).writeInt(snd.sndUna);
            net.a.layer.icmpError(UNREACHABLE, FRAG_NEEDED, 600, q, 0, 28, net.now());
            q.release();
            assertThat(net.a.layer.extCounters().icmpIgnored).isEqualTo(5);
            assertThat(net.a.layer.extCounters().icmpAccepted).isZero();
            assertThat(a.softError()).isZero();
            // a larger MTU than the current one changes nothing; one below the floor stops at the floor (552)
            icmpToA(net, a, UNREACHABLE, FRAG_NEEDED, 9000, snd.sndUna, 1500);
            assertThat(snd.smss).isEqualTo(mss);
            icmpToA(net, a, UNREACHABLE, FRAG_NEEDED, 100, snd.sndUna, 1500);
            assertThat(snd.smss).isEqualTo(552 - 40 - snd.segmentOptionBytes);
            // an old router reports no MTU: the plateau below the quoted length (RFC 1191 7): 1492 -> 1006
            assertThat(IcmpErrors.plateauBelow(1500)).isEqualTo(1492);
            assertThat(IcmpErrors.plateauBelow(1492)).isEqualTo(1006);
            assertThat(IcmpErrors.plateauBelow(68)).isEqualTo(68);
            p[1].readPaused = false;
            p[1].drain();
            assertThat(net.runUntil(() -> p[1].received.size() == 100_000, Duration.ofSeconds(20))).isTrue();
            assertThat(p[1].receivedPattern(100_000, 1)).isTrue();
            TcpDataTransferTest.closeBoth(net, p);
        }
    }

    /** No next-hop MTU (an RFC 792 router): the estimate comes from the plateau table. */
    @Test
    void missingNextHopMtuUsesThePlateauTable() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            TcpConnection a = p[0].conn;
            p[1].readPaused = true;
            p[0].send(50_000, 1);
            net.run(Duration.ofMillis(1));
            icmpToA(net, a, UNREACHABLE, FRAG_NEEDED, 0, a.sender.sndUna, 1500);
            assertThat(a.sender.smss).isEqualTo(1492 - 40 - a.sender.segmentOptionBytes);
            p[1].readPaused = false;
            p[1].drain();
            assertThat(net.runUntil(() -> p[1].received.size() == 50_000, Duration.ofSeconds(20))).isTrue();
            TcpDataTransferTest.closeBoth(net, p);
        }
    }

    /** Host unreachable during SYN-SENT is soft: the connection goes on, and a later timeout reports it. */
    @Test
    void softErrorIsReportedWhenTheConnectionTimesOut() {
        TcpConfig cfg = TcpTestNet.testConfig().synRetries(2);
        try (TcpTestNet net = new TcpTestNet(cfg, TcpTestNet.testConfig())) {
            net.filter = s -> TcpTestNet.Fate.DROP;
            Peer c = new Peer();
            c.conn = net.a.layer.connect(0, 0, B_IP, 80, c, net.now());
            net.run(Duration.ofMillis(10));
            icmpToA(net, c.conn, UNREACHABLE, Icmpv4Packet.CODE_HOST_UNREACHABLE, 0, c.conn.sender.iss, 60);
            assertThat(c.conn.state()).isEqualTo(TcpState.SYN_SENT);
            assertThat(c.conn.softError()).isEqualTo(WsaError.WSAEHOSTUNREACH);
            assertThat(net.runUntil(() -> c.closedWith >= 0, Duration.ofMinutes(1))).isTrue();
            assertThat(c.closedWith).isEqualTo(WsaError.WSAEHOSTUNREACH);
            List<TcpTestNet.Sent> syns = net.sentBy('a');
            assertThat(syns).hasSize(3); // the SYN went on being retransmitted
            c.release();
        }
    }

    /** Port unreachable quoting our SYN is a hard error in SYN-SENT (RFC 1122 4.2.3.9); a wrong ISN is not. */
    @Test
    void portUnreachableRefusesTheConnect() {
        try (TcpTestNet net = new TcpTestNet()) {
            net.filter = s -> TcpTestNet.Fate.DROP;
            Peer c = new Peer();
            c.conn = net.a.layer.connect(0, 0, B_IP, 80, c, net.now());
            icmpToA(net, c.conn, UNREACHABLE, Icmpv4Packet.CODE_PORT_UNREACHABLE, 0, c.conn.sender.iss + 1, 60);
            assertThat(c.conn.state()).isEqualTo(TcpState.SYN_SENT); // quotes a sequence number never sent
            icmpToA(net, c.conn, UNREACHABLE, Icmpv4Packet.CODE_PORT_UNREACHABLE, 0, c.conn.sender.iss, 60);
            assertThat(c.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(c.closedWith).isEqualTo(WsaError.WSAECONNREFUSED);
            assertThat(net.a.layer.connectionCount()).isZero();
            c.release();
        }
    }

    /** In a synchronized state even port unreachable is soft (RFC 5927 4.2): the connection lives on. */
    @Test
    void hardErrorsAreSoftOnceSynchronized() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = connect(net);
            TcpConnection a = p[0].conn;
            p[1].readPaused = true;
            p[0].send(10_000, 1);
            icmpToA(net, a, UNREACHABLE, Icmpv4Packet.CODE_PORT_UNREACHABLE, 0, a.sender.sndUna, 1500);
            icmpToA(net, a, Icmpv4Packet.TYPE_TIME_EXCEEDED, 0, 0, a.sender.sndUna, 1500);
            assertThat(a.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(a.softError()).isEqualTo(WsaError.WSAEHOSTUNREACH);
            p[1].readPaused = false;
            p[1].drain();
            assertThat(net.runUntil(() -> p[1].received.size() == 10_000, Duration.ofSeconds(5))).isTrue();
            TcpDataTransferTest.closeBoth(net, p);
        }
    }
}
