/*
 * Ipv6Packet: a flyweight view of the IPv6 fixed header (RFC 8200 section 3). Extension headers are not parsed:
 * the payload starts right after the 40-byte fixed header, and nextHeader() names what follows.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version| Traffic Class |           Flow Label                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Payload Length        |  Next Header  |   Hop Limit   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                                                               |
 *   +                   Source Address (128 bits)                   +
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                                                               |
 *   +                Destination Address (128 bits)                 +
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   Addresses are exposed as two big-endian longs: high (first 8 bytes) and low (last 8 bytes).
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/** Reusable view of an IPv6 fixed header. {@link #wrap} then {@link #check}; then accessors never throw. */
public final class Ipv6Packet {
    public static final int HEADER_LENGTH = 40;
    public static final int NEXT_HEADER_TCP = 6;
    public static final int NEXT_HEADER_UDP = 17;
    public static final int NEXT_HEADER_ICMPV6 = 58;
    public static final int NEXT_HEADER_NONE = 59;

    public static final int VERSION_CLASS_FLOW_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int SOURCE_OFFSET = 8;
    public static final int DESTINATION_OFFSET = 24;

    private ByteBuf buf;
    private int offset;
    private int length;

    public Ipv6Packet() {}

    /** Points this view at {@code length} available bytes at absolute {@code offset}; checks nothing. */
    public Ipv6Packet wrap(ByteBuf buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * TRUNCATED (under 40 bytes), BAD_VERSION (not 6), BAD_LENGTH (payload length beyond the bytes present;
     * trailing padding is allowed), else NONE. Jumbograms (payload length 0 with a hop-by-hop option) are not
     * supported: they read as an empty payload.
     */
    public DropReason check() {
        if (length < HEADER_LENGTH) {
            return DropReason.TRUNCATED;
        }
        if (version() != 6) {
            return DropReason.BAD_VERSION;
        }
        if (payloadLength() > length - HEADER_LENGTH) {
            return DropReason.BAD_LENGTH;
        }
        return DropReason.NONE;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    public int version() {
        return buf.getUnsignedByte(offset + VERSION_CLASS_FLOW_OFFSET) >>> 4;
    }

    /** The 8-bit traffic class (DSCP << 2 | ECN). */
    public int trafficClass() {
        return (buf.getInt(offset + VERSION_CLASS_FLOW_OFFSET) >>> 20) & 0xff;
    }

    /** The 20-bit flow label. */
    public int flowLabel() {
        return buf.getInt(offset + VERSION_CLASS_FLOW_OFFSET) & 0xf_ffff;
    }

    /** Bytes after the fixed header (extension headers included). */
    public int payloadLength() {
        return buf.getUnsignedShort(offset + PAYLOAD_LENGTH_OFFSET);
    }

    public int nextHeader() {
        return buf.getUnsignedByte(offset + NEXT_HEADER_OFFSET);
    }

    public int hopLimit() {
        return buf.getUnsignedByte(offset + HOP_LIMIT_OFFSET);
    }

    public long sourceHigh() {
        return buf.getLong(offset + SOURCE_OFFSET);
    }

    public long sourceLow() {
        return buf.getLong(offset + SOURCE_OFFSET + 8);
    }

    public long destinationHigh() {
        return buf.getLong(offset + DESTINATION_OFFSET);
    }

    public long destinationLow() {
        return buf.getLong(offset + DESTINATION_OFFSET + 8);
    }

    /** Copies the source address into {@code out[at]} (high) and {@code out[at + 1]} (low). */
    public void source(long[] out, int at) {
        out[at] = sourceHigh();
        out[at + 1] = sourceLow();
    }

    /** Copies the destination address into {@code out[at]} (high) and {@code out[at + 1]} (low). */
    public void destination(long[] out, int at) {
        out[at] = destinationHigh();
        out[at + 1] = destinationLow();
    }

    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** Writes the 40-byte fixed header at absolute {@code offset} (IPv6 has no header checksum). */
    public static void emitHeader(ByteBuf buf, int offset, int trafficClass, int flowLabel, int payloadLength,
            int nextHeader, int hopLimit, long srcHi, long srcLo, long dstHi, long dstLo) {
        buf.setInt(offset + VERSION_CLASS_FLOW_OFFSET, (6 << 28) | ((trafficClass & 0xff) << 20)
                | (flowLabel & 0xf_ffff));
        buf.setShort(offset + PAYLOAD_LENGTH_OFFSET, payloadLength);
        buf.setByte(offset + NEXT_HEADER_OFFSET, nextHeader);
        buf.setByte(offset + HOP_LIMIT_OFFSET, hopLimit);
        buf.setLong(offset + SOURCE_OFFSET, srcHi);
        buf.setLong(offset + SOURCE_OFFSET + 8, srcLo);
        buf.setLong(offset + DESTINATION_OFFSET, dstHi);
        buf.setLong(offset + DESTINATION_OFFSET + 8, dstLo);
    }
}
