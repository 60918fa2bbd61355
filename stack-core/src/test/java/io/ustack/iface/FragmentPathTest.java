/*
 * FragmentPathTest: IPv4 fragmentation and reassembly of one stack on the wire (RFC 791 3.2, RFC 1122 3.3.2-3.3.3),
 * frame by frame against a hand-driven peer: byte-exact fixtures (computed independently, by hand-written
 * fragmentation and RFC 1071 checksums) of a UDP datagram the stack fragments on a 68-byte MTU and of a fragmented
 * echo request it reassembles and answers with a fragmented reply; the ICMP time exceeded of a timed-out reassembly
 * on the wire; DF datagrams (TCP) and datagrams over 65535 bytes refused instead of sent.
 */
package io.ustack.iface;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.ustack.api.Stack;
import io.ustack.api.UdpSocket;
import io.ustack.engine.ManualClock;
import io.ustack.ip.IpOutput;
import io.ustack.ip.Ipv4Config;
import io.ustack.ip.ReassemblyConfig;
import io.ustack.link.InMemoryLink;
import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.testing.RawPeer;
import io.ustack.wire.ArpPacket;
import io.ustack.wire.Checksum;
import io.ustack.wire.DropReason;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.Icmpv4Packet;
import io.ustack.wire.Ipv4Address;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.MacAddress;
import io.ustack.wire.TcpSegment;
import io.ustack.wire.UdpDatagram;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class FragmentPathTest extends StackWithRawPeer {
    static final int US = Ipv4Address.parse("10.9.0.2");
    static final int PEER = Ipv4Address.parse("10.9.0.1");

    /** UDP 4000 -> 5000, 92 payload bytes 00..5b, from the stack (IP id 0) on a 68-byte MTU: 48 + 48 + 4 bytes. */
    static final String[] UDP_FRAGMENTS = {
        "0200000000020200000000010800" + "4500004400002000401146950a0900020a090001"
            + "0fa013880064a99d000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627",
        "0200000000020200000000010800" + "45000044000020064011468f0a0900020a090001"
            + "28292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f5051525354555657",
        "0200000000020200000000010800" + "450000180000000c401166b50a0900020a090001"
            + "58595a5b",
    };

    /** Echo request (identifier 0x1234, sequence 1, 100 bytes i*7) from the peer, IP id 0xbeef, 68-byte MTU. */
    static final String[] ECHO_REQUEST_FRAGMENTS = {
        "0200000000010200000000020800" + "45000044beef2000400187b50a0900010a090002"
            + "0800d0571234000100070e151c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9e0e7eef5fc030a11",
        "0200000000010200000000020800" + "45000044beef2006400187af0a0900010a090002"
            + "181f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b222930373e454c535a61",
        "0200000000010200000000020800" + "45000020beef000c4001a7cd0a0900010a090002"
            + "686f767d848b9299a0a7aeb5",
    };

    /** The stack's echo reply: the same 108 ICMP bytes but type 0, IP id 0, fragmented the same way. */
    static final String[] ECHO_REPLY_FRAGMENTS = {
        "0200000000020200000000010800" + "4500004400002000400146a50a0900020a090001"
            + "0000d8571234000100070e151c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9e0e7eef5fc030a11",
        "0200000000020200000000010800" + "45000044000020064001469f0a0900020a090001"
            + "181f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b222930373e454c535a61",
        "0200000000020200000000010800" + "450000200000000c400166bd0a0900020a090001"
            + "686f767d848b9299a0a7aeb5",
    };

    final ManualClock clock = new ManualClock();

    void start(int mtu) {
        start(mtu, ReassemblyConfig.DEFAULT);
    }

    void start(int mtu, ReassemblyConfig reassembly) {
        InMemoryLink[] pair = InMemoryLink.pair(mtu);
        stack = Stack.builder(pair[0]).clock(clock)
                .ipv4(Ipv4Config.parse("10.9.0.2/24", null).withReassembly(reassembly)).build();
        peer = new RawPeer(pair[1]);
        peer.sendArp(ArpPacket.OP_REQUEST, MacAddress.BROADCAST, 0, PEER, US); // the stack learns the peer
        pump();
        peer.received();
    }


    void sendHex(String hex) {
        byte[] bytes = ByteBufUtil.decodeHexDump(hex);
        ByteBuf b = peer.allocate(bytes.length);
        b.writeBytes(bytes);
        peer.sendFrame(b);
    }

    static String hex(ByteBuf frame) {
        return ByteBufUtil.hexDump(frame);
    }

    @Test
    void aUdpDatagramOverTheMtuLeavesAsByteExactFragments() {
        start(68);
        UdpSocket u = open(4000);
        byte[] payload = new byte[92];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        CompletableFuture<Void> sent = u.sendTo(ByteBuffer.wrap(payload), new InetSocketAddress("10.9.0.1", 5000));
        pump();
        assertThat(sent).isCompleted();
        List<ByteBuf> out = peer.received();
        assertThat(out).extracting(FragmentPathTest::hex).containsExactly(UDP_FRAGMENTS);
        assertThat(stack.counters().ipFragOKs).isEqualTo(1);
        assertThat(stack.counters().ipFragCreates).isEqualTo(3);
        assertThat(stack.counters().udpDatagramsOut).isEqualTo(1);
    }

    @Test
    void aFragmentedEchoRequestIsReassembledAndAnsweredWithByteExactFragments() {
        start(68);
        for (int i = ECHO_REQUEST_FRAGMENTS.length - 1; i >= 0; i--) { // last fragment first
            sendHex(ECHO_REQUEST_FRAGMENTS[i]);
        }
        pump();
        List<ByteBuf> out = peer.received();
        assertThat(out).extracting(FragmentPathTest::hex).containsExactly(ECHO_REPLY_FRAGMENTS);
        assertThat(stack.counters().ipReasmReqds).isEqualTo(3);
        assertThat(stack.counters().ipReasmOKs).isEqualTo(1);
        assertThat(stack.counters().icmpEchoReplies).isEqualTo(1);
        assertThat(stack.iface().ipv4().reassemblingDatagrams()).isZero();
    }

    @Test
    void theInterfacesReassemblyLimitsApply() {
        start(68, ReassemblyConfig.OFF);
        for (String f : ECHO_REQUEST_FRAGMENTS) {
            sendHex(f);
        }
        pump();
        assertThat(peer.received()).isEmpty();
        assertThat(stack.counters().drops(DropReason.FRAGMENT)).isEqualTo(3);
        assertThat(stack.counters().ipReasmOKs).isZero();
    }

    @Test
    void aTimedOutReassemblySendsTimeExceededToThePeer() {
        start(68);
        sendHex(ECHO_REQUEST_FRAGMENTS[0]);
        sendHex(ECHO_REQUEST_FRAGMENTS[2]);
        pump();
        assertThat(stack.iface().ipv4().reassemblingDatagrams()).isEqualTo(1);
        clock.advanceNanos(29_999_000_000L);
        pump();
        assertThat(peer.received()).isEmpty();
        clock.advanceNanos(1_000_000L);
        pump();
        List<ByteBuf> out = peer.received();
        assertThat(out).hasSize(1);
        ByteBuf f = out.get(0);
        Ipv4Packet ip = new Ipv4Packet().wrap(f, EthernetFrame.HEADER_LENGTH, f.readableBytes() - 14);
        assertThat(ip.check()).isEqualTo(DropReason.NONE);
        assertThat(ip.source()).isEqualTo(US);
        assertThat(ip.destination()).isEqualTo(PEER);
        assertThat(ip.protocol()).isEqualTo(Ipv4Packet.PROTOCOL_ICMP);
        Icmpv4Packet icmp = new Icmpv4Packet().wrap(f, ip.payloadOffset(), ip.payloadLength());
        assertThat(icmp.check()).isEqualTo(DropReason.NONE);
        assertThat(icmp.type()).isEqualTo(Icmpv4Packet.TYPE_TIME_EXCEEDED);
        assertThat(icmp.code()).isEqualTo(Icmpv4Packet.CODE_REASSEMBLY_TIME_EXCEEDED);
        assertThat(ByteBufUtil.hexDump(f, icmp.payloadOffset(), icmp.payloadLength()))
                .as("the first fragment's header and 8 bytes of its data")
                .isEqualTo(ECHO_REQUEST_FRAGMENTS[0].substring(28, 28 + 2 * 28));
        assertThat(stack.counters().icmpTimeExceededSent).isEqualTo(1);
        assertThat(stack.counters().ipReasmTimeout).isEqualTo(1);
        assertThat(stack.iface().ipv4().reassemblingDatagrams()).isZero();
        assertThat(stack.iface().ipv4().reassemblyBufferedBytes()).isZero();
    }

    @Test
    void theLargestUdpDatagramGoesOutIn45FragmentsAndOneByteMoreIsMessageTooLong() {
        start(1500);
        UdpSocket u = open(4000);
        InetSocketAddress to = new InetSocketAddress("10.9.0.1", 5000);
        CompletableFuture<Void> sent = u.sendTo(ByteBuffer.allocate(65_507), to);
        pump();
        assertThat(sent).isCompleted();
        List<ByteBuf> out = peer.received();
        assertThat(out).hasSize(45); // 65515 bytes of UDP in 1480-byte pieces
        int expectedOffset = 0;
        for (int i = 0; i < out.size(); i++) {
            ByteBuf f = out.get(i);
            Ipv4Packet ip = new Ipv4Packet().wrap(f, 14, f.readableBytes() - 14);
            assertThat(ip.check()).isEqualTo(DropReason.NONE);
            assertThat(ip.totalLength()).isLessThanOrEqualTo(1500);
            assertThat(ip.fragmentOffset()).isEqualTo(expectedOffset);
            assertThat(ip.moreFragments()).isEqualTo(i < out.size() - 1);
            assertThat(ip.dontFragment()).isFalse();
            expectedOffset += ip.payloadLength();
        }
        assertThat(expectedOffset).isEqualTo(65_515);
        CompletableFuture<Void> tooLong = u.sendTo(ByteBuffer.allocate(65_508), to);
        pump();
        Throwable t = catchThrowable(tooLong::join);
        assertThat(t).isInstanceOf(CompletionException.class).cause().isInstanceOf(WsaException.class);
        assertThat(((WsaException) t.getCause()).error()).isEqualTo(WsaError.WSAEMSGSIZE);
        assertThat(peer.received()).isEmpty();
    }

    @Test
    void aDatagramWithDontFragmentOverTheMtuIsRefusedNotSent() {
        start(1500);
        CompletableFuture<Boolean> sent = stack.call(iface -> {
            IpOutput ip = iface.ipv4();
            ByteBuf tcp = ip.allocate(1500);
            tcp.writeZero(1500 - 20 + 1); // one byte over: TCP always sets DF
            return ip.sendIpv4(tcp, US, PEER, Ipv4Packet.PROTOCOL_TCP, stack.loop().now());
        });
        pump();
        assertThat(sent.join()).isFalse();
        assertThat(peer.received()).isEmpty();
        assertThat(stack.counters().drops(DropReason.MESSAGE_TOO_LONG)).isEqualTo(1);
        assertThat(stack.counters().ipFragFails).isEqualTo(1);
        assertThat(stack.counters().ipFragCreates).isZero();
    }

    @Test
    void aFragmentedDatagramToAClosedPortDrawsPortUnreachableQuotingTheWholeDatagramsHeader() {
        start(68);
        // UDP_FRAGMENTS carry a datagram from 10.9.0.2 to 10.9.0.1: swap the roles by sending the peer's mirror
        ByteBuf udp = PooledByteBufAllocator.DEFAULT.directBuffer(100);
        UdpDatagram.emitHeader(udp, 0, 5000, 4000, 100);
        udp.writerIndex(8).writeZero(92);
        UdpDatagram.fillChecksum(udp, 0, 100, PEER, US);
        sendFragmented(udp, Ipv4Packet.PROTOCOL_UDP, 77, 48);
        pump();
        assertThat(stack.counters().ipReasmOKs).isEqualTo(1);
        List<ByteBuf> out = peer.received();
        assertThat(out).isNotEmpty();
        ByteBuf f = out.get(0);
        Ipv4Packet ip = new Ipv4Packet().wrap(f, 14, f.readableBytes() - 14);
        assertThat(ip.fragmentOffset()).isZero();
        Icmpv4Packet icmp = new Icmpv4Packet().wrap(f, ip.payloadOffset(), 8);
        assertThat(icmp.type()).isEqualTo(Icmpv4Packet.TYPE_DEST_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(Icmpv4Packet.CODE_PORT_UNREACHABLE);
        Ipv4Packet quoted = new Ipv4Packet().wrap(f, icmp.payloadOffset(), 20);
        assertThat(quoted.totalLength()).as("the reassembled datagram's length").isEqualTo(120);
        assertThat(quoted.isFragment()).isFalse();
        assertThat(quoted.identification()).isEqualTo(77);
        assertThat(Checksum.compute(f, icmp.payloadOffset(), 20)).as("a valid header").isZero();
    }

    @Test
    void aFragmentedTcpSegmentReachesTcp() {
        start(1500);
        ByteBuf syn = PooledByteBufAllocator.DEFAULT.directBuffer(40);
        TcpSegment.emitHeader(syn, 0, 40000, 80, 1000, 0, TcpSegment.SYN, 65535, null);
        syn.writerIndex(20).writeZero(20); // 20 bytes of data on the SYN
        TcpSegment.fillChecksum(syn, 0, 40, PEER, US);
        sendFragmented(syn, Ipv4Packet.PROTOCOL_TCP, 78, 24); // 24 + 16 bytes: the header whole in the first
        pump();
        assertThat(stack.counters().ipReasmOKs).isEqualTo(1);
        List<ByteBuf> out = peer.received();
        assertThat(out).hasSize(1);
        ByteBuf f = out.get(0);
        Ipv4Packet ip = new Ipv4Packet().wrap(f, 14, f.readableBytes() - 14);
        TcpSegment rst = new TcpSegment().wrap(f, ip.payloadOffset(), ip.payloadLength());
        assertThat(rst.check(US, PEER)).isEqualTo(DropReason.NONE);
        assertThat(rst.flags() & TcpSegment.RST).as("no listener on port 80: reset").isNotZero();
        assertThat(rst.acknowledgmentNumber()).as("SYN and 20 data bytes acknowledged").isEqualTo(1000 + 1 + 20);
    }

    /** Sends {@code transport} (released) from the peer in fragments of {@code per} data bytes, IP id {@code id}. */
    private void sendFragmented(ByteBuf transport, int protocol, int id, int per) {
        int length = transport.readableBytes();
        for (int off = 0; off < length; off += per) {
            int n = Math.min(per, length - off);
            ByteBuf f = peer.allocate(14 + 20 + n);
            EthernetFrame.emit(f, 0, stack.link().macAddress(), peer.mac, EthernetFrame.TYPE_IPV4);
            Ipv4Packet.emitHeader(f, 14, 0, 20 + n, id, (off + n < length ? Ipv4Packet.FLAG_MF : 0) | off >>> 3, 64,
                    protocol, PEER, US);
            f.writerIndex(34).writeBytes(transport, off, n);
            peer.sendFrame(f);
        }
        transport.release();
    }

    private UdpSocket open(int port) {
        CompletableFuture<UdpSocket> f = stack.openUdp(port);
        pump();
        return f.join();
    }
}
