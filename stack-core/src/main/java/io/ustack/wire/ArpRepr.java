/*
 * ArpRepr: an immutable, high-level form of an Ethernet/IPv4 ARP packet (RFC 826), for tests and non-hot paths.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/** Parsed ARP packet: operation and the four addresses (MACs in the low 48 bits). */
public record ArpRepr(int operation, long senderHardware, int senderProtocol, long targetHardware,
        int targetProtocol) {

    /** Reads a view that passed {@link ArpPacket#check()}. */
    public static ArpRepr parse(ArpPacket view) {
        return new ArpRepr(view.operation(), view.senderHardware(), view.senderProtocol(), view.targetHardware(),
                view.targetProtocol());
    }

    /** Writes the 28-byte packet at absolute {@code offset}. */
    public void emit(ByteBuf buf, int offset) {
        ArpPacket.emit(buf, offset, operation, senderHardware, senderProtocol, targetHardware, targetProtocol);
    }

    public int bufferLength() {
        return ArpPacket.LENGTH;
    }

    @Override
    public String toString() {
        return "ArpRepr[op=" + operation + ", " + MacAddress.toString(senderHardware) + "/"
                + Ipv4Address.toString(senderProtocol) + " -> " + MacAddress.toString(targetHardware) + "/"
                + Ipv4Address.toString(targetProtocol) + "]";
    }
}
