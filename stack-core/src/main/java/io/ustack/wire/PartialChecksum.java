/*
 * PartialChecksum: completes the transport checksum of a frame whose TCP or UDP checksum field holds only the
 * pseudo-header sum, as a NIC does for a CHECKSUM_PARTIAL packet (virtio spec 1.x section 5.1.6.2: "the device ...
 * MUST ... compute the checksum from csum_start to the end of the packet and store it at csum_start + csum_offset";
 * for TCP and UDP over IPv4, csum_start is the transport header and the field was pre-filled with the pseudo-header
 * sum, RFC 9293 3.1 / RFC 768). Used by PcapLink so that a capture of an offloading TAP shows correct checksums.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/** Finds the transport header of an IPv4 frame and completes its checksum in place. Reusable; not thread-safe. */
public final class PartialChecksum {
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();

    /**
     * Completes the TCP or UDP checksum of the frame ({@code length} bytes at {@code offset}; an Ethernet II frame if
     * {@code ethernet}, else a bare IP packet). Anything else (not IPv4, a fragment, a bad IPv4 header, a transport
     * header cut short) is left as it is.
     *
     * @return true if a checksum was written
     */
    public boolean complete(ByteBuf buf, int offset, int length, boolean ethernet) {
        int at = offset;
        int left = length;
        if (ethernet) {
            if (eth.wrap(buf, offset, length).check() != DropReason.NONE
                    || eth.etherType() != EthernetFrame.TYPE_IPV4) {
                return false;
            }
            at = eth.payloadOffset();
            left = eth.payloadLength();
        }
        if (left < Ipv4Packet.MIN_HEADER_LENGTH || ip.wrap(buf, at, left).check() != DropReason.NONE
                || ip.isFragment()) {
            return false;
        }
        int start = ip.payloadOffset();
        int transportLength = ip.payloadLength();
        int field;
        if (ip.protocol() == Ipv4Packet.PROTOCOL_TCP && transportLength >= TcpSegment.MIN_HEADER_LENGTH) {
            field = start + TcpSegment.CHECKSUM_OFFSET;
        } else if (ip.protocol() == Ipv4Packet.PROTOCOL_UDP && transportLength >= UdpDatagram.HEADER_LENGTH) {
            field = start + UdpDatagram.CHECKSUM_OFFSET;
        } else {
            return false;
        }
        // the field's pseudo-header sum is part of the range summed, as the device's computation has it
        int checksum = Checksum.compute(buf, start, transportLength);
        if (checksum == 0 && ip.protocol() == Ipv4Packet.PROTOCOL_UDP) {
            checksum = 0xffff; // RFC 768: a computed 0 is sent as all ones
        }
        buf.setShort(field, checksum);
        return true;
    }
}
