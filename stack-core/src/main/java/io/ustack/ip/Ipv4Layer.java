/*
 * Ipv4Layer: IPv4 for one interface (RFC 791, host requirements RFC 1122 3.2.1): input validation, reassembly of
 * fragments (RFC 791 3.2, Ipv4Reassembler) and demultiplexing by protocol, output with header emission,
 * fragmentation of datagrams over the MTU (RFC 791 3.2, RFC 1122 3.3.3, Ipv4Fragmenter), next-hop choice and ARP
 * resolution (RFC 826) or direct transmission on an IP-framed (TUN) link.
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ustack.engine.StackCounters;
import io.ustack.engine.TimerWheel;
import io.ustack.link.Link;
import io.ustack.wire.DropReason;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.Ipv4Address;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.TcpSegmentation;

import java.util.random.RandomGenerator;

/** The IPv4 layer of a stack; the IpOutput of its transports. Engine thread only. */
public final class Ipv4Layer implements IpOutput {
    static final int DEFAULT_TTL = 64;

    private final Link link;
    private final ByteBufAllocator alloc;
    private final StackCounters counters;
    private final ArpLayer arp;
    private final IcmpLayer icmp;
    private final Ipv4Reassembler reassembler;
    private final Ipv4Fragmenter fragmenter;
    private final Ipv4Fragmenter.Transmitter transmitter = this::transmit;
    /** Host group memberships (RFC 1112): which multicast destinations input accepts. */
    private final MulticastGroups multicast = new MulticastGroups();
    private IgmpLayer igmp;
    private final Ipv4Packet in = new Ipv4Packet();
    private Ipv4Config config;
    private TransportInput tcp;
    private TransportInput udp;
    private int identification;

    /** {@code arp} is null on an IP-framed (TUN) link; {@code timers} drive the reassembly timers. */
    public Ipv4Layer(Link link, ByteBufAllocator alloc, Ipv4Config config, ArpLayer arp, TimerWheel timers,
                     StackCounters counters) {
        this.link = link;
        this.alloc = alloc;
        this.arp = arp;
        this.counters = counters;
        this.icmp = new IcmpLayer(this, counters);
        this.reassembler = new Ipv4Reassembler(alloc, timers, icmp, counters, config.reassembly());
        this.fragmenter = new Ipv4Fragmenter(this, counters);
        configure(config);
    }

    public void configure(Ipv4Config config) {
        this.config = config;
        reassembler.limits(config.reassembly());
        if (arp != null) {
            arp.localAddress(config.address());
        }
    }

    /** Datagrams in reassembly now (for tests and statistics). */
    public int reassemblingDatagrams() {
        return reassembler.size();
    }

    /** Buffer bytes held by datagrams in reassembly now. */
    public long reassemblyBufferedBytes() {
        return reassembler.bufferedBytes();
    }

    /** Discards the datagrams in reassembly, releasing their buffers (stack shutdown). */
    public void shutdown() {
        reassembler.clear();
    }

    public Ipv4Config config() {
        return config;
    }

    /** The interface's multicast group memberships. */
    public MulticastGroups multicast() {
        return multicast;
    }

    /** The IGMPv2 host (null until {@link #startIgmp}). */
    public IgmpLayer igmp() {
        return igmp;
    }

    /** Starts IGMPv2 (RFC 2236): joins and leaves are reported, queries answered. Before the loop runs. */
    public void startIgmp(TimerWheel timers, RandomGenerator random) {
        igmp = new IgmpLayer(link, arp, this, timers, random, counters);
        multicast.igmp(igmp);
    }

    public void transports(TransportInput tcp, TransportInput udp) {
        this.tcp = tcp;
        this.udp = udp;
    }

    /** Where ICMP errors quoting a TCP segment go (RFC 1122 4.2.3.9, RFC 1191). */
    public void tcpErrors(IcmpLayer.ErrorListener listener) {
        icmp.tcpErrors(listener);
    }

    // ---------------------------------------------------------------- input

