package io.ustack.iface;

import io.netty.buffer.ByteBuf;
import io.ustack.api.Datagram;
import io.ustack.api.Stack;
import io.ustack.api.UdpSocket;
import io.ustack.engine.ManualClock;
import io.ustack.link.InMemoryLink;
import io.ustack.testing.RawPeer;
import io.ustack.wire.ArpPacket;
import io.ustack.wire.DropReason;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.Icmpv4Packet;
import io.ustack.wire.Ipv4Address;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.MacAddress;
import io.ustack.wire.UdpDatagram;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** ARP, ICMP and UDP of one stack, checked frame by frame against a hand-driven peer. */
class Ipv4PathTest extends StackWithRawPeer {
    static final int US = Ipv4Address.parse("10.9.0.2");
    static final int PEER = Ipv4Address.parse("10.9.0.1");

    ManualClock clock = new ManualClock();
    long stackMac;

    @BeforeEach
    void setUp() {
        InMemoryLink[] pair = InMemoryLink.pair(1500);
        stack = Stack.builder(pair[0]).clock(clock).ipv4("10.9.0.2/24").build();
        peer = new RawPeer(pair[1]);
        stackMac = pair[0].macAddress();
    }


    @Test
    void answersArpRequestForItsAddressAndLearnsTheAsker() {
        peer.sendArp(ArpPacket.OP_REQUEST, MacAddress.BROADCAST, 0, PEER, US);
        pump();
        List<ByteBuf> out = peer.received();
        assertThat(out).hasSize(1);
        EthernetFrame eth = new EthernetFrame().wrap(out.get(0), 0, out.get(0).readableBytes());
        assertThat(eth.etherType()).isEqualTo(EthernetFrame.TYPE_ARP);
        assertThat(eth.destination()).isEqualTo(peer.mac);
        ArpPacket arp = new ArpPacket().wrap(out.get(0), 14, out.get(0).readableBytes() - 14);
        assertThat(arp.check()).isEqualTo(DropReason.NONE);
        assertThat(arp.operation()).isEqualTo(ArpPacket.OP_REPLY);
        assertThat(arp.senderProtocol()).isEqualTo(US);
        assertThat(arp.senderHardware()).isEqualTo(stackMac);
        assertThat(arp.targetProtocol()).isEqualTo(PEER);
        assertThat(stack.iface().arp().cached(PEER)).isEqualTo(peer.mac);
    }

    @Test
    void ignoresArpForOtherAddresses() {
        peer.sendArp(ArpPacket.OP_REQUEST, MacAddress.BROADCAST, 0, PEER, Ipv4Address.parse("10.9.0.77"));
        pump();
        assertThat(peer.received()).isEmpty();
        assertThat(stack.iface().arp().cached(PEER)).isEqualTo(-1);
    }

    @Test
    void answersPingWithTheSameIdentifierSequenceAndData() {
        ByteBuf icmp = peer.allocate(64);
        Icmpv4Packet.emitHeader(icmp, 0, Icmpv4Packet.TYPE_ECHO_REQUEST, 0, 0x1234_0007);
        icmp.writerIndex(8);
        icmp.writeBytes("ping payload".getBytes(StandardCharsets.US_ASCII));
        Icmpv4Packet.fillChecksum(icmp, 0, icmp.readableBytes());
        learnPeer();
        peer.sendIpv4(stackMac, PEER, US, Ipv4Packet.PROTOCOL_ICMP, icmp);
        pump();
        List<ByteBuf> out = peer.received();
        assertThat(out).hasSize(1);
        Ipv4Packet ip = new Ipv4Packet().wrap(out.get(0), 14, out.get(0).readableBytes() - 14);
        assertThat(ip.check()).isEqualTo(DropReason.NONE);
        assertThat(ip.source()).isEqualTo(US);
        assertThat(ip.destination()).isEqualTo(PEER);
        Icmpv4Packet reply = new Icmpv4Packet().wrap(out.get(0), ip.payloadOffset(), ip.payloadLength());
        assertThat(reply.check()).isEqualTo(DropReason.NONE);
        assertThat(reply.type()).isEqualTo(Icmpv4Packet.TYPE_ECHO_REPLY);
        assertThat(reply.identifier()).isEqualTo(0x1234);
        assertThat(reply.sequence()).isEqualTo(7);
        assertThat(out.get(0).toString(reply.payloadOffset(), reply.payloadLength(), StandardCharsets.US_ASCII))
                .isEqualTo("ping payload");
        assertThat(stack.counters().icmpEchoReplies).isEqualTo(1);
    }

    @Test
    void resolvesTheNextHopByArpBeforeSendingAndQueuesMeanwhile() {
        UdpSocket u = open(4000);
        CompletableFuture<Void> sent = u.sendTo(ByteBuffer.wrap(new byte[] {1, 2, 3}),
                new java.net.InetSocketAddress("10.9.0.1", 5000));
        pump();
        assertThat(sent).isCompleted();
        List<ByteBuf> out = peer.received();
        assertThat(out).hasSize(1);
        ArpPacket req = new ArpPacket().wrap(out.get(0), 14, 28);
        assertThat(req.operation()).isEqualTo(ArpPacket.OP_REQUEST);
        assertThat(req.targetProtocol()).isEqualTo(PEER);
        peer.sendArp(ArpPacket.OP_REPLY, stackMac, stackMac, PEER, US);
        pump();
        out = peer.received();
        assertThat(out).hasSize(1);
        Ipv4Packet ip = new Ipv4Packet().wrap(out.get(0), 14, out.get(0).readableBytes() - 14);
        assertThat(ip.protocol()).isEqualTo(Ipv4Packet.PROTOCOL_UDP);
        UdpDatagram udp = new UdpDatagram().wrap(out.get(0), ip.payloadOffset(), ip.payloadLength());
        assertThat(udp.check(US, PEER)).isEqualTo(DropReason.NONE);
        assertThat(udp.sourcePort()).isEqualTo(4000);
        assertThat(udp.destinationPort()).isEqualTo(5000);
        assertThat(udp.payloadLength()).isEqualTo(3);
    }

