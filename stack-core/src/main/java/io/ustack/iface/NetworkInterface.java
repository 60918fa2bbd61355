/*
 * NetworkInterface: one link with its protocol layers (smoltcp's `iface`): the link-layer demultiplexer (Ethernet II
 * EtherType, or the IP version nibble on a TUN link) feeding ARP (RFC 826) and IPv4 (RFC 791), and the transports
 * above IPv4. It is the FrameSink of its EventLoop.
 */
package io.ustack.iface;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ustack.engine.EventLoop;
import io.ustack.engine.StackCounters;
import io.ustack.ip.ArpLayer;
import io.ustack.ip.Ipv4Config;
import io.ustack.ip.Ipv4Layer;
import io.ustack.link.ChecksumState;
import io.ustack.link.FrameSink;
import io.ustack.link.Link;
import io.ustack.tcp.TcpConfig;
import io.ustack.tcp.TcpLayer;
import io.ustack.udp.UdpLayer;
import io.ustack.wire.DropReason;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.MacAddress;

import java.util.random.RandomGenerator;

/** The protocol layers of one interface. Engine thread only (built before the loop starts). */
public final class NetworkInterface implements FrameSink {
    /** ARP entries live this long after their last confirmation (Linux's default base reachable time is 30 s). */
    static final long ARP_REACHABLE_NANOS = 60_000_000_000L;
    static final long ARP_RETRY_NANOS = 1_000_000_000L;

    private final EventLoop loop;
    private final Link link;
    private final StackCounters counters;
    private final EthernetFrame eth = new EthernetFrame();
    private final ArpLayer arp;
    private final Ipv4Layer ipv4;
    private final UdpLayer udp;
    private final TcpLayer tcp;

    public NetworkInterface(EventLoop loop, ByteBufAllocator alloc, Ipv4Config config, TcpConfig tcpConfig,
                            RandomGenerator rng, StackCounters counters) {
        this.loop = loop;
        this.link = loop.link();
        this.counters = counters;
        this.arp = link.framing() == Link.Framing.ETHERNET
                ? new ArpLayer(link, alloc, loop.timers(), counters, ARP_REACHABLE_NANOS, ARP_RETRY_NANOS)
                : null;
        this.ipv4 = new Ipv4Layer(link, alloc, config, arp, loop.timers(), counters);
        ipv4.startIgmp(loop.timers(), rng);
        this.udp = new UdpLayer(ipv4, alloc, counters);
        this.tcp = new TcpLayer(ipv4, loop.timers(), counters, tcpConfig, rng);
        ipv4.transports((b, o, l, s, d, now, trusted) -> {
            tcp.input(b, o, l, s, d, now, trusted);
            return true;
        }, udp);
        ipv4.tcpErrors(tcp::icmpError);
        loop.addTurnStartHook(tcp::updateTime);
        loop.frameSink(this);
    }

    public Ipv4Layer ipv4() {
        return ipv4;
    }

    public ArpLayer arp() {
        return arp;
    }

    public UdpLayer udp() {
        return udp;
    }

    public TcpLayer tcp() {
        return tcp;
    }

    public StackCounters counters() {
        return counters;
    }

    @Override
    public void onFrame(ByteBuf frame) {
        onFrame(frame, ChecksumState.NONE);
    }

    /** A frame with its transport checksum state: skips the TCP/UDP checksum check of this frame if trusted. */
    @Override
    public void onFrame(ByteBuf frame, ChecksumState checksum) {
        boolean trusted = checksum.trusted();
        long now = loop.now();
        int offset = frame.readerIndex();
        int length = frame.readableBytes();
        counters.framesIn++;
        counters.bytesIn += length;
        if (arp == null) {
            // TUN: the first nibble is the IP version
            if (length > 0 && (frame.getByte(offset) >> 4 & 0xf) == 4) {
                ipv4.input(frame, offset, length, now, trusted);
            } else {
                counters.drop(length == 0 ? DropReason.TRUNCATED : DropReason.UNSUPPORTED_ETHERTYPE);
            }
            return;
        }
        DropReason r = eth.wrap(frame, offset, length).check();
        if (r != DropReason.NONE) {
            counters.drop(r);
            return;
        }
        long dst = eth.destination();
        if (dst != link.macAddress() && !MacAddress.isMulticast(dst)) {
            counters.drop(DropReason.NOT_FOR_US);
            return;
        }
        int payload = eth.payloadOffset();
        int payloadLength = eth.payloadLength();
        switch (eth.etherType()) {
            case EthernetFrame.TYPE_IPV4 -> ipv4.input(frame, payload, payloadLength, now, trusted);
            case EthernetFrame.TYPE_ARP -> arp.input(frame, payload, payloadLength, now);
            default -> counters.drop(DropReason.UNSUPPORTED_ETHERTYPE);
        }
    }

    /** Tears every protocol layer down (connections reset, buffers released). Engine thread, or after it stopped. */
    public void shutdown() {
        tcp.shutdown();
        udp.shutdown();
        ipv4.shutdown();
        if (arp != null) {
            arp.clear();
        }
    }
}
