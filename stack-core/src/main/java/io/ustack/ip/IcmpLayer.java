/*
 * IcmpLayer: ICMPv4 (RFC 792) as a host needs it (RFC 1122 3.2.2): echo reply, destination unreachable for closed
 * ports and unknown protocols (quoting the offending header, RFC 1812 4.3.2.3 length), error rate limiting
 * (RFC 1812 4.3.2.8), time exceeded for a datagram whose reassembly timed out (RFC 792 code 1, RFC 1122 3.3.2),
 * and never an error about an error, a broadcast or a non-first fragment (RFC 1122 3.2.2). Destination
 * unreachable and time exceeded messages quoting a TCP segment go to TCP (RFC 1122 3.2.2.1 / 4.2.3.9, RFC 1191).
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;
import io.ustack.engine.StackCounters;
import io.ustack.wire.DropReason;
import io.ustack.wire.Icmpv4Packet;
import io.ustack.wire.Ipv4Packet;

/** ICMPv4 input and error output. Engine thread only. */
public final class IcmpLayer {
    /** Largest ICMP error datagram (RFC 1812 4.3.2.3: quote as much as fits in 576 bytes). */
    static final int MAX_ERROR_DATAGRAM = 576;
    private static final long TOKEN_NANOS = 1_000_000L; // 1000 errors per second
    private static final int BURST = 50;

    private final IpOutput ip;
    private final StackCounters counters;
    private final Icmpv4Packet icmp = new Icmpv4Packet();
    private long tokens = BURST;
    private long lastRefill;
    private ErrorListener tcpErrors;

    IcmpLayer(IpOutput ip, StackCounters counters) {
        this.ip = ip;
        this.counters = counters;
    }

    /** Input of one ICMP message addressed to us. */
    void input(ByteBuf buf, int offset, int length, int srcIp, int dstIp, long now, boolean broadcast) {
        DropReason r = icmp.wrap(buf, offset, length).check();
        if (r != DropReason.NONE) {
            counters.drop(r);
            return;
        }
        if (icmp.type() == Icmpv4Packet.TYPE_ECHO_REQUEST && !broadcast) {
            echoReply(buf, offset, length, srcIp, dstIp, now);
            return;
        }
        int type = icmp.type();
        int quoted = offset + Icmpv4Packet.HEADER_LENGTH;
        if ((type == Icmpv4Packet.TYPE_DEST_UNREACHABLE || type == Icmpv4Packet.TYPE_TIME_EXCEEDED) && !broadcast
                && tcpErrors != null && length >= Icmpv4Packet.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH + 8
                && buf.getUnsignedByte(quoted + Ipv4Packet.PROTOCOL_OFFSET) == Ipv4Packet.PROTOCOL_TCP) {
            tcpErrors.icmpError(type, icmp.code(), icmp.nextHopMtu(), buf, quoted,
                    length - Icmpv4Packet.HEADER_LENGTH, now);
            return;
        }
        // Errors about UDP will be surfaced to sockets by a later issue; count them for now.
        counters.drop(DropReason.ICMP_IGNORED);
    }

    /** A transport told about ICMP errors quoting its packets (the quoted bytes are borrowed for the call). */
    @FunctionalInterface
    public interface ErrorListener {
        void icmpError(int type, int code, int nextHopMtu, ByteBuf quoted, int offset, int length, long now);
    }

    /** Where ICMP errors quoting TCP segments go (null: nowhere). */
    void tcpErrors(ErrorListener listener) {
        this.tcpErrors = listener;
    }

    // RFC 792 "Echo or Echo Reply Message": the reply carries the request's identifier, sequence and data.
    private void echoReply(ByteBuf buf, int offset, int length, int srcIp, int dstIp, long now) {
        ByteBuf out = ip.allocate(length);
        int at = out.writerIndex();
        out.writeBytes(buf, offset, length);
        out.setByte(at, Icmpv4Packet.TYPE_ECHO_REPLY);
        out.setShort(at + 2, 0);
        Icmpv4Packet.fillChecksum(out, at, length);
        if (ip.sendIpv4(out, dstIp, srcIp, Ipv4Packet.PROTOCOL_ICMP, now)) {
            counters.icmpEchoReplies++;
        }
    }

