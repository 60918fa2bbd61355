/*
 * EthernetFrame: a flyweight view of an Ethernet II frame header (IEEE 802.3, "DIX" framing as used for IP by
 * RFC 894). The frame check sequence is not present (TAP devices strip it).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 Destination MAC (6 bytes)                     |
 *   +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                               |                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+        Source MAC (6 bytes)   +
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           EtherType           |   payload ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/** Reusable view of an Ethernet II header. {@link #wrap} then {@link #check} once; then accessors never throw. */
public final class EthernetFrame {
    public static final int HEADER_LENGTH = 14;
    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_IPV6 = 0x86DD;

    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
    public static final int ETHERTYPE_OFFSET = 12;

    private ByteBuf buf;
    private int offset;
    private int length;

    public EthernetFrame() {}

    /** Points this view at {@code length} bytes at absolute {@code offset}; touches no indexes, checks nothing. */
    public EthernetFrame wrap(ByteBuf buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** TRUNCATED if shorter than the 14-byte header, else NONE. */
    public DropReason check() {
        return length < HEADER_LENGTH ? DropReason.TRUNCATED : DropReason.NONE;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public long destination() {
        return MacAddress.get(buf, offset + DESTINATION_OFFSET);
    }

    public long source() {
        return MacAddress.get(buf, offset + SOURCE_OFFSET);
    }

    public int etherType() {
        return buf.getUnsignedShort(offset + ETHERTYPE_OFFSET);
    }

    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** Writes a 14-byte header at absolute {@code offset}. */
    public static void emit(ByteBuf buf, int offset, long dst, long src, int etherType) {
        MacAddress.set(buf, offset + DESTINATION_OFFSET, dst);
        MacAddress.set(buf, offset + SOURCE_OFFSET, src);
        buf.setShort(offset + ETHERTYPE_OFFSET, etherType);
    }
}
