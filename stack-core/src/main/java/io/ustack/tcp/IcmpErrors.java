/*
 * IcmpErrors: what TCP does with an ICMP error that quotes one of its segments (RFC 1122 4.2.3.9, RFC 5927).
 * The quoted IPv4 header and the first 8 bytes of TCP (ports and sequence number) name the connection; the message
 * is believed only if the quoted sequence number lies in SND.UNA =< SEG.SEQ < SND.NXT (RFC 5927 4.1; SND.NXT as
 * the highest sent), i.e. it is about a segment we really sent and that is still unacknowledged. Then:
 *
 * - "fragmentation needed and DF set" (type 3 code 4, RFC 1191 section 6.3): the send MSS shrinks to the reported
 *   next-hop MTU less the headers (an old router's 0 is replaced by the RFC 1191 section 7 plateau below the
 *   quoted packet's length), never below TcpConfig.minPathMtu (552 by default, Linux's min_pmtu) and never up;
 *   what is in flight was sent in larger segments the path dropped, so it is resent at once in the new size, as a
 *   timeout would but without backing off or reducing the congestion window (the loss says nothing of congestion).
 * - protocol and port unreachable (codes 2, 3) in SYN-SENT: a hard error, connect fails with WSAECONNREFUSED
 *   (RFC 1122 4.2.3.9). In synchronized states RFC 5927 4.2 treats them as soft.
 * - every other unreachable code and time exceeded: a soft error: the connection goes on, and if it later times
 *   out the user sees WSAENETUNREACH or WSAEHOSTUNREACH instead of WSAETIMEDOUT (RFC 1122 4.2.3.9).
 */
package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.ustack.spi.WsaError;
import io.ustack.wire.DropReason;
import io.ustack.wire.Icmpv4Packet;
import io.ustack.wire.Ipv4Packet;

import static io.ustack.tcp.SequenceNumbers.inWindow;

/** ICMP error handling of one TCP layer. Engine thread only; allocation-free. */
final class IcmpErrors {
    /** RFC 1191 section 7 table 7-1: MTU plateaus for routers that report no next-hop MTU. */
    static final int[] PLATEAUS = {65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};
    /** Bytes of TCP header an ICMP error must quote: ports and sequence number (RFC 792). */
    static final int QUOTED_TCP_BYTES = 8;

    private final TcpLayer layer;
    private final int minPathMtu;

    IcmpErrors(TcpLayer layer, int minPathMtu) {
        this.layer = layer;
        this.minPathMtu = minPathMtu;
    }

    /** See {@link TcpLayer#icmpError}. */
    void input(int type, int code, int nextHopMtu, ByteBuf quoted, int offset, int length, long now) {
        if (length < Ipv4Packet.MIN_HEADER_LENGTH + QUOTED_TCP_BYTES) {
            layer.counters().drop(DropReason.TRUNCATED);
            return;
        }
        int versionIhl = quoted.getUnsignedByte(offset + Ipv4Packet.VERSION_IHL_OFFSET);
        int ihl = (versionIhl & 0xF) * 4;
        if (versionIhl >> 4 != 4 || ihl < Ipv4Packet.MIN_HEADER_LENGTH || ihl + QUOTED_TCP_BYTES > length) {
            layer.counters().drop(DropReason.BAD_HEADER_LENGTH);
            return;
        }
        if (quoted.getUnsignedByte(offset + Ipv4Packet.PROTOCOL_OFFSET) != Ipv4Packet.PROTOCOL_TCP) {
            ignore();
            return;
        }
        int localIp = quoted.getInt(offset + Ipv4Packet.SOURCE_OFFSET);
        int remoteIp = quoted.getInt(offset + Ipv4Packet.DESTINATION_OFFSET);
        int quotedLength = quoted.getUnsignedShort(offset + Ipv4Packet.TOTAL_LENGTH_OFFSET);
        int tcp = offset + ihl;
        int localPort = quoted.getUnsignedShort(tcp);
        int remotePort = quoted.getUnsignedShort(tcp + 2);
        int seq = quoted.getInt(tcp + 4);
        TcpConnection c = layer.connection(localIp, localPort, remoteIp, remotePort);
        if (c == null || c.state() == TcpState.TIME_WAIT) {
            ignore();
            return;
        }
        TcpSender snd = c.sender;
        // RFC 5927 4.1: only a segment we sent and that is not acknowledged yet
        if (!inWindow(seq, snd.sndUna, snd.sndMax - snd.sndUna)) {
            ignore();
            return;
        }
        layer.extCounters().icmpAccepted++;
        if (type == Icmpv4Packet.TYPE_DEST_UNREACHABLE && code == Icmpv4Packet.CODE_FRAGMENTATION_NEEDED) {
            fragmentationNeeded(c, nextHopMtu, quotedLength, now);
        } else if (type == Icmpv4Packet.TYPE_DEST_UNREACHABLE && c.state() == TcpState.SYN_SENT
                && (code == Icmpv4Packet.CODE_PROTOCOL_UNREACHABLE || code == Icmpv4Packet.CODE_PORT_UNREACHABLE)) {
            c.terminate(WsaError.WSAECONNREFUSED);
            c.flushEvents();
        } else {
            c.softError = softError(type, code);
        }
    }

    private void ignore() {
        layer.extCounters().icmpIgnored++;
        layer.counters().drop(DropReason.ICMP_IGNORED);
    }

    /** The WSA error a soft ICMP error stands for (RFC 1122 4.2.3.9; the errno Linux maps these to). */
    static int softError(int type, int code) {
        if (type == Icmpv4Packet.TYPE_DEST_UNREACHABLE) {
            return switch (code) {
                case 0, 6, 9, 11 -> WsaError.WSAENETUNREACH; // network unreachable / unknown / prohibited / TOS
                case 2, 3 -> WsaError.WSAECONNREFUSED;       // protocol / port unreachable, synchronized: soft
                default -> WsaError.WSAEHOSTUNREACH;
            };
        }
        return WsaError.WSAEHOSTUNREACH; // time exceeded
    }

    /** RFC 1191 6.3: lower the send MSS to the new path MTU and resend what the path dropped. */
    private void fragmentationNeeded(TcpConnection c, int nextHopMtu, int quotedLength, long now) {
        if (!c.state().isSynchronized()) {
            return; // SYNs are small; the MSS is negotiated later and nothing of size is in flight
        }
        TcpSender snd = c.sender;
        int mtu = nextHopMtu >= 68 ? nextHopMtu : plateauBelow(quotedLength);
        mtu = Math.max(mtu, minPathMtu);
        int headers = TcpLayer.HEADERS_WITHOUT_OPTIONS + snd.segmentOptionBytes;
        int mss = Math.max(TcpSender.MIN_MSS, mtu - headers);
        if (mss >= snd.smss) {
            return; // RFC 1191 6.3: the estimate never grows from an ICMP message
        }
        layer.extCounters().pathMtuReductions++;
        snd.smss = mss;
        snd.cc.mss(mss);
        if (snd.sndUna != snd.sndMax) {
            snd.stopTiming(); // Karn: what follows are retransmissions
            snd.recovery.onRetransmitTimeout(now); // every segment in flight was too big: resend, cwnd untouched
            c.output(now);
        }
        c.flushEvents();
    }

    /** RFC 1191 section 7: the largest plateau below the length of the packet that did not fit. */
    static int plateauBelow(int length) {
        for (int p : PLATEAUS) {
            if (p < length) {
                return p;
            }
        }
        return PLATEAUS[PLATEAUS.length - 1];
    }
}
