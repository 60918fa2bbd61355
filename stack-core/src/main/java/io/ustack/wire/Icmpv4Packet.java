/*
 * Icmpv4Packet: a flyweight view of an ICMP message (RFC 792; "fragmentation needed" next-hop MTU per RFC 1191).
 * The view covers the whole ICMP message (the IPv4 payload), since the checksum covers all of it.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Type      |     Code      |          Checksum             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Rest of header: echo: Identifier | Sequence Number;         |
 *   |   dest. unreachable code 4: unused | Next-Hop MTU             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Data: echo payload, or the offending IP header + 8 bytes ... |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/** Reusable view of an ICMPv4 message. {@link #wrap} then {@link #check}; then accessors never throw. */
public final class Icmpv4Packet {
    public static final int HEADER_LENGTH = 8;
    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DEST_UNREACHABLE = 3;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;
    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    /** Time exceeded code 0: time to live exceeded in transit. */
    public static final int CODE_TTL_EXCEEDED = 0;
    /** Time exceeded code 1: fragment reassembly time exceeded (RFC 792, RFC 1122 3.3.2). */
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int REST_OFFSET = 4;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 6;

    private ByteBuf buf;
    private int offset;
    private int length;

    public Icmpv4Packet() {}

    /** Points this view at the whole ICMP message ({@code length} bytes at absolute {@code offset}). */
    public Icmpv4Packet wrap(ByteBuf buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** TRUNCATED if under 8 bytes; BAD_CHECKSUM if the checksum over the whole message fails; else NONE. */
    public DropReason check() {
        if (length < HEADER_LENGTH) {
            return DropReason.TRUNCATED;
        }
        if (Checksum.compute(buf, offset, length) != 0) {
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

    public int length() {
        return length;
    }

    public int type() {
        return buf.getUnsignedByte(offset + TYPE_OFFSET);
    }

    public int code() {
        return buf.getUnsignedByte(offset + CODE_OFFSET);
    }

    public int checksum() {
        return buf.getUnsignedShort(offset + CHECKSUM_OFFSET);
    }

    /** The 32-bit "rest of header" word at offset 4. */
    public int restOfHeader() {
        return buf.getInt(offset + REST_OFFSET);
    }

    /** Echo identifier (types 0 and 8). */
    public int identifier() {
        return buf.getUnsignedShort(offset + IDENTIFIER_OFFSET);
    }

    /** Echo sequence number (types 0 and 8). */
    public int sequence() {
        return buf.getUnsignedShort(offset + SEQUENCE_OFFSET);
    }

    /** Next-hop MTU of a "fragmentation needed" message (RFC 1191): the low 16 bits of the rest of header. */
    public int nextHopMtu() {
        return buf.getUnsignedShort(offset + SEQUENCE_OFFSET);
    }

    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** Writes the 8-byte header with the checksum field zeroed; call {@link #fillChecksum} after the data. */
    public static void emitHeader(ByteBuf buf, int offset, int type, int code, int restOfHeader) {
        buf.setByte(offset + TYPE_OFFSET, type);
        buf.setByte(offset + CODE_OFFSET, code);
        buf.setShort(offset + CHECKSUM_OFFSET, 0);
        buf.setInt(offset + REST_OFFSET, restOfHeader);
    }

    /** Computes and stores the checksum of the {@code length}-byte message at {@code offset}. */
    public static void fillChecksum(ByteBuf buf, int offset, int length) {
        buf.setShort(offset + CHECKSUM_OFFSET, 0);
        buf.setShort(offset + CHECKSUM_OFFSET, Checksum.compute(buf, offset, length));
    }
}