    @Test
    void arpGivesUpAfterThreeRequestsAndDropsTheQueuedPackets() {
        UdpSocket u = open(4000);
        u.sendTo(ByteBuffer.wrap(new byte[] {1}), new java.net.InetSocketAddress("10.9.0.1", 5000));
        pump();
        for (int i = 0; i < 5; i++) {
            clock.advanceNanos(1_000_000_000L);
            pump();
        }
        assertThat(peer.received()).hasSize(3);
        assertThat(stack.counters().drops(DropReason.ARP_UNRESOLVED)).isEqualTo(1);
        assertThat(stack.iface().arp().cached(PEER)).isEqualTo(-1);
    }

    @Test
    void deliversUdpToABoundSocketAndAnswersClosedPortsWithIcmpPortUnreachable() {
        UdpSocket u = open(7000);
        CompletableFuture<Datagram> rx = u.receive();
        learnPeer();
        peer.sendIpv4(stackMac, PEER, US, Ipv4Packet.PROTOCOL_UDP, udp(5555, 7000, "hello"));
        peer.sendIpv4(stackMac, PEER, US, Ipv4Packet.PROTOCOL_UDP, udp(5555, 7001, "nobody"));
        pump();
        assertThat(rx).isCompleted();
        Datagram d = rx.join();
        assertThat(StandardCharsets.US_ASCII.decode(d.data()).toString()).isEqualTo("hello");
        assertThat(d.source().getPort()).isEqualTo(5555);
        List<ByteBuf> out = peer.received();
        assertThat(out).hasSize(1);
        Ipv4Packet ip = new Ipv4Packet().wrap(out.get(0), 14, out.get(0).readableBytes() - 14);
        Icmpv4Packet icmp = new Icmpv4Packet().wrap(out.get(0), ip.payloadOffset(), ip.payloadLength());
        assertThat(icmp.check()).isEqualTo(DropReason.NONE);
        assertThat(icmp.type()).isEqualTo(Icmpv4Packet.TYPE_DEST_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(Icmpv4Packet.CODE_PORT_UNREACHABLE);
        // the quote starts with the offending IP header: its destination port 7001 is at 20 + 2
        assertThat(out.get(0).getUnsignedShort(icmp.payloadOffset() + 22)).isEqualTo(7001);
    }

    @Test
    void malformedPacketsAreCountedAndDroppedNotThrown() {
        learnPeer();
        ByteBuf bad = peer.allocate(60);
        EthernetFrame.emit(bad, 0, stackMac, peer.mac, EthernetFrame.TYPE_IPV4);
        Ipv4Packet.emitHeader(bad, 14, PEER, US, Ipv4Packet.PROTOCOL_UDP, 8, 64, 1, false);
        bad.setByte(14 + 10, bad.getByte(14 + 10) ^ 0x55); // corrupt the header checksum
        bad.writerIndex(14 + 28);
        peer.sendFrame(bad);
        ByteBuf runt = peer.allocate(10);
        runt.writeZero(10);
        peer.sendFrame(runt);
        ByteBuf badUdp = udp(1, 7000, "x");
        badUdp.setShort(6, badUdp.getUnsignedShort(6) ^ 0xff);
        peer.sendIpv4(stackMac, PEER, US, Ipv4Packet.PROTOCOL_UDP, badUdp);
        pump();
        assertThat(stack.counters().drops(DropReason.BAD_CHECKSUM)).isEqualTo(2);
        assertThat(stack.counters().drops(DropReason.TRUNCATED)).isEqualTo(1);
        assertThat(peer.received()).isEmpty();
    }

    @Test
    void framesForAnotherMacAreNotForUs() {
        ByteBuf icmp = peer.allocate(8);
        Icmpv4Packet.emitHeader(icmp, 0, Icmpv4Packet.TYPE_ECHO_REQUEST, 0, 0);
        icmp.writerIndex(8);
        Icmpv4Packet.fillChecksum(icmp, 0, 8);
        peer.sendIpv4(0x02_00_00_00_99_99L, PEER, US, Ipv4Packet.PROTOCOL_ICMP, icmp);
        pump();
        assertThat(peer.received()).isEmpty();
        assertThat(stack.counters().drops(DropReason.NOT_FOR_US)).isEqualTo(1);
    }

    private ByteBuf udp(int srcPort, int dstPort, String text) {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuf b = peer.allocate(8 + data.length);
        UdpDatagram.emitHeader(b, 0, srcPort, dstPort, 8 + data.length);
        b.writerIndex(8);
        b.writeBytes(data);
        UdpDatagram.fillChecksum(b, 0, 8 + data.length, PEER, US);
        return b;
    }

    private void learnPeer() {
        peer.sendArp(ArpPacket.OP_REQUEST, MacAddress.BROADCAST, 0, PEER, US);
        pump();
        peer.received();
    }

    private UdpSocket open(int port) {
        CompletableFuture<UdpSocket> f = stack.openUdp(port);
        pump();
        return f.join();
    }
}
