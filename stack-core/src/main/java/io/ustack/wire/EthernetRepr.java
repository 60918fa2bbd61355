/*
 * EthernetRepr: an immutable, high-level form of an Ethernet II header (IEEE 802.3 / RFC 894), for tests and
 * non-hot paths. The hot path uses the EthernetFrame view directly.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/** Parsed Ethernet II header. MACs in the low 48 bits. */
public record EthernetRepr(long destination, long source, int etherType) {
    /** Reads the header of a view that passed {@link EthernetFrame#check()}. */
    public static EthernetRepr parse(EthernetFrame view) {
        return new EthernetRepr(view.destination(), view.source(), view.etherType());
    }

    /** Writes the 14-byte header at absolute {@code offset}. */
    public void emit(ByteBuf buf, int offset) {
        EthernetFrame.emit(buf, offset, destination, source, etherType);
    }

    /** Bytes {@link #emit} writes. */
    public int bufferLength() {
        return EthernetFrame.HEADER_LENGTH;
    }

    @Override
    public String toString() {
        return "EthernetRepr[" + MacAddress.toString(source) + " -> " + MacAddress.toString(destination)
                + ", type=0x" + Integer.toHexString(etherType) + "]";
    }
}
