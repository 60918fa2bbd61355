/*
 * ArpPacket: a flyweight view of an ARP packet for IPv4 over Ethernet (RFC 826; operation codes RFC 5494).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Hardware type (1)         |     Protocol type (0x0800)    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  HLEN (6)     |  PLEN (4)     |          Operation            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |              Sender hardware address (6 bytes)                |
 *   +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                               | Sender protocol address (4)   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *   |                               |                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *   |              Target hardware address (6 bytes)                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |              Target protocol address (4 bytes)                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/** Reusable view of an Ethernet/IPv4 ARP packet. {@link #wrap} then {@link #check}; then accessors never throw. */
public final class ArpPacket {
    public static final int LENGTH = 28;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;
    public static final int HTYPE_ETHERNET = 1;
    public static final int PTYPE_IPV4 = 0x0800;

    public static final int HTYPE_OFFSET = 0;
    public static final int PTYPE_OFFSET = 2;
    public static final int HLEN_OFFSET = 4;
    public static final int PLEN_OFFSET = 5;
    public static final int OPERATION_OFFSET = 6;
    public static final int SHA_OFFSET = 8;
    public static final int SPA_OFFSET = 14;
    public static final int THA_OFFSET = 18;
    public static final int TPA_OFFSET = 24;

    private ByteBuf buf;
    private int offset;
    private int length;

    public ArpPacket() {}

    /** Points this view at {@code length} bytes at absolute {@code offset}; touches no indexes, checks nothing. */
    public ArpPacket wrap(ByteBuf buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** TRUNCATED if under 28 bytes; BAD_VERSION unless Ethernet (1) / IPv4 (0x0800) with lengths 6 and 4. */
    public DropReason check() {
        if (length < LENGTH) {
            return DropReason.TRUNCATED;
        }
        if (hardwareType() != HTYPE_ETHERNET || protocolType() != PTYPE_IPV4
                || buf.getUnsignedByte(offset + HLEN_OFFSET) != 6 || buf.getUnsignedByte(offset + PLEN_OFFSET) != 4) {
            return DropReason.BAD_VERSION;
        }
        return DropReason.NONE;
    }

    public int hardwareType() {
        return buf.getUnsignedShort(offset + HTYPE_OFFSET);
    }

    public int protocolType() {
        return buf.getUnsignedShort(offset + PTYPE_OFFSET);
    }

    public int operation() {
        return buf.getUnsignedShort(offset + OPERATION_OFFSET);
    }

    public long senderHardware() {
        return MacAddress.get(buf, offset + SHA_OFFSET);
    }

    public int senderProtocol() {
        return buf.getInt(offset + SPA_OFFSET);
    }

    public long targetHardware() {
        return MacAddress.get(buf, offset + THA_OFFSET);
    }

    public int targetProtocol() {
        return buf.getInt(offset + TPA_OFFSET);
    }

    /** Writes a 28-byte Ethernet/IPv4 ARP packet at absolute {@code offset}. */
    public static void emit(ByteBuf buf, int offset, int operation, long sha, int spa, long tha, int tpa) {
        buf.setShort(offset + HTYPE_OFFSET, HTYPE_ETHERNET);
        buf.setShort(offset + PTYPE_OFFSET, PTYPE_IPV4);
        buf.setByte(offset + HLEN_OFFSET, 6);
        buf.setByte(offset + PLEN_OFFSET, 4);
        buf.setShort(offset + OPERATION_OFFSET, operation);
        MacAddress.set(buf, offset + SHA_OFFSET, sha);
        buf.setInt(offset + SPA_OFFSET, spa);
        MacAddress.set(buf, offset + THA_OFFSET, tha);
        buf.setInt(offset + TPA_OFFSET, tpa);
    }
}
