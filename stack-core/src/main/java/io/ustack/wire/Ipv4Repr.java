/*
 * Ipv4Repr: an immutable, high-level form of an IPv4 header without options (RFC 791 section 3.1), for tests and
 * non-hot paths. The payload is not part of the record: only its length.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/** Parsed IPv4 header fields. Fragment offset in bytes (a multiple of 8). */
public record Ipv4Repr(int source, int destination, int protocol, int payloadLength, int ttl, int identification,
        boolean dontFragment, boolean moreFragments, int fragmentOffset, int dscp, int ecn) {

    /** The common case: not a fragment, DSCP/ECN 0. */
    public Ipv4Repr(int source, int destination, int protocol, int payloadLength, int ttl, int identification,
            boolean dontFragment) {
        this(source, destination, protocol, payloadLength, ttl, identification, dontFragment, false, 0, 0, 0);
    }

    /** Reads a view that passed {@link Ipv4Packet#check()} (options, if any, are ignored). */
    public static Ipv4Repr parse(Ipv4Packet view) {
        return new Ipv4Repr(view.source(), view.destination(), view.protocol(), view.payloadLength(), view.ttl(),
                view.identification(), view.dontFragment(), view.moreFragments(), view.fragmentOffset(),
                view.dscp(), view.ecn());
    }

    /** Writes the 20-byte header with its checksum at absolute {@code offset}; the payload is the caller's. */
    public void emit(ByteBuf buf, int offset) {
        int flags = (dontFragment ? Ipv4Packet.FLAG_DF : 0) | (moreFragments ? Ipv4Packet.FLAG_MF : 0)
                | ((fragmentOffset >>> 3) & Ipv4Packet.FRAGMENT_OFFSET_MASK);
        Ipv4Packet.emitHeader(buf, offset, (dscp << 2) | (ecn & 3), Ipv4Packet.MIN_HEADER_LENGTH + payloadLength,
                identification, flags, ttl, protocol, source, destination);
    }

    /** Header plus payload: the IPv4 total length. */
    public int bufferLength() {
        return Ipv4Packet.MIN_HEADER_LENGTH + payloadLength;
    }

    /** Bytes {@link #emit} writes. */
    public int headerLength() {
        return Ipv4Packet.MIN_HEADER_LENGTH;
    }

    @Override
    public String toString() {
        return "Ipv4Repr[" + Ipv4Address.toString(source) + " -> " + Ipv4Address.toString(destination)
                + ", proto=" + protocol + ", payload=" + payloadLength + ", ttl=" + ttl + ", id=" + identification
                + (dontFragment ? ", DF" : "") + (moreFragments ? ", MF" : "") + ", frag=" + fragmentOffset
                + ", dscp=" + dscp + ", ecn=" + ecn + "]";
    }
}