    /** Input of one IPv4 packet starting at {@code offset}; {@code length} may include link padding. */
    public void input(ByteBuf buf, int offset, int length, long now) {
        input(buf, offset, length, now, false);
    }

    /**
     * As {@link #input(ByteBuf, int, int, long)}; {@code trustedChecksum}: the link vouched for the TCP/UDP checksum
     * of this packet (io.ustack.link.ChecksumState), so the transport does not verify it. The header checksum is
     * verified all the same, and a fragment's vouching is not carried over to the datagram it completes.
     */
    public void input(ByteBuf buf, int offset, int length, long now, boolean trustedChecksum) {
        DropReason r = in.wrap(buf, offset, length).check();
        if (r != DropReason.NONE) {
            counters.drop(r);
            return;
        }
        int dst = in.destination();
        int src = in.source();
        Ipv4Config c = config;
        if (!c.accepts(dst) && !multicast.accepts(dst)) {
            counters.drop(DropReason.NOT_FOR_US);
            return;
        }
        // RFC 1122 3.2.1.3: a host silently discards a datagram whose source is not a unicast address.
        if (c.isBroadcastOrMulticast(src) || src == c.address()) {
            counters.drop(DropReason.BAD_ADDRESS);
            return;
        }
        boolean broadcast = dst != c.address();
        if (in.isFragment()) {
            ByteBuf whole = reassembler.add(in, !broadcast, now);
            if (whole != null) {
                try {
                    int at = whole.readerIndex();
                    in.wrap(whole, at, whole.readableBytes());
                    deliver(whole, at, src, dst, broadcast, now, false);
                } finally {
                    whole.release();
                }
            }
            return;
        }
        deliver(buf, offset, src, dst, broadcast, now, trustedChecksum);
    }

    // Demultiplexing by protocol of the whole datagram `in` is wrapped on (at `offset` of `buf`).
    private void deliver(ByteBuf buf, int offset, int src, int dst, boolean broadcast, long now,
            boolean trustedChecksum) {
        Ipv4Config c = config;
        int payload = in.payloadOffset();
        int payloadLength = in.payloadLength();
        switch (in.protocol()) {
            case Ipv4Packet.PROTOCOL_TCP -> {
                if (broadcast) {
                    counters.drop(DropReason.BAD_ADDRESS); // TCP is unicast only (RFC 9293 3.9.1 note on broadcast)
                } else if (tcp != null) {
                    tcp.input(buf, payload, payloadLength, src, dst, now, trustedChecksum);
                }
            }
            case Ipv4Packet.PROTOCOL_UDP -> {
                if ((udp == null || !udp.input(buf, payload, payloadLength, src, dst, now, trustedChecksum))
                        && !broadcast) {
                    icmp.destinationUnreachable(buf, offset, in.totalLength(), 3 /* port unreachable */, c.address(),
                            src, now);
                }
            }
            case Ipv4Packet.PROTOCOL_ICMP -> icmp.input(buf, payload, payloadLength, src, dst, now, broadcast);
            case IgmpLayer.PROTOCOL -> {
                if (igmp != null) {
                    igmp.input(buf, payload, payloadLength, src, dst, now);
                } else {
                    counters.drop(DropReason.UNSUPPORTED_PROTOCOL);
                }
            }
            default -> {
                counters.drop(DropReason.UNSUPPORTED_PROTOCOL);
                if (!broadcast) {
                    icmp.destinationUnreachable(buf, offset, in.totalLength(), 2 /* protocol unreachable */,
                            c.address(), src, now);
                }
            }
        }
    }

    // ---------------------------------------------------------------- output

    @Override
    public ByteBuf allocate(int transportBytes) {
        ByteBuf b = alloc.directBuffer(HEADROOM + transportBytes);
        b.setIndex(HEADROOM, HEADROOM);
        return b;
    }

    @Override
    public boolean sendIpv4(ByteBuf transport, int src, int dst, int protocol, long now) {
        return send(transport, src, dst, protocol, 0, now);
    }

    @Override
    public boolean tcpSegmentationOffload() {
        return link.tcpSegmentationOffload();
    }

