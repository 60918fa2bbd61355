/*
 * TcpRepr: an immutable, high-level form of a TCP segment (RFC 9293 section 3.1) with its options and a copy of
 * its data, for tests and non-hot paths.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.HexFormat;

/** Parsed TCP segment. Sequence numbers are raw 32-bit values. */
public record TcpRepr(int sourcePort, int destinationPort, int sequenceNumber, int acknowledgmentNumber, int flags,
        int window, int urgentPointer, TcpOptionsRepr options, byte[] payload) {

    public TcpRepr {
        payload = payload.clone();
    }

    /**
     * Reads a view that passed {@link TcpSegment#check}; options are parsed too, and malformed options throw
     * IllegalArgumentException (this is not a hot-path decoder).
     */
    public static TcpRepr parse(TcpSegment view) {
        TcpOptions o = new TcpOptions();
        DropReason r = o.parse(view.buffer(), view.optionsOffset(), view.optionsLength());
        if (r != DropReason.NONE) {
            throw new IllegalArgumentException("TCP options: " + r);
        }
        byte[] data = new byte[view.payloadLength()];
        view.buffer().getBytes(view.payloadOffset(), data);
        return new TcpRepr(view.sourcePort(), view.destinationPort(), view.sequenceNumber(),
                view.acknowledgmentNumber(), view.flags(), view.window(), view.urgentPointer(),
                TcpOptionsRepr.of(o), data);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** Header length {@link #emit} produces: 20 plus the encoded options. */
    public int headerLength() {
        return TcpSegment.MIN_HEADER_LENGTH + options.toOptions(new TcpOptions()).encodedLength();
    }

    /** Writes header, options and data at absolute {@code offset} with the checksum zeroed. */
    public void emit(ByteBuf buf, int offset) {
        int hl = TcpSegment.emitHeader(buf, offset, sourcePort, destinationPort, sequenceNumber,
                acknowledgmentNumber, flags, window, options.toOptions(new TcpOptions()));
        buf.setShort(offset + TcpSegment.URGENT_POINTER_OFFSET, urgentPointer);
        buf.setBytes(offset + hl, payload);
    }

    /** Writes the segment and fills its checksum for the given IPv4 addresses. */
    public void emit(ByteBuf buf, int offset, int srcIp, int dstIp) {
        emit(buf, offset);
        TcpSegment.fillChecksum(buf, offset, bufferLength(), srcIp, dstIp);
    }

    /** Header, options and data. */
    public int bufferLength() {
        return headerLength() + payload.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpRepr r && r.sourcePort == sourcePort && r.destinationPort == destinationPort
                && r.sequenceNumber == sequenceNumber && r.acknowledgmentNumber == acknowledgmentNumber
                && r.flags == flags && r.window == window && r.urgentPointer == urgentPointer
                && r.options.equals(options) && Arrays.equals(r.payload, payload);
    }

    @Override
    public int hashCode() {
        int h = sourcePort * 31 + destinationPort;
        h = h * 31 + sequenceNumber;
        h = h * 31 + acknowledgmentNumber;
        h = h * 31 + flags;
        h = h * 31 + window;
        h = h * 31 + urgentPointer;
        h = h * 31 + options.hashCode();
        return h * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "TcpRepr[" + sourcePort + " -> " + destinationPort + ", seq=" + Integer.toUnsignedString(sequenceNumber)
                + ", ack=" + Integer.toUnsignedString(acknowledgmentNumber) + ", flags=0x" + Integer.toHexString(flags)
                + ", win=" + window + ", urg=" + urgentPointer + ", " + options + ", payload="
                + HexFormat.of().formatHex(payload) + "]";
    }
}
