/*
 * UdpRepr: an immutable, high-level form of a UDP datagram (RFC 768), for tests and non-hot paths.
 * Holds a copy of the data.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.HexFormat;

/** Parsed UDP datagram: ports and data. */
public record UdpRepr(int sourcePort, int destinationPort, byte[] payload) {
    public UdpRepr {
        payload = payload.clone();
    }

    /** Reads a view that passed {@link UdpDatagram#check}. */
    public static UdpRepr parse(UdpDatagram view) {
        byte[] data = new byte[view.payloadLength()];
        view.buffer().getBytes(view.payloadOffset(), data);
        return new UdpRepr(view.sourcePort(), view.destinationPort(), data);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** Writes header and data at absolute {@code offset} with checksum 0 ("no checksum"). */
    public void emit(ByteBuf buf, int offset) {
        UdpDatagram.emitHeader(buf, offset, sourcePort, destinationPort, bufferLength());
        buf.setBytes(offset + UdpDatagram.HEADER_LENGTH, payload);
    }

    /** Writes header and data at absolute {@code offset} with the checksum for the given IPv4 addresses. */
    public void emit(ByteBuf buf, int offset, int srcIp, int dstIp) {
        emit(buf, offset);
        UdpDatagram.fillChecksum(buf, offset, bufferLength(), srcIp, dstIp);
    }

    public int bufferLength() {
        return UdpDatagram.HEADER_LENGTH + payload.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UdpRepr r && r.sourcePort == sourcePort && r.destinationPort == destinationPort
                && Arrays.equals(r.payload, payload);
    }

    @Override
    public int hashCode() {
        return (sourcePort * 31 + destinationPort) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "UdpRepr[" + sourcePort + " -> " + destinationPort + ", payload=" + HexFormat.of().formatHex(payload)
                + "]";
    }
}
