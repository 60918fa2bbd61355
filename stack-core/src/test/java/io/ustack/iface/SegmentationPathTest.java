/*
 * SegmentationPathTest: a TCP super-segment through the IPv4 and ARP layers to the link (TCP segmentation offload):
 * to a resolved neighbour it reaches Link.transmitTcpSegments whole, with the IPv4 header (total length beyond the
 * MTU) and Ethernet header in front; to a neighbour still being resolved it is cut in software (TcpSegmentation) and
 * the pieces wait for ARP like any packet; a link without offload says so, and cuts what it is given anyway.
 */
package io.ustack.iface;

import io.netty.buffer.ByteBuf;
import io.ustack.api.Stack;
import io.ustack.engine.ManualClock;
import io.ustack.ip.IpOutput;
import io.ustack.ip.Ipv4Config;
import io.ustack.link.ForwardingLink;
import io.ustack.link.InMemoryLink;
import io.ustack.link.Link;
import io.ustack.testing.RawPeer;
import io.ustack.wire.ArpPacket;
import io.ustack.wire.DropReason;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.Ipv4Address;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.MacAddress;
import io.ustack.wire.TcpSegment;
import io.ustack.wire.TcpSegmentation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SegmentationPathTest extends StackWithRawPeer {
    static final int US = Ipv4Address.parse("10.9.0.2");
    static final int PEER = Ipv4Address.parse("10.9.0.1");
    static final int OTHER = Ipv4Address.parse("10.9.0.7");
    static final int GSO = 1000;

    /** A link that says it cuts super-segments, records them (length, gso size), and cuts them in software. */
    static final class OffloadingLink extends ForwardingLink {
        final boolean offload;
        final List<int[]> superSegments = new ArrayList<>();

        OffloadingLink(Link delegate, boolean offload) {
            super(delegate);
            this.offload = offload;
        }

        @Override
        public boolean tcpSegmentationOffload() {
            return offload;
        }

        @Override
        public boolean transmitTcpSegments(ByteBuf frame, int gsoSize) {
            superSegments.add(new int[] {frame.readableBytes(), gsoSize});
            return super.transmitTcpSegments(frame, gsoSize); // Link's default: cut in software
        }
    }

    private final ManualClock clock = new ManualClock();
    private OffloadingLink link;

    private void start(boolean offload) {
        InMemoryLink[] pair = InMemoryLink.pair(1500);
        link = new OffloadingLink(pair[0], offload);
        stack = Stack.builder(link).clock(clock).ipv4(Ipv4Config.parse("10.9.0.2/24", null)).build();
        peer = new RawPeer(pair[1]);
        peer.sendArp(ArpPacket.OP_REQUEST, MacAddress.BROADCAST, 0, PEER, US); // the stack learns the peer
        pump();
        peer.received(); // the ARP reply (the peer's copies are released when it closes)
    }

    /** Has the stack send a TCP super-segment of {@code payload} bytes (seq 100) to {@code dst}, cut at GSO. */
    private boolean sendSuperSegment(int dst, int payload) {
        boolean sent = stack.call(iface -> {
            IpOutput ip = iface.ipv4();
            ByteBuf tcp = ip.allocate(20 + payload);
            int start = tcp.writerIndex();
            TcpSegment.emitHeader(tcp, start, 40000, 80, 100, 7, TcpSegment.ACK | TcpSegment.PSH, 1000, null);
            tcp.writerIndex(start + 20);
            for (int i = 0; i < payload; i++) {
                tcp.writeByte(i);
            }
            tcp.setShort(start + TcpSegment.CHECKSUM_OFFSET, TcpSegmentation.partialChecksum(US, dst, 20 + payload));
            return ip.sendTcpSegments(tcp, US, dst, GSO, stack.loop().now());
        }).join();
        pump();
        return sent;
    }

    /** Checks the frames are the pieces of the super-segment to {@code dst}, in order. */
    private static void assertPieces(List<ByteBuf> frames, int dst, int payload) {
        assertThat(frames).hasSize((payload + GSO - 1) / GSO);
        Ipv4Packet ip = new Ipv4Packet();
        TcpSegment tcp = new TcpSegment();
        int at = 0;
        for (ByteBuf f : frames) {
            assertThat(f.getUnsignedShort(f.readerIndex() + 12)).isEqualTo(EthernetFrame.TYPE_IPV4);
            ip.wrap(f, f.readerIndex() + 14, f.readableBytes() - 14);
            assertThat(ip.check()).isEqualTo(DropReason.NONE);
            assertThat(ip.destination()).isEqualTo(dst);
            assertThat(ip.totalLength()).isLessThanOrEqualTo(1500);
            tcp.wrap(f, ip.payloadOffset(), ip.payloadLength());
            assertThat(tcp.check(US, dst)).isEqualTo(DropReason.NONE);
            assertThat(tcp.sequenceNumber()).isEqualTo(100 + at);
            assertThat(f.getByte(tcp.payloadOffset())).isEqualTo((byte) at);
            at += tcp.payloadLength();
        }
        assertThat(at).isEqualTo(payload);
    }

    @Test
    void toAResolvedNeighbourTheSuperSegmentReachesTheLinkWhole() {
        start(true);
        assertThat(stack.call(iface -> iface.ipv4().tcpSegmentationOffload()).join()).isTrue();
        int payload = 40 * GSO + 123;
        long framesBefore = stack.counters().framesOut;
        assertThat(sendSuperSegment(PEER, payload)).isTrue();
        assertThat(link.superSegments).hasSize(1);
        assertThat(link.superSegments.getFirst()).containsExactly(14 + 20 + 20 + payload, GSO);
        assertThat(stack.counters().framesOut - framesBefore).as("one frame to the link").isEqualTo(1);
        assertPieces(peer.received(), PEER, payload);
    }

    @Test
    void toANeighbourBeingResolvedItIsCutAndThePiecesWaitForArp() {
        start(true);
        int payload = 5 * GSO;
        assertThat(sendSuperSegment(OTHER, payload)).isTrue();
        List<ByteBuf> request = peer.received();
        assertThat(request).hasSize(1); // the ARP request; the pieces wait
        assertThat(request.getFirst().getUnsignedShort(12)).isEqualTo(EthernetFrame.TYPE_ARP);
        peer.sendArp(ArpPacket.OP_REPLY, stack.link().macAddress(), stack.link().macAddress(), OTHER, US);
        pump();
        assertPieces(peer.received(), OTHER, payload);
        assertThat(link.superSegments).isEmpty();
    }

    @Test
    void aLinkWithoutOffloadSaysSoAndStillCutsWhatItIsGiven() {
        start(false);
        assertThat(stack.call(iface -> iface.ipv4().tcpSegmentationOffload()).join()).isFalse();
        int payload = 3 * GSO + 1;
        assertThat(sendSuperSegment(PEER, payload)).isTrue();
        assertPieces(peer.received(), PEER, payload);
    }
}
