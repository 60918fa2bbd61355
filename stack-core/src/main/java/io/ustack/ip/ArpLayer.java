/*
 * ArpLayer: Address Resolution Protocol for IPv4 over Ethernet (RFC 826) with a cache of bounded size whose entries
 * expire (RFC 1122 2.3.2.1: flush out-of-date entries; 2.3.2.2: queue at least one packet awaiting resolution).
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import io.ustack.engine.StackCounters;
import io.ustack.engine.TimerWheel;
import io.ustack.link.Link;
import io.ustack.wire.ArpPacket;
import io.ustack.wire.DropReason;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.TcpSegmentation;
import io.ustack.wire.MacAddress;

import java.util.ArrayDeque;

/**
 * ARP requests, replies and the neighbour cache of one Ethernet interface. Engine thread only.
 *
 * <p>Resolution: a packet for an unknown next hop is queued on an incomplete entry (at most {@link #MAX_PENDING}) and
 * a broadcast request is sent; requests are repeated every {@code retryNanos} up to {@link #MAX_REQUESTS} times, then
 * the queued packets are dropped (counted as {@link DropReason#ARP_UNRESOLVED}). A resolved entry lives
 * {@code reachableNanos} after its last confirmation; a little before that, use of the entry sends a unicast request
 * to refresh it without stalling traffic.
 */
public final class ArpLayer {
    static final int MAX_PENDING = 64;
    static final int MAX_REQUESTS = 3;
    static final int MAX_ENTRIES = 4096;

    private final Link link;
    private final ByteBufAllocator alloc;
    private final TimerWheel timers;
    private final StackCounters counters;
    private final ArpPacket arp = new ArpPacket();
    private final IntObjectHashMap<ArpEntry> entries = new IntObjectHashMap<>();
    private final long reachableNanos;
    private final long retryNanos;
    private int localIp;
    /** One-entry cache of the last lookup (the hot path sends to one next hop most of the time). */
    private ArpEntry last;

    public ArpLayer(Link link, ByteBufAllocator alloc, TimerWheel timers, StackCounters counters,
                    long reachableNanos, long retryNanos) {
        this.link = link;
        this.alloc = alloc;
        this.timers = timers;
        this.counters = counters;
        this.reachableNanos = reachableNanos;
        this.retryNanos = retryNanos;
    }

    void localAddress(int ip) {
        this.localIp = ip;
    }

    /** The cached MAC for {@code ip}, or -1. Does not send anything. */
    public long cached(int ip) {
        ArpEntry e = entries.get(ip);
        return e != null && e.resolved() ? e.mac : -1;
    }

    public int size() {
        return entries.size();
    }

    /** Input of one ARP packet (RFC 826 "packet reception"). */
    public void input(ByteBuf frame, int offset, int length, long now) {
        DropReason r = arp.wrap(frame, offset, length).check();
        if (r != DropReason.NONE) {
            counters.drop(r);
            return;
        }
        int spa = arp.senderProtocol();
        long sha = arp.senderHardware();
        int tpa = arp.targetProtocol();
        if (spa == localIp && spa != 0) {
            counters.drop(DropReason.BAD_ADDRESS); // someone else claims our address
            return;
        }
        boolean forUs = tpa == localIp && localIp != 0;
        ArpEntry e = entries.get(spa);
        // RFC 826: update an existing entry (merge flag); create one only if the packet is for us.
        if (e != null) {
            confirm(e, sha, now);
        } else if (forUs && spa != 0 && !MacAddress.isMulticast(sha)) {
            e = newEntry(spa);
            if (e != null) {
                confirm(e, sha, now);
            }
        }
        if (!forUs) {
            counters.drop(DropReason.NOT_FOR_US);
            return;
        }
        if (arp.operation() == ArpPacket.OP_REQUEST) {
            sendArp(ArpPacket.OP_REPLY, sha, sha, spa);
            counters.arpRepliesSent++;
        }
    }

    private ArpEntry newEntry(int ip) {
        if (entries.size() >= MAX_ENTRIES) {
            return null;
        }
        ArpEntry e = new ArpEntry(ip, this::onTimer);
        entries.put(ip, e);
        return e;
    }

    private void confirm(ArpEntry e, long mac, long now) {
        e.mac = mac;
        e.state = ArpEntry.State.REACHABLE;
        e.confirmedAt = now;
        e.requestsSent = 0;
        timers.schedule(e.timer, now + reachableNanos);
        if (e.pending != null) {
            ByteBuf b;
            while ((b = e.pending.poll()) != null) {
                transmitIp(b, mac);
            }
        }
    }

    private void onTimer(ArpEntry e, long now) {
        if (e.resolved()) {
            if (now - e.confirmedAt >= reachableNanos) {
                remove(e); // expired (RFC 1122 2.3.2.1)
            } else {
                timers.schedule(e.timer, e.confirmedAt + reachableNanos);
            }
            return;
        }
        if (e.requestsSent >= MAX_REQUESTS) {
            int n = e.dropPending();
            for (int i = 0; i < n; i++) {
                counters.drop(DropReason.ARP_UNRESOLVED);
            }
            remove(e);
            return;
        }
        request(e, MacAddress.BROADCAST, now);
    }

