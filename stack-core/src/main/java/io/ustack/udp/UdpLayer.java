/*
 * UdpLayer: UDP (RFC 768, RFC 1122 4.1): port table, input with checksum verification and delivery to the bound
 * endpoint, output with the pseudo-header checksum. Closed ports are answered by the IP layer with ICMP port
 * unreachable (RFC 1122 4.1.3.1).
 */
package io.ustack.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import io.ustack.engine.StackCounters;
import io.ustack.ip.IpOutput;
import io.ustack.ip.TransportInput;
import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.wire.DropReason;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.UdpDatagram;

/** The UDP layer of one stack. Engine thread only. */
public final class UdpLayer implements TransportInput {
    /** IANA dynamic port range (RFC 6335 6). */
    static final int EPHEMERAL_FIRST = 49152;
    static final int EPHEMERAL_LAST = 65535;
    static final int DEFAULT_QUEUE_SLOTS = 1024;
    /** SO_RCVBUF of a new endpoint: bytes of queued payload before datagrams are dropped. */
    public static final int DEFAULT_RECEIVE_BUFFER = 1 << 20;

    private final IpOutput ip;
    private final ByteBufAllocator alloc;
    private final StackCounters counters;
    private final UdpDatagram in = new UdpDatagram();
    private final IntObjectHashMap<UdpEndpoint> ports = new IntObjectHashMap<>();
    private int nextEphemeral = EPHEMERAL_FIRST;

    public UdpLayer(IpOutput ip, ByteBufAllocator alloc, StackCounters counters) {
        this.ip = ip;
        this.alloc = alloc;
        this.counters = counters;
    }

    /**
     * Binds {@code localPort} (0 = an ephemeral port) on {@code localIp} (0 = any).
     *
     * @throws WsaException WSAEADDRINUSE if the port is taken, WSAEADDRNOTAVAIL if no ephemeral port is free
     */
    public UdpEndpoint bind(int localIp, int localPort) {
        if (localPort < 0 || localPort > 65535) {
            throw new WsaException(WsaError.WSAEINVAL, "port out of range: " + localPort);
        }
        int port = localPort == 0 ? ephemeralPort() : localPort;
        if (ports.containsKey(port)) {
            throw new WsaException(WsaError.WSAEADDRINUSE, "UDP port " + port + " is in use");
        }
        UdpEndpoint e = new UdpEndpoint(this, localIp, port, DEFAULT_QUEUE_SLOTS, DEFAULT_RECEIVE_BUFFER);
        ports.put(port, e);
        return e;
    }

    private int ephemeralPort() {
        int span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
        for (int i = 0; i < span; i++) {
            int p = nextEphemeral;
            nextEphemeral = p == EPHEMERAL_LAST ? EPHEMERAL_FIRST : p + 1;
            if (!ports.containsKey(p)) {
                return p;
            }
        }
        throw new WsaException(WsaError.WSAEADDRNOTAVAIL, "no free ephemeral UDP port");
    }

    void unbind(UdpEndpoint e) {
        if (ports.get(e.localPort()) == e) {
            ports.remove(e.localPort());
        }
    }

    public int boundCount() {
        return ports.size();
    }

    @Override
    public boolean input(ByteBuf buf, int offset, int length, int srcIp, int dstIp, long now,
            boolean trustedChecksum) {
        DropReason r = in.wrap(buf, offset, length).check(srcIp, dstIp, !trustedChecksum);
        if (r != DropReason.NONE) {
            counters.drop(r);
            return true; // malformed: no ICMP answer
        }
        counters.udpDatagramsIn++;
        UdpEndpoint e = ports.get(in.destinationPort());
        if (e == null || (e.localAddress() != 0 && e.localAddress() != dstIp)) {
            counters.drop(DropReason.NO_SOCKET);
            return false;
        }
        if (!e.accepts(srcIp, in.sourcePort())) {
            counters.drop(DropReason.NO_SOCKET);
            return true; // a connected socket ignores other peers; no ICMP (the port is open)
        }
        r = e.enqueue(buf, in.payloadOffset(), in.payloadLength(), srcIp, in.sourcePort(), alloc);
        if (r != DropReason.NONE) {
            counters.drop(r);
        }
        return true;
    }

    void send(UdpEndpoint from, ByteBuf payload, int dstIp, int dstPort, long now) {
        int len = payload.readableBytes();
        // over the MTU the IP layer fragments (RFC 791 3.2); an IPv4 datagram cannot exceed 65535 bytes
        if (len + UdpDatagram.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH > Ipv4Packet.MAX_TOTAL_LENGTH) {
            throw new WsaException(WsaError.WSAEMSGSIZE, "datagram of " + len + " bytes exceeds the largest UDP "
                    + "payload of an IPv4 datagram (65507)");
        }
        if (dstPort <= 0 || dstPort > 65535 || dstIp == 0) {
            throw new WsaException(WsaError.WSAEADDRNOTAVAIL, "invalid destination port or address");
        }
        int src = from.localAddress() != 0 ? from.localAddress() : ip.sourceAddressFor(dstIp);
        if (src == 0) {
            throw new WsaException(WsaError.WSAENETUNREACH, "no route to the destination");
        }
        int total = UdpDatagram.HEADER_LENGTH + len;
        ByteBuf out = ip.allocate(total);
        int at = out.writerIndex();
        out.writerIndex(at + UdpDatagram.HEADER_LENGTH);
        UdpDatagram.emitHeader(out, at, from.localPort(), dstPort, total);
        out.writeBytes(payload, payload.readerIndex(), len);
        UdpDatagram.fillChecksum(out, at, total, src, dstIp);
        if (ip.sendIpv4(out, src, dstIp, Ipv4Packet.PROTOCOL_UDP, now)) {
            counters.udpDatagramsOut++;
        }
    }

    /** Stack shutdown: closes every endpoint, releasing queued datagrams. */
    public void shutdown() {
        for (UdpEndpoint e : ports.values().toArray(new UdpEndpoint[0])) {
            e.close();
        }
    }
}
