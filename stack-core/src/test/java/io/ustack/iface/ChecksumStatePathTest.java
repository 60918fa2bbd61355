/*
 * ChecksumStatePathTest: the per-frame transport checksum state (ChecksumState, after Linux's skb->ip_summed) through
 * NetworkInterface, Ipv4Layer, TCP and UDP input: a frame the link marks PARTIAL (VIRTIO_NET_HDR_F_NEEDS_CSUM) or
 * UNNECESSARY (VIRTIO_NET_HDR_F_DATA_VALID) is accepted with a TCP/UDP checksum that does not verify; the same
 * frame unmarked is dropped and counted as BAD_CHECKSUM (RFC 9293 3.1, RFC 768). The IPv4 header checksum is
 * verified whatever the mark.
 */
package io.ustack.iface;

import io.netty.buffer.ByteBuf;
import io.ustack.api.Stack;
import io.ustack.engine.ManualClock;
import io.ustack.link.ChecksumState;
import io.ustack.link.InMemoryLink;
import io.ustack.testing.ChecksumStateLink;
import io.ustack.testing.RawPeer;
import io.ustack.wire.ArpPacket;
import io.ustack.wire.DropReason;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.Icmpv4Packet;
import io.ustack.wire.Ipv4Address;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.MacAddress;
import io.ustack.wire.TcpSegment;
import io.ustack.wire.UdpDatagram;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChecksumStatePathTest extends StackWithRawPeer {
    static final int US = Ipv4Address.parse("10.9.0.2");
    static final int PEER = Ipv4Address.parse("10.9.0.1");
    /** Not the checksum of anything below: the sum of a segment or datagram with it does not verify. */
    static final int WRONG = 0x1234;

    ChecksumStateLink marking;
    long stackMac;

    @BeforeEach
    void setUp() {
        InMemoryLink[] pair = InMemoryLink.pair(1500);
        marking = new ChecksumStateLink(pair[0], ChecksumState.NONE);
        stack = Stack.builder(marking).clock(new ManualClock()).ipv4("10.9.0.2/24").build();
        peer = new RawPeer(pair[1]);
        stackMac = pair[0].macAddress();
        peer.sendArp(ArpPacket.OP_REQUEST, MacAddress.BROADCAST, 0, PEER, US);
        pump();
        peer.received();
    }

    @ParameterizedTest
    @EnumSource(value = ChecksumState.class, names = {"PARTIAL", "UNNECESSARY"})
    void aMarkedTcpSegmentWithAWrongChecksumIsAccepted(ChecksumState state) {
        marking.state = state;
        peer.sendIpv4(stackMac, PEER, US, Ipv4Packet.PROTOCOL_TCP, synTo(80));
        pump();
        // no listener on port 80: an accepted SYN is answered with RST,ACK (RFC 9293 3.10.7.1)
        List<ByteBuf> out = peer.received();
        assertThat(out).hasSize(1);
        TcpSegment rst = new TcpSegment().wrap(out.get(0), 34, out.get(0).readableBytes() - 34);
        assertThat(rst.check(US, PEER)).as("our answer has a complete checksum").isEqualTo(DropReason.NONE);
        assertThat(rst.flags() & (TcpSegment.RST | TcpSegment.ACK)).isEqualTo(TcpSegment.RST | TcpSegment.ACK);
        assertThat(stack.counters().drops(DropReason.BAD_CHECKSUM)).isZero();
    }

    @Test
    void theSameSegmentUnmarkedIsDroppedAndCounted() {
        peer.sendIpv4(stackMac, PEER, US, Ipv4Packet.PROTOCOL_TCP, synTo(80));
        pump();
        assertThat(peer.received()).isEmpty();
        assertThat(stack.counters().drops(DropReason.BAD_CHECKSUM)).isEqualTo(1);
    }

    @Test
    void aMarkedUdpDatagramWithAWrongChecksumIsAcceptedAndUnmarkedDropped() {
        marking.state = ChecksumState.PARTIAL;
        peer.sendIpv4(stackMac, PEER, US, Ipv4Packet.PROTOCOL_UDP, udpTo(7000));
        pump();
        // closed port: the accepted datagram is answered with ICMP port unreachable
        List<ByteBuf> out = peer.received();
        assertThat(out).hasSize(1);
        assertThat((int) out.get(0).getUnsignedByte(34)).isEqualTo(Icmpv4Packet.TYPE_DEST_UNREACHABLE);
        assertThat(stack.counters().drops(DropReason.BAD_CHECKSUM)).isZero();

        marking.state = ChecksumState.NONE;
        peer.sendIpv4(stackMac, PEER, US, Ipv4Packet.PROTOCOL_UDP, udpTo(7000));
        pump();
        assertThat(peer.received()).isEmpty();
        assertThat(stack.counters().drops(DropReason.BAD_CHECKSUM)).isEqualTo(1);
    }

    @Test
    void theIpv4HeaderChecksumIsVerifiedWhateverTheMark() {
        marking.state = ChecksumState.PARTIAL;
        ByteBuf transport = synTo(80);
        int len = transport.readableBytes();
        ByteBuf frame = peer.allocate(EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH + len);
        EthernetFrame.emit(frame, 0, stackMac, peer.mac, EthernetFrame.TYPE_IPV4);
        Ipv4Packet.emitHeader(frame, EthernetFrame.HEADER_LENGTH, PEER, US, Ipv4Packet.PROTOCOL_TCP, len, 64, 1,
                false);
        frame.setShort(EthernetFrame.HEADER_LENGTH + 10, frame.getUnsignedShort(EthernetFrame.HEADER_LENGTH + 10) ^ 1);
        frame.writerIndex(EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH);
        frame.writeBytes(transport);
        transport.release();
        peer.sendFrame(frame);
        pump();
        assertThat(peer.received()).isEmpty();
        assertThat(stack.counters().drops(DropReason.BAD_CHECKSUM)).isEqualTo(1);
    }

    /** A SYN from PEER:40000 with a checksum field that does not verify. */
    private ByteBuf synTo(int port) {
        ByteBuf b = peer.allocate(TcpSegment.MIN_HEADER_LENGTH);
        int hl = TcpSegment.emitHeader(b, 0, 40000, port, 1000, 0, TcpSegment.SYN, 65535, null);
        b.writerIndex(hl);
        b.setShort(TcpSegment.CHECKSUM_OFFSET, WRONG);
        return b;
    }

    /** A datagram from PEER:5555 with 5 bytes and a checksum field that does not verify (nor is 0). */
    private ByteBuf udpTo(int port) {
        ByteBuf b = peer.allocate(UdpDatagram.HEADER_LENGTH + 5);
        UdpDatagram.emitHeader(b, 0, 5555, port, UdpDatagram.HEADER_LENGTH + 5);
        b.writerIndex(UdpDatagram.HEADER_LENGTH);
        b.writeBytes(new byte[] {1, 2, 3, 4, 5});
        b.setShort(UdpDatagram.CHECKSUM_OFFSET, WRONG);
        return b;
    }
}