    /**
     * Sends destination unreachable {@code code} about the IP packet at {@code ipOffset} (header and data present in
     * {@code buf}). The caller has already excluded broadcasts, fragments and ICMP errors.
     */
    void destinationUnreachable(ByteBuf buf, int ipOffset, int ipLength, int code, int src, int dst, long now) {
        int quote = Math.min(ipLength, MAX_ERROR_DATAGRAM - Ipv4Packet.MIN_HEADER_LENGTH - Icmpv4Packet.HEADER_LENGTH);
        if (sendError(Icmpv4Packet.TYPE_DEST_UNREACHABLE, code, buf, ipOffset, quote, src, dst, now)) {
            counters.icmpUnreachablesSent++;
        }
    }

    /**
     * Sends time exceeded {@code code} (RFC 792; {@link Icmpv4Packet#CODE_REASSEMBLY_TIME_EXCEEDED} for a datagram
     * whose reassembly timed out, RFC 1122 3.3.2) quoting the IP header at {@code ipOffset} and the first 8 bytes of
     * its data, as RFC 792 asks ({@code quoteLength} bytes in all, fewer if the data is shorter). Nothing is sent
     * about an ICMP error message (RFC 1122 3.2.2); the caller has excluded broadcast and multicast destinations.
     *
     * @return true if the message was sent
     */
    boolean timeExceeded(ByteBuf buf, int ipOffset, int quoteLength, int code, int src, int dst, long now) {
        int hl = (buf.getUnsignedByte(ipOffset + Ipv4Packet.VERSION_IHL_OFFSET) & 0xf) << 2;
        if (buf.getUnsignedByte(ipOffset + Ipv4Packet.PROTOCOL_OFFSET) == Ipv4Packet.PROTOCOL_ICMP
                && isError(buf, ipOffset + hl, quoteLength - hl)) {
            return false;
        }
        if (sendError(Icmpv4Packet.TYPE_TIME_EXCEEDED, code, buf, ipOffset, quoteLength, src, dst, now)) {
            counters.icmpTimeExceededSent++;
            return true;
        }
        return false;
    }

    // An ICMP error of type/code quoting `quote` bytes at ipOffset, sent from src to dst if the rate limit allows.
    private boolean sendError(int type, int code, ByteBuf buf, int ipOffset, int quote, int src, int dst, long now) {
        if (!takeToken(now)) {
            return false;
        }
        ByteBuf out = ip.allocate(Icmpv4Packet.HEADER_LENGTH + quote);
        int at = out.writerIndex();
        out.writerIndex(at + Icmpv4Packet.HEADER_LENGTH);
        Icmpv4Packet.emitHeader(out, at, type, code, 0);
        out.writeBytes(buf, ipOffset, quote);
        Icmpv4Packet.fillChecksum(out, at, Icmpv4Packet.HEADER_LENGTH + quote);
        return ip.sendIpv4(out, src, dst, Ipv4Packet.PROTOCOL_ICMP, now);
    }

    /** True if an ICMP message quoting this protocol/type must not draw an ICMP error (RFC 1122 3.2.2). */
    boolean isError(ByteBuf buf, int offset, int length) {
        if (length < 1) {
            return true;
        }
        int type = buf.getUnsignedByte(offset);
        return type != Icmpv4Packet.TYPE_ECHO_REQUEST && type != Icmpv4Packet.TYPE_ECHO_REPLY
                && type != 13 && type != 14; // timestamp / timestamp reply are queries too
    }

    // Token bucket: refill one token per TOKEN_NANOS, hold at most BURST.
    private boolean takeToken(long now) {
        long refill = (now - lastRefill) / TOKEN_NANOS;
        if (refill > 0) {
            tokens = Math.min(BURST, tokens + refill);
            lastRefill += refill * TOKEN_NANOS;
        }
        if (tokens == 0) {
            return false;
        }
        tokens--;
        return true;
    }
}
