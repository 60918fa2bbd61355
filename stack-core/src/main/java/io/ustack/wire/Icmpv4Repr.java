/*
 * Icmpv4Repr: an immutable, high-level form of an ICMPv4 message (RFC 792), for tests and non-hot paths.
 * Holds a copy of the data that follows the 8-byte header.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.HexFormat;

/** Parsed ICMPv4 message: type, code, the 32-bit rest of header, and the data bytes. */
public record Icmpv4Repr(int type, int code, int restOfHeader, byte[] payload) {
    public Icmpv4Repr {
        payload = payload.clone();
    }

    /** An echo request or reply. */
    public static Icmpv4Repr echo(int type, int identifier, int sequence, byte[] payload) {
        return new Icmpv4Repr(type, 0, (identifier << 16) | (sequence & 0xffff), payload);
    }

    /** Reads a view that passed {@link Icmpv4Packet#check()}. */
    public static Icmpv4Repr parse(Icmpv4Packet view) {
        byte[] data = new byte[view.payloadLength()];
        view.buffer().getBytes(view.payloadOffset(), data);
        return new Icmpv4Repr(view.type(), view.code(), view.restOfHeader(), data);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** Writes header and data with a correct checksum at absolute {@code offset}. */
    public void emit(ByteBuf buf, int offset) {
        Icmpv4Packet.emitHeader(buf, offset, type, code, restOfHeader);
        buf.setBytes(offset + Icmpv4Packet.HEADER_LENGTH, payload);
        Icmpv4Packet.fillChecksum(buf, offset, bufferLength());
    }

    public int bufferLength() {
        return Icmpv4Packet.HEADER_LENGTH + payload.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Icmpv4Repr r && r.type == type && r.code == code && r.restOfHeader == restOfHeader
                && Arrays.equals(r.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + code) * 31 + restOfHeader) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Icmpv4Repr[type=" + type + ", code=" + code + ", rest=0x" + Integer.toHexString(restOfHeader)
                + ", payload=" + HexFormat.of().formatHex(payload) + "]";
    }
}
