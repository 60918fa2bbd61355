/*
 * DropReason: why a received frame was dropped, at any layer. Decoders return one (never throw); the engine counts
 * every drop by reason (StackCounters) so malformed input is visible, never fatal.
 */
package io.ustack.wire;

/** The reason a frame or packet was not delivered. {@link #NONE} means "valid, keep going". */
public enum DropReason {
    NONE,
    // --- decoders (wire): the bytes are wrong ---
    /** Fewer bytes than the fixed header needs. */
    TRUNCATED,
    /** A length field disagrees with the bytes present (too short, too long, below the header). */
    BAD_LENGTH,
    /** An Internet checksum (or pseudo-header checksum) does not verify. */
    BAD_CHECKSUM,
    /** Wrong IP version nibble, or an unsupported hardware/protocol type (ARP). */
    BAD_VERSION,
    /** IPv4 IHL or TCP data offset out of range. */
    BAD_HEADER_LENGTH,
    /** A malformed option list (length byte 0/1 where a length is needed, overruns the header, wrong size). */
    BAD_OPTION,
    /** A source address no host may use (broadcast, multicast, our own address as a source). */
    BAD_ADDRESS,
    // --- stack: the bytes are fine but nobody takes them ---
    /** An EtherType we do not speak. */
    UNSUPPORTED_ETHERTYPE,
    /** An IP protocol number we do not speak. */
    UNSUPPORTED_PROTOCOL,
    /** A fragment while reassembly is switched off (Ipv4Config reassembly limits of zero datagrams). */
    FRAGMENT,
    /** Not addressed to this host (wrong MAC or IP). */
    NOT_FOR_US,
    /** An ICMP type that needs no answer and has no listener. */
    ICMP_IGNORED,
    /** A datagram for a port with no socket (answered by ICMP port unreachable when allowed). */
    NO_SOCKET,
    /** A socket's receive queue was full. */
    RECEIVE_QUEUE_FULL,
    /** An outgoing packet waited for ARP resolution that never came, or its queue was full. */
    ARP_UNRESOLVED,
    /** The link refused the frame (down, or its queue full). */
    LINK_DROPPED,
    /** A TCP segment that is not acceptable in its connection's state (RFC 9293 3.10.7.4). */
    TCP_UNACCEPTABLE,
    /** A TCP listener's backlog was full. */
    TCP_BACKLOG_FULL,
    // --- IPv4 reassembly (RFC 791 3.2) and fragmentation ---
    /** A fragment with no data, or one with MF set whose data is not a multiple of 8 bytes (RFC 791 3.2). */
    FRAGMENT_MALFORMED,
    /** A first fragment too short to hold the transport header, or a TCP fragment at offset 8 (RFC 1858 3). */
    FRAGMENT_TINY,
    /** A fragment (or the datagram it completes) reaching beyond 65535 bytes ("ping of death"). */
    FRAGMENT_OVERSIZE,
    /** A fragment overlapping data already received with other bytes: the whole datagram is discarded. */
    FRAGMENT_OVERLAP,
    /** A fragment repeating bytes already received exactly: ignored, the datagram is kept. */
    FRAGMENT_DUPLICATE,
    /** A last fragment (MF clear) contradicting the known end, or data past the known end: datagram discarded. */
    FRAGMENT_END_CONFLICT,
    /** An incomplete datagram evicted, oldest first, to keep the reassembly table within its limits. */
    REASSEMBLY_TABLE_FULL,
    /** An incomplete datagram whose reassembly timer ran out (RFC 791 3.2, RFC 1122 3.3.2). */
    REASSEMBLY_TIMEOUT,
    /**
     * An outgoing datagram larger than the MTU that may not be fragmented (DF set: TCP), or larger than an IPv4
     * datagram can be (65535 bytes): EMSGSIZE.
     */
    MESSAGE_TOO_LONG;

    private static final DropReason[] VALUES = values();

    public static DropReason of(int ordinal) {
        return VALUES[ordinal];
    }
}
