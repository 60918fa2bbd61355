/*
 * Ipv6Repr: an immutable, high-level form of the IPv6 fixed header (RFC 8200 section 3), for tests and non-hot
 * paths. The payload is not part of the record: only its length.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/** Parsed IPv6 fixed header; addresses as high/low longs. */
public record Ipv6Repr(int trafficClass, int flowLabel, int payloadLength, int nextHeader, int hopLimit,
        long sourceHigh, long sourceLow, long destinationHigh, long destinationLow) {

    /** Reads a view that passed {@link Ipv6Packet#check()}. */
    public static Ipv6Repr parse(Ipv6Packet view) {
        return new Ipv6Repr(view.trafficClass(), view.flowLabel(), view.payloadLength(), view.nextHeader(),
                view.hopLimit(), view.sourceHigh(), view.sourceLow(), view.destinationHigh(),
                view.destinationLow());
    }

    /** Writes the 40-byte fixed header at absolute {@code offset}; the payload is the caller's. */
    public void emit(ByteBuf buf, int offset) {
        Ipv6Packet.emitHeader(buf, offset, trafficClass, flowLabel, payloadLength, nextHeader, hopLimit,
                sourceHigh, sourceLow, destinationHigh, destinationLow);
    }

    /** Header plus payload. */
    public int bufferLength() {
        return Ipv6Packet.HEADER_LENGTH + payloadLength;
    }

    /** Partial checksum of the upper-layer pseudo-header for this packet (RFC 8200 section 8.1). */
    public int pseudoHeaderSum() {
        return Checksum.pseudoHeaderV6(sourceHigh, sourceLow, destinationHigh, destinationLow, nextHeader,
                payloadLength);
    }
}