    @Override
    public boolean sendTcpSegments(ByteBuf transport, int src, int dst, int gsoSize, long now) {
        return send(transport, src, dst, Ipv4Packet.PROTOCOL_TCP, gsoSize, now);
    }

    // gsoSize 0: an ordinary packet; else a TCP super-segment the link cuts into pieces of that payload size
    private boolean send(ByteBuf transport, int src, int dst, int protocol, int gsoSize, long now) {
        int payloadLength = transport.readableBytes();
        int start = transport.readerIndex() - Ipv4Packet.MIN_HEADER_LENGTH;
        if (!link.isUp() || start < 0) {
            transport.release();
            counters.drop(DropReason.LINK_DROPPED);
            return false;
        }
        // DF for TCP (path MTU discovery, RFC 1191); the others are fragmented here and may be by routers.
        boolean dontFragment = protocol == Ipv4Packet.PROTOCOL_TCP;
        int totalLength = payloadLength + Ipv4Packet.MIN_HEADER_LENGTH;
        int mtu = link.mtu();
        if (totalLength > Ipv4Packet.MAX_TOTAL_LENGTH
                || totalLength > mtu && gsoSize == 0 && dontFragment) {
            transport.release();
            counters.ipFragFails++;
            counters.drop(DropReason.MESSAGE_TOO_LONG);
            return false;
        }
        Ipv4Config c = config;
        boolean multicastDst = Ipv4Address.isMulticast(dst);
        int nextHop = multicastDst ? dst : c.nextHop(dst);
        if (nextHop == 0) {
            transport.release();
            counters.drop(DropReason.ARP_UNRESOLVED);
            return false;
        }
        Ipv4Packet.emitHeader(transport, start, src, dst, protocol, payloadLength,
                multicastDst ? MulticastGroups.DEFAULT_TTL : DEFAULT_TTL,
                (identification++) & 0xffff, dontFragment);
        transport.readerIndex(start);
        if (gsoSize > 0) {
            return transmitTcpSegments(transport, dst, nextHop, multicastDst, gsoSize, now);
        }
        if (totalLength > mtu) {
            return fragmenter.fragment(transport, mtu, nextHop, multicastDst, now, transmitter);
        }
        return transmit(transport, dst, nextHop, multicastDst, now);
    }

    // An IP-framed link (TUN): the packet is the frame; cut into gsoSize pieces by the link unless 0. Counted.
    private boolean toLink(ByteBuf packet, int gsoSize) {
        return LinkOutput.transmit(link, counters, packet, gsoSize);
    }

    // A TCP super-segment: to the link whole when the next hop is a unicast neighbour (or there is no ARP), else cut.
    private boolean transmitTcpSegments(ByteBuf packet, int dst, int nextHop, boolean multicastDst, int gsoSize,
            long now) {
        if (arp == null) {
            return toLink(packet, gsoSize);
        }
        if (multicastDst || config.isBroadcastOrMulticast(dst)) {
            return TcpSegmentation.segment(packet, 0, gsoSize, EthernetFrame.HEADER_LENGTH,
                    piece -> transmit(piece, dst, nextHop, multicastDst, now));
        }
        return arp.sendTcpSegments(packet, nextHop, gsoSize, now);
    }

    // Sends one IP packet (readable bytes from its header, link head room in front) to the link or through ARP.
    private boolean transmit(ByteBuf transport, int dst, int nextHop, boolean multicastDst, long now) {
        if (arp == null) {
            return toLink(transport, 0);
        }
        if (multicastDst) {
            return arp.sendToMac(transport, MulticastGroups.macFor(dst)); // RFC 1112 6.4
        }
        if (config.isBroadcastOrMulticast(dst)) {
            return arp.sendBroadcast(transport);
        }
        return arp.send(transport, nextHop, now);
    }

    @Override
    public int mtu() {
        return link.mtu();
    }

    @Override
    public int sourceAddressFor(int dst) {
        return Ipv4Address.isMulticast(dst) || config.nextHop(dst) != 0 ? config.address() : 0;
    }
}
