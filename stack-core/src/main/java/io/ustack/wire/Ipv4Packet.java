/*
 * Ipv4Packet: a flyweight view of an IPv4 header (RFC 791 section 3.1; DSCP/ECN per RFC 2474 and RFC 3168).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version|  IHL  |   DSCP    |ECN|          Total Length         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Identification        |Flags|      Fragment Offset    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       Source Address                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Destination Address                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Options (IHL > 5)                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   Flags: bit 0 reserved, bit 1 DF (don't fragment), bit 2 MF (more fragments). Fragment offset in 8-byte units.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/** Reusable view of an IPv4 packet. {@link #wrap} then {@link #check}; then accessors never throw. */
public final class Ipv4Packet {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SOURCE_OFFSET = 12;
    public static final int DESTINATION_OFFSET = 16;

    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1fff;
    /** The largest IPv4 datagram (the total length field is 16 bits). */
    public static final int MAX_TOTAL_LENGTH = 65535;

    private ByteBuf buf;
    private int offset;
    private int length;

    public Ipv4Packet() {}

    /**
     * Points this view at {@code length} available bytes at absolute {@code offset} (may exceed the total length,
     * e.g. Ethernet padding); touches no indexes, checks nothing.
     */
    public Ipv4Packet wrap(ByteBuf buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * TRUNCATED (under 20 bytes), BAD_VERSION (not 4), BAD_HEADER_LENGTH (IHL under 5 or beyond the bytes),
     * BAD_LENGTH (total length below the header or beyond the bytes), BAD_CHECKSUM (header checksum), else NONE.
     */
    public DropReason check() {
        if (length < MIN_HEADER_LENGTH) {
            return DropReason.TRUNCATED;
        }
        int vihl = buf.getUnsignedByte(offset + VERSION_IHL_OFFSET);
        if ((vihl >>> 4) != 4) {
            return DropReason.BAD_VERSION;
        }
        int hl = (vihl & 0xf) << 2;
        if (hl < MIN_HEADER_LENGTH || hl > length) {
            return DropReason.BAD_HEADER_LENGTH;
        }
        int total = totalLength();
        if (total < hl || total > length) {
            return DropReason.BAD_LENGTH;
        }
        if (Checksum.compute(buf, offset, hl) != 0) {
            return DropReason.BAD_CHECKSUM;
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
        return buf.getUnsignedByte(offset + VERSION_IHL_OFFSET) >>> 4;
    }

    /** Header length in bytes (IHL * 4). */
    public int headerLength() {
        return (buf.getUnsignedByte(offset + VERSION_IHL_OFFSET) & 0xf) << 2;
    }

    public int dscp() {
        return buf.getUnsignedByte(offset + TOS_OFFSET) >>> 2;
    }

    public int ecn() {
        return buf.getUnsignedByte(offset + TOS_OFFSET) & 3;
    }

    public int totalLength() {
        return buf.getUnsignedShort(offset + TOTAL_LENGTH_OFFSET);
    }

    public int identification() {
        return buf.getUnsignedShort(offset + IDENTIFICATION_OFFSET);
    }

    public boolean dontFragment() {
        return (buf.getUnsignedShort(offset + FLAGS_FRAGMENT_OFFSET) & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (buf.getUnsignedShort(offset + FLAGS_FRAGMENT_OFFSET) & FLAG_MF) != 0;
    }

    /** Fragment offset in bytes (the field is in 8-byte units). */
    public int fragmentOffset() {
        return (buf.getUnsignedShort(offset + FLAGS_FRAGMENT_OFFSET) & FRAGMENT_OFFSET_MASK) << 3;
    }

    /** True if this packet is a fragment: MF set or a non-zero fragment offset. */
    public boolean isFragment() {
        return (buf.getUnsignedShort(offset + FLAGS_FRAGMENT_OFFSET) & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0;
    }

    public int ttl() {
        return buf.getUnsignedByte(offset + TTL_OFFSET);
    }

    public int protocol() {
        return buf.getUnsignedByte(offset + PROTOCOL_OFFSET);
    }

    public int headerChecksum() {
        return buf.getUnsignedShort(offset + CHECKSUM_OFFSET);
    }

    public int source() {
        return buf.getInt(offset + SOURCE_OFFSET);
    }

    public int destination() {
        return buf.getInt(offset + DESTINATION_OFFSET);
    }

    /** Absolute offset of the options (right after the fixed 20 bytes). */
    public int optionsOffset() {
        return offset + MIN_HEADER_LENGTH;
    }

    public int optionsLength() {
        return headerLength() - MIN_HEADER_LENGTH;
    }

    public int payloadOffset() {
        return offset + headerLength();
    }

    /** Total length minus header length (Ethernet padding beyond the total length excluded). */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /**
     * Writes a 20-byte header (no options, DSCP/ECN 0, not a fragment) including its checksum at absolute
     * {@code offset}.
     */
    public static void emitHeader(ByteBuf buf, int offset, int src, int dst, int protocol, int payloadLength,
            int ttl, int identification, boolean dontFragment) {
        emitHeader(buf, offset, 0, MIN_HEADER_LENGTH + payloadLength, identification, dontFragment ? FLAG_DF : 0,
                ttl, protocol, src, dst);
    }

    /**
     * Writes a 20-byte header with every field explicit, including its checksum: {@code tos} is DSCP << 2 | ECN,
     * {@code flagsAndFragment} the raw 16-bit flags + fragment-offset (8-byte units) field.
     */
    public static void emitHeader(ByteBuf buf, int offset, int tos, int totalLength, int identification,
            int flagsAndFragment, int ttl, int protocol, int src, int dst) {
        buf.setByte(offset + VERSION_IHL_OFFSET, 0x45);
        buf.setByte(offset + TOS_OFFSET, tos);
        buf.setShort(offset + TOTAL_LENGTH_OFFSET, totalLength);
        buf.setShort(offset + IDENTIFICATION_OFFSET, identification);
        buf.setShort(offset + FLAGS_FRAGMENT_OFFSET, flagsAndFragment);
        buf.setByte(offset + TTL_OFFSET, ttl);
        buf.setByte(offset + PROTOCOL_OFFSET, protocol);
        buf.setShort(offset + CHECKSUM_OFFSET, 0);
        buf.setInt(offset + SOURCE_OFFSET, src);
        buf.setInt(offset + DESTINATION_OFFSET, dst);
        buf.setShort(offset + CHECKSUM_OFFSET, Checksum.compute(buf, offset, MIN_HEADER_LENGTH));
    }

    /** Recomputes the header checksum of a header of {@code headerLength} bytes at {@code offset}. */
    public static void fillChecksum(ByteBuf buf, int offset, int headerLength) {
        buf.setShort(offset + CHECKSUM_OFFSET, 0);
        buf.setShort(offset + CHECKSUM_OFFSET, Checksum.compute(buf, offset, headerLength));
    }
}
