/*
 * TcpSegment: a flyweight view of a TCP segment (RFC 9293 section 3.1; ECE/CWR flags per RFC 3168), checksum over
 * the IPv4 pseudo-header. The view covers the whole IPv4 payload (header, options and data). Options are not
 * parsed here: see TcpOptions.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Source Port          |       Destination Port        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                        Sequence Number                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Acknowledgment Number                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Data |       |C|E|U|A|P|R|S|F|                               |
 *   | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *   |       |       |R|E|G|K|H|T|N|N|                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           Checksum            |         Urgent Pointer        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Options (data offset > 5)                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                             data                              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/** Reusable view of a TCP segment. {@link #wrap} then {@link #check}; then accessors never throw. */
public final class TcpSegment {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;

    public static final int FIN = 1;
    public static final int SYN = 2;
    public static final int RST = 4;
    public static final int PSH = 8;
    public static final int ACK = 16;
    public static final int URG = 32;
    public static final int ECE = 64;
    public static final int CWR = 128;

    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int SEQUENCE_OFFSET = 4;
    public static final int ACKNOWLEDGMENT_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int URGENT_POINTER_OFFSET = 18;
    public static final int OPTIONS_OFFSET = 20;

    private ByteBuf buf;
    private int offset;
    private int length;

    public TcpSegment() {}

    /** Points this view at the whole segment ({@code length} bytes, the IP payload) at absolute {@code offset}. */
    public TcpSegment wrap(ByteBuf buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * TRUNCATED (under 20 bytes), BAD_HEADER_LENGTH (data offset under 5 or beyond the bytes), BAD_CHECKSUM
     * (pseudo-header checksum over the whole segment), else NONE. Options are not examined.
     */
    public DropReason check(int srcIp, int dstIp) {
        return check(srcIp, dstIp, true);
    }

    /**
     * As {@link #check(int, int)}; with {@code verifyChecksum} false the checksum is not looked at (the link vouched
     * for it: a device verified it, or it is a partial checksum of a frame that never crossed a wire).
     */
    public DropReason check(int srcIp, int dstIp, boolean verifyChecksum) {
        if (length < MIN_HEADER_LENGTH) {
            return DropReason.TRUNCATED;
        }
        int hl = headerLength();
        if (hl < MIN_HEADER_LENGTH || hl > length) {
            return DropReason.BAD_HEADER_LENGTH;
        }
        if (verifyChecksum) {
            int sum = Checksum.pseudoHeaderV4(srcIp, dstIp, Ipv4Packet.PROTOCOL_TCP, length);
            if (Checksum.finish(Checksum.sum(buf, offset, length, sum)) != 0) {
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

    public int length() {
        return length;
    }

    public int sourcePort() {
        return buf.getUnsignedShort(offset + SOURCE_PORT_OFFSET);
    }

    public int destinationPort() {
        return buf.getUnsignedShort(offset + DESTINATION_PORT_OFFSET);
    }

    /** SEG.SEQ, raw 32 bits (compare with modular arithmetic). */
    public int sequenceNumber() {
        return buf.getInt(offset + SEQUENCE_OFFSET);
    }

    /** SEG.ACK, raw 32 bits. */
    public int acknowledgmentNumber() {
        return buf.getInt(offset + ACKNOWLEDGMENT_OFFSET);
    }

    /** Header length in bytes (data offset * 4), options included. */
    public int headerLength() {
        return (buf.getUnsignedByte(offset + DATA_OFFSET_OFFSET) >>> 4) << 2;
    }

    /** The eight flag bits CWR..FIN. */
    public int flags() {
        return buf.getUnsignedByte(offset + FLAGS_OFFSET);
    }

    public boolean hasFlag(int flag) {
        return (flags() & flag) != 0;
    }

    /** SEG.WND, unscaled. */
    public int window() {
        return buf.getUnsignedShort(offset + WINDOW_OFFSET);
    }

    public int checksum() {
        return buf.getUnsignedShort(offset + CHECKSUM_OFFSET);
    }

    public int urgentPointer() {
        return buf.getUnsignedShort(offset + URGENT_POINTER_OFFSET);
    }

    public int optionsOffset() {
        return offset + OPTIONS_OFFSET;
    }

    public int optionsLength() {
        return headerLength() - MIN_HEADER_LENGTH;
    }

    public int payloadOffset() {
        return offset + headerLength();
    }

    public int payloadLength() {
        return length - headerLength();
    }

    /** SEG.LEN: data length plus one for SYN and one for FIN. */
    public int segmentLength() {
        int f = flags();
        return payloadLength() + (f & SYN) / SYN + (f & FIN);
    }

    /**
     * Writes the header and {@code options} (may be null) at absolute {@code offset} with checksum and urgent
     * pointer zeroed. Returns the header length: 20 plus the options' encoded length (a multiple of 4).
     */
    public static int emitHeader(ByteBuf buf, int offset, int srcPort, int dstPort, int seq, int ack, int flags,
            int window, TcpOptions options) {
        int optionBytes = options == null ? 0 : options.emit(buf, offset + OPTIONS_OFFSET);
        int hl = MIN_HEADER_LENGTH + optionBytes;
        buf.setShort(offset + SOURCE_PORT_OFFSET, srcPort);
        buf.setShort(offset + DESTINATION_PORT_OFFSET, dstPort);
        buf.setInt(offset + SEQUENCE_OFFSET, seq);
        buf.setInt(offset + ACKNOWLEDGMENT_OFFSET, ack);
        buf.setByte(offset + DATA_OFFSET_OFFSET, (hl >>> 2) << 4);
        buf.setByte(offset + FLAGS_OFFSET, flags);
        buf.setShort(offset + WINDOW_OFFSET, window);
        buf.setInt(offset + CHECKSUM_OFFSET, 0); // checksum and urgent pointer
        return hl;
    }

    /** Computes and stores the checksum of the {@code length}-byte segment (header, options, data). */
    public static void fillChecksum(ByteBuf buf, int offset, int length, int srcIp, int dstIp) {
        buf.setShort(offset + CHECKSUM_OFFSET, 0);
        int sum = Checksum.pseudoHeaderV4(srcIp, dstIp, Ipv4Packet.PROTOCOL_TCP, length);
        buf.setShort(offset + CHECKSUM_OFFSET, Checksum.finish(Checksum.sum(buf, offset, length, sum)));
    }
}
