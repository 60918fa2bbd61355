/*
 * Ipv4Fragmenter: IPv4 fragmentation on output (RFC 791 section 3.2 "fragmentation", RFC 1122 3.3.3): a datagram
 * longer than the MTU, DF clear, is sent as fragments whose data are multiples of 8 octets (all but the last), each
 * with the datagram's header, MF set on all but the last, and the fragment offset in 8-octet units. This stack sends
 * no IP options, so there is no option copying to do (RFC 791's copy flag).
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;
import io.ustack.engine.StackCounters;
import io.ustack.wire.Ipv4Packet;

/** Splits a datagram into fragments and hands each to the IP layer's transmission. Engine thread only. */
final class Ipv4Fragmenter {
    /** Where fragments go: a packet whose readable bytes start at its IPv4 header (link head room in front). */
    @FunctionalInterface
    interface Transmitter {
        /** Takes ownership of {@code packet}; false if it was dropped. */
        boolean transmit(ByteBuf packet, int dst, int nextHop, boolean multicastDst, long now);
    }

    private final IpOutput buffers;
    private final StackCounters counters;
    private final Ipv4Packet view = new Ipv4Packet();

    Ipv4Fragmenter(IpOutput buffers, StackCounters counters) {
        this.buffers = buffers;
        this.counters = counters;
    }

    /** Data octets per fragment for an MTU and header length: what fits, rounded down to a multiple of 8. */
    static int fragmentData(int mtu, int headerLength) {
        return (mtu - headerLength) & ~7;
    }

    /**
     * Sends {@code datagram} (readable bytes: an option-less IPv4 header, checksum filled, and its data) as fragments
     * of at most {@code mtu} bytes through {@code out}; takes ownership of {@code datagram}. Stops at the first
     * fragment that could not be sent (the rest could not be reassembled anyway).
     *
     * @return true if every fragment was transmitted or queued
     */
    boolean fragment(ByteBuf datagram, int mtu, int nextHop, boolean multicastDst, long now, Transmitter out) {
        try {
            Ipv4Packet ip = view.wrap(datagram, datagram.readerIndex(), datagram.readableBytes());
            int headerLength = Ipv4Packet.MIN_HEADER_LENGTH; // the IP layer emits no options
            int dataLength = ip.payloadLength();
            int per = fragmentData(mtu, headerLength);
            if (per <= 0) {
                counters.ipFragFails++;
                return false;
            }
            int tos = ip.dscp() << 2 | ip.ecn();
            int identification = ip.identification();
            int ttl = ip.ttl();
            int protocol = ip.protocol();
            int src = ip.source();
            int dst = ip.destination();
            int data = ip.payloadOffset();
            for (int offset = 0; offset < dataLength; offset += per) {
                int length = Math.min(per, dataLength - offset);
                boolean last = offset + length == dataLength;
                ByteBuf f = buffers.allocate(headerLength + length);
                int at = f.writerIndex();
                Ipv4Packet.emitHeader(f, at, tos, headerLength + length, identification,
                        (last ? 0 : Ipv4Packet.FLAG_MF) | (offset >>> 3), ttl, protocol, src, dst);
                f.writerIndex(at + headerLength);
                f.writeBytes(datagram, data + offset, length);
                counters.ipFragCreates++;
                if (!out.transmit(f, dst, nextHop, multicastDst, now)) {
                    counters.ipFragFails++;
                    return false;
                }
            }
            counters.ipFragOKs++;
            return true;
        } finally {
            datagram.release();
        }
    }
}