    private void remove(ArpEntry e) {
        timers.cancel(e.timer);
        e.dropPending();
        entries.remove(e.ip);
        if (last == e) {
            last = null;
        }
    }

    private void request(ArpEntry e, long dstMac, long now) {
        e.requestsSent++;
        e.lastRequestAt = now;
        sendArp(ArpPacket.OP_REQUEST, dstMac, 0L, e.ip);
        counters.arpRequestsSent++;
        if (!e.resolved()) {
            timers.schedule(e.timer, now + retryNanos);
        }
    }

    private void sendArp(int op, long ethDst, long tha, int tpa) {
        ByteBuf b = alloc.directBuffer(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH);
        EthernetFrame.emit(b, 0, ethDst, link.macAddress(), EthernetFrame.TYPE_ARP);
        ArpPacket.emit(b, EthernetFrame.HEADER_LENGTH, op, link.macAddress(), localIp, tha, tpa);
        b.writerIndex(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH);
        transmit(b);
    }

    /**
     * Sends an IP packet (readable bytes start at the IP header, Ethernet head room in front) to {@code nextHop},
     * resolving it first if needed. Takes ownership of {@code ipPacket}.
     */
    boolean send(ByteBuf ipPacket, int nextHop, long now) {
        ArpEntry e = resolvedEntry(nextHop, now);
        if (e != null) {
            return transmitIp(ipPacket, e.mac);
        }
        e = entries.get(nextHop);
        if (e == null) {
            e = newEntry(nextHop);
            if (e == null) {
                ipPacket.release();
                counters.drop(DropReason.ARP_UNRESOLVED);
                return false;
            }
            request(e, MacAddress.BROADCAST, now);
        }
        if (e.pending == null) {
            e.pending = new ArrayDeque<>(8);
        }
        if (e.pending.size() >= MAX_PENDING) {
            ipPacket.release();
            counters.drop(DropReason.ARP_UNRESOLVED);
            return false;
        }
        e.pending.add(ipPacket);
        return true;
    }

    /** The resolved entry for {@code nextHop} (refreshed when it nears expiry), or null. */
    private ArpEntry resolvedEntry(int nextHop, long now) {
        ArpEntry e = last;
        if (e == null || e.ip != nextHop) {
            e = entries.get(nextHop);
        }
        if (e == null || !e.resolved()) {
            return null;
        }
        last = e;
        if (now - e.confirmedAt > reachableNanos - reachableNanos / 8 && now - e.lastRequestAt > retryNanos) {
            request(e, e.mac, now); // refresh before expiry, unicast (RFC 1122 2.3.2.1 "unicast poll")
        }
        return e;
    }

    /**
     * As {@link #send} for a TCP super-segment the link cuts into {@code gsoSize} pieces (Link#transmitTcpSegments).
     * While the next hop is unresolved it is cut here, and the pieces wait like any packet.
     */
    boolean sendTcpSegments(ByteBuf ipPacket, int nextHop, int gsoSize, long now) {
        ArpEntry e = resolvedEntry(nextHop, now);
        if (e == null) {
            return TcpSegmentation.segment(ipPacket, 0, gsoSize, EthernetFrame.HEADER_LENGTH,
                    piece -> send(piece, nextHop, now));
        }
        return transmitIp(ipPacket, e.mac, gsoSize);
    }

    /** Sends to the Ethernet broadcast address (for IP broadcast destinations). */
    boolean sendBroadcast(ByteBuf ipPacket) {
        return transmitIp(ipPacket, MacAddress.BROADCAST);
    }

    /** Sends to a given Ethernet address without resolution (IP multicast, RFC 1112 6.4). Takes ownership. */
    boolean sendToMac(ByteBuf ipPacket, long dstMac) {
        return transmitIp(ipPacket, dstMac);
    }

    private boolean transmitIp(ByteBuf ipPacket, long dstMac) {
        return transmitIp(ipPacket, dstMac, 0);
    }

    private boolean transmitIp(ByteBuf ipPacket, long dstMac, int gsoSize) {
        int start = ipPacket.readerIndex() - EthernetFrame.HEADER_LENGTH;
        EthernetFrame.emit(ipPacket, start, dstMac, link.macAddress(), EthernetFrame.TYPE_IPV4);
        ipPacket.readerIndex(start);
        return transmit(ipPacket, gsoSize);
    }

    private boolean transmit(ByteBuf frame) {
        return transmit(frame, 0);
    }

    /** Hands a frame to the link (cut into {@code gsoSize} pieces there if not 0) and counts it. */
    private boolean transmit(ByteBuf frame, int gsoSize) {
        return LinkOutput.transmit(link, counters, frame, gsoSize);
    }

    /** Drops every entry and waiting packet (stack shutdown). */
    public void clear() {
        for (ArpEntry e : entries.values().toArray(new ArpEntry[0])) {
            remove(e);
        }
    }
}
