/*
 * RawPeer: the far end of an in-memory link driven by hand: a test writes exact frames at a stack and reads back the
 * stack's frames, to check wire behaviour (ARP, ICMP, UDP, TCP) byte by byte.
 */
package io.ustack.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ustack.link.InMemoryLink;
import io.ustack.wire.ArpPacket;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.Ipv4Packet;

import java.util.ArrayList;
import java.util.List;

/** A hand-driven Ethernet peer. Frames it receives are copied (the test releases them via {@link #close()}). */
public final class RawPeer implements AutoCloseable {
    public final InMemoryLink link;
    public final long mac;
    private final List<ByteBuf> kept = new ArrayList<>();

    public RawPeer(InMemoryLink link) {
        this.link = link;
        this.mac = link.macAddress();
    }

    public ByteBuf allocate(int size) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(size);
    }

    public void sendArp(int op, long dstMac, long tha, int spa, int tpa) {
        ByteBuf b = allocate(60);
        EthernetFrame.emit(b, 0, dstMac, mac, EthernetFrame.TYPE_ARP);
        ArpPacket.emit(b, EthernetFrame.HEADER_LENGTH, op, mac, spa, tha, tpa);
        b.writerIndex(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH);
        link.transmit(b);
    }

    /** Sends an IPv4 packet around {@code transport}'s readable bytes (which the call releases). */
    public void sendIpv4(long dstMac, int src, int dst, int protocol, ByteBuf transport) {
        int len = transport.readableBytes();
        ByteBuf b = allocate(EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH + len);
        EthernetFrame.emit(b, 0, dstMac, mac, EthernetFrame.TYPE_IPV4);
        Ipv4Packet.emitHeader(b, EthernetFrame.HEADER_LENGTH, src, dst, protocol, len, 64, 1, false);
        b.writerIndex(EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH);
        b.writeBytes(transport);
        transport.release();
        link.transmit(b);
    }

    public void sendFrame(ByteBuf frame) {
        link.transmit(frame);
    }

    /** Frames the stack sent since the last call (copies, kept until close). */
    public List<ByteBuf> received() {
        List<ByteBuf> out = new ArrayList<>();
        link.receive(f -> {
            ByteBuf c = f.copy();
            kept.add(c);
            out.add(c);
        }, Integer.MAX_VALUE);
        return out;
    }

    @Override
    public void close() {
        for (ByteBuf b : kept) {
            b.release();
        }
        kept.clear();
        link.close();
    }
}
