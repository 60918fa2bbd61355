/*
 * UdpDatagram: a flyweight view of a UDP datagram (RFC 768), checksum over the IPv4 pseudo-header.
 * The view covers the IPv4 payload; the UDP length field says how much of it is the datagram.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Source Port          |       Destination Port        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |            Length             |           Checksum            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                          data ...                             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   A transmitted checksum of 0 means "no checksum" (IPv4 only); a computed 0 is sent as 0xffff.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/** Reusable view of a UDP datagram. {@link #wrap} then {@link #check}; then accessors never throw. */
public final class UdpDatagram {
    public static final int HEADER_LENGTH = 8;

    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int CHECKSUM_OFFSET = 6;

    private ByteBuf buf;
    private int offset;
    private int length;

    public UdpDatagram() {}

    /** Points this view at {@code length} bytes (the IP payload) at absolute {@code offset}. */
    public UdpDatagram wrap(ByteBuf buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * TRUNCATED (under 8 bytes), BAD_LENGTH (length field under 8 or beyond the bytes), BAD_CHECKSUM (non-zero
     * checksum that does not verify over the pseudo-header and the length-field bytes), else NONE.
     */
    public DropReason check(int srcIp, int dstIp) {
        return check(srcIp, dstIp, true);
    }

    /**
     * As {@link #check(int, int)}; with {@code verifyChecksum} false the checksum is not looked at (the link vouched
     * for it: a device verified it, or it is a partial checksum of a frame that never crossed a wire).
     */
    public DropReason check(int srcIp, int dstIp, boolean verifyChecksum) {
        if (length < HEADER_LENGTH) {
            return DropReason.TRUNCATED;
        }
        int udpLength = length();
        if (udpLength < HEADER_LENGTH || udpLength > length) {
            return DropReason.BAD_LENGTH;
        }
        if (verifyChecksum && checksum() != 0) {
            int sum = Checksum.pseudoHeaderV4(srcIp, dstIp, Ipv4Packet.PROTOCOL_UDP, udpLength);
            if (Checksum.finish(Checksum.sum(buf, offset, udpLength, sum)) != 0) {
                return DropReason.BAD_CHECKSUM;
            }
        }
        return DropReason.NONE;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    public int sourcePort() {
        return buf.getUnsignedShort(offset + SOURCE_PORT_OFFSET);
    }

    public int destinationPort() {
        return buf.getUnsignedShort(offset + DESTINATION_PORT_OFFSET);
    }

    /** The length field: header plus data. */
    public int length() {
        return buf.getUnsignedShort(offset + LENGTH_OFFSET);
    }

    public int checksum() {
        return buf.getUnsignedShort(offset + CHECKSUM_OFFSET);
    }

    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** Length field minus 8. */
    public int payloadLength() {
        return length() - HEADER_LENGTH;
    }

    /** Writes the 8-byte header with the checksum zeroed; {@code length} is header plus data. */
    public static void emitHeader(ByteBuf buf, int offset, int srcPort, int dstPort, int length) {
        buf.setShort(offset + SOURCE_PORT_OFFSET, srcPort);
        buf.setShort(offset + DESTINATION_PORT_OFFSET, dstPort);
        buf.setShort(offset + LENGTH_OFFSET, length);
        buf.setShort(offset + CHECKSUM_OFFSET, 0);
    }

    /** Computes and stores the checksum of the {@code length}-byte datagram; a computed 0 is stored as 0xffff. */
    public static void fillChecksum(ByteBuf buf, int offset, int length, int srcIp, int dstIp) {
        buf.setShort(offset + CHECKSUM_OFFSET, 0);
        int sum = Checksum.pseudoHeaderV4(srcIp, dstIp, Ipv4Packet.PROTOCOL_UDP, length);
        int c = Checksum.finish(Checksum.sum(buf, offset, length, sum));
        buf.setShort(offset + CHECKSUM_OFFSET, c == 0 ? 0xffff : c);
    }
}
