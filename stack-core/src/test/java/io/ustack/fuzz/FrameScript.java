/*
 * FrameScript: turns a fuzz input into frames built from valid templates with fuzzed fields, sent at a
 * StackUnderFuzz. Checksums are recomputed after the fields are set (so the fuzzer gets past them) unless the input
 * asks for a broken one. The input is a list of records, each read with a FuzzCursor by one record() call:
 *
 *   op u8, mut u8, then the IP fields mut asks for, in this order:
 *     mut 0x02  IP options: n = u8 % 11 words, then 4n bytes          (IHL = 5 + n)
 *     mut 0x04  tos u8, identification u16, flags+fragment u16, ttl u8 (else 0, 1, 0, 64)
 *     mut 0x08  total length u16 (the header checksum still fits it)
 *     mut 0x20  trailer u8: < 128 adds that many zero bytes of padding, else cuts (value - 128) bytes off the frame
 *     mut 0x40  source choice u8, destination choice u8                (else peer -> us; see SOURCES, DESTINATIONS)
 *     mut 0x80  Ethernet destination choice u8                         (else the stack's MAC)
 *     mut 0x01  a wrong transport checksum; mut 0x10 a wrong IPv4 header checksum (no fields)
 *   then the fields of the op (op u8 % 12):
 *     0 TCP on the current connection (at first the fixture's established one): flags u8, seq delta s16 (from the
 *       peer's next sequence number), ack delta s16 (from the stack's ISS + 1), window u16, urgent u16, options,
 *       payload
 *     1 TCP to the listener: source port u16, seq u32, ack u32, flags u8, window u16, urgent u16, options, payload;
 *       a lone SYN answered by a SYN-ACK is acknowledged, and that connection becomes the current one
 *     2 UDP: port choice u8 (socket, socket, closed, u16), source port u16, udp flags u8 (1: no checksum, 2: length
 *       field u16 follows), payload
 *     3 ICMP: type u8, code u8, rest of header u32, payload
 *     4 ICMP error about the current connection: type/code u8 u8, next-hop MTU u16, quoted seq delta s16 (from the stack's
 *       ISS + 1), quoted total length u16, quoted IHL u8 (used if >= 0x80), extra quoted bytes u8 % 64
 *     5 ARP: operation u16 % 4, sender MAC choice u8, sender IP choice u8, target IP choice u8, shape u8 (1: HLEN 8,
 *       2: protocol type IPv6, 4: cut to 20 bytes)
 *     6 a whole UDP/ICMP datagram in fragments: kind u8 % 3 (UDP to the socket, UDP to a closed port, echo request),
 *       data length u16 % 4000 + 1, fragment size u8 (8-byte units), order u8 (low 3 bits: in order, reversed,
 *       rotated, one left out, one sent twice, one overlapped by other bytes; the rest picks which), identification
 *     7 one raw fragment: protocol choice u8, identification u8 % 4, offset u16 (8-byte units), MF u8 & 1, data
 *       length u16 % 1481, data (its first 64 bytes from the input)
 *     8 a raw Ethernet payload: EtherType choice u8, length u8, bytes (IPv4 header checksum fixed if mut 0x02)
 *     9 IGMP: type choice u8, max response time u8, group choice u8, extra bytes u8 % 16 (to 224.0.0.1 by default)
 *    10 time passes: u16 milliseconds
 *    11 the application acts on the current connection: u8 % 5: write (u8 + 1) * 100 bytes, shut down output,
 *       close, abort, post a read
 *   options (TCP): mask u8: 1 MSS u16, 2 WS u8, 4 SACK-permitted, 8 timestamps u32 u32, 16 SACK blocks (n = u8 % 4 + 1,
 *     each: left delta s16 from the stack's ISS + 1, length u16), 32 raw bytes (u8 % 41, then the bytes) appended;
 *     the area is cut to 40 bytes and padded with EOL
 *   payload: u8 n; n < 200: the next n bytes; else (n - 199) * 26 zero bytes
 */
package io.ustack.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ustack.api.TcpSocket;
import io.ustack.ip.IgmpLayer;
import io.ustack.wire.ArpPacket;
import io.ustack.wire.Checksum;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.Icmpv4Packet;
import io.ustack.wire.Ipv4Address;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.MacAddress;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpOptionsRepr;
import io.ustack.wire.TcpRepr;
import io.ustack.wire.TcpSegment;
import io.ustack.wire.UdpDatagram;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static io.ustack.fuzz.StackUnderFuzz.GROUP;
import static io.ustack.fuzz.StackUnderFuzz.LISTEN_PORT;
import static io.ustack.fuzz.StackUnderFuzz.PEER;
import static io.ustack.fuzz.StackUnderFuzz.PEER_ISS;
import static io.ustack.fuzz.StackUnderFuzz.PEER_PORT;
import static io.ustack.fuzz.StackUnderFuzz.UDP_PORT;
import static io.ustack.fuzz.StackUnderFuzz.US;
import static io.ustack.ip.MulticastGroups.ALL_HOSTS;

/** Plays the records of one fuzz input at a stack. */
final class FrameScript {
    private static final int OTHER_HOST = Ipv4Address.parse("10.9.0.3");
    private static final int SUBNET_BROADCAST = Ipv4Address.parse("10.9.0.255");
    private static final int[] SOURCES = {PEER, OTHER_HOST, US, SUBNET_BROADCAST, Ipv4Address.parse("224.0.0.5"),
        0, Ipv4Address.parse("192.168.1.1")};
    private static final int[] DESTINATIONS = {US, SUBNET_BROADCAST, Ipv4Address.BROADCAST,
        ALL_HOSTS, GROUP, Ipv4Address.parse("10.9.0.77"), 0};
    private static final long[] MACS = {0, MacAddress.BROADCAST, 0x01_00_5e_00_00_01L, 0x02_00_00_00_99_99L};
    private static final int CLOSED_PORT = 9;

    private final StackUnderFuzz s;
    private final FuzzCursor in;
    /** The current connection: the peer's port, its next in-order sequence number, the stack's ISS. */
    private int port = PEER_PORT;
    private int peerNext = PEER_ISS + 1;
    private int stackIss;
    /** TSval of the last timestamps option sent (echoed in the ACK of a handshake). */
    private int tsVal;

    FrameScript(StackUnderFuzz s, FuzzCursor in) {
        this.s = s;
        this.in = in;
        this.stackIss = s.stackIss;
    }

    /** IP-level fields of one record. */
    private record Ip(int mut, byte[] options, int tos, int id, int flagsFragment, int ttl, int totalLength,
            int trailer, int src, int dst, long ethDst) {
        Ip fragment(int identification, int flagsAndOffset) {
            return new Ip(mut, options, tos, identification, flagsAndOffset, ttl, totalLength, trailer, src, dst,
                    ethDst);
        }

        Ip to(int destination, int timeToLive) {
            return new Ip(mut, options, tos, id, flagsFragment, timeToLive, totalLength, trailer, src, destination,
                    ethDst);
        }
    }

    private Ip ip(int mut) {
        byte[] options = (mut & 0x02) != 0 ? in.bytes(4 * (in.u8() % 11)) : new byte[0];
        boolean fields = (mut & 0x04) != 0;
        int tos = fields ? in.u8() : 0;
        int id = fields ? in.u16() : 1;
        int flagsFragment = fields ? in.u16() : 0;
        int ttl = fields ? in.u8() : 64;
        int totalLength = (mut & 0x08) != 0 ? in.u16() : -1;
        int trailer = (mut & 0x20) != 0 ? in.u8() : 0;
        int src = (mut & 0x40) != 0 ? SOURCES[in.u8() % SOURCES.length] : PEER;
        int dst = (mut & 0x40) != 0 ? DESTINATIONS[in.u8() % DESTINATIONS.length] : US;
        long ethDst = (mut & 0x80) != 0 ? MACS[in.u8() % MACS.length] : 0;
        return new Ip(mut, options, tos, id, flagsFragment, ttl, totalLength, trailer, src, dst,
                ethDst == 0 ? s.stackMac : ethDst);
    }

    /** Reads one record and sends what it describes. */
    void record() {
        int op = in.u8() % 12;
        Ip ip = ip(in.u8());
        switch (op) {
            case 0 -> tcpOnConnection(ip);
            case 1 -> tcpToListener(ip);
            case 2 -> udp(ip);
            case 3 -> icmp(ip, in.u8(), in.u8(), in.u32(), payload());
            case 4 -> icmpErrorAboutConnection(ip);
            case 5 -> arp(ip);
            case 6 -> fragmentedDatagram(ip);
            case 7 -> rawFragment(ip);
            case 8 -> rawEthernet(ip);
            case 9 -> igmp(ip);
            case 10 -> s.clock.advanceNanos(in.u16() * 1_000_000L);
            default -> application();
        }
    }

    // ---------------------------------------------------------------- transports

    private void tcpOnConnection(Ip ip) {
        int flags = in.u8();
        int seq = peerNext + in.s16();
        int ack = stackIss + 1 + in.s16();
        int length = tcp(ip, port, LISTEN_PORT, seq, ack, flags);
        if (seq == peerNext) {
            peerNext += length + (flags & TcpSegment.SYN) / TcpSegment.SYN + (flags & TcpSegment.FIN);
        }
    }

    private void tcpToListener(Ip ip) {
        int srcPort = 1024 + in.u16() % 64512;
        int seq = in.u32();
        int ack = in.u32();
        int flags = in.u8();
        tcp(ip, srcPort, LISTEN_PORT, seq, ack, flags);
        if ((flags & (TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST)) != TcpSegment.SYN) {
            return;
        }
        TcpRepr synAck = StackUnderFuzz.segmentTo(s.exchange(), srcPort, TcpSegment.SYN | TcpSegment.ACK);
        if (synAck != null && synAck.acknowledgmentNumber() == seq + 1) {
            TcpOptionsRepr options = synAck.options().timestamps()
                    ? new TcpOptionsRepr(-1, -1, false, true, tsVal, synAck.options().tsVal(), new int[0])
                    : TcpOptionsRepr.NONE;
            s.sendTcp(srcPort, LISTEN_PORT, seq + 1, synAck.sequenceNumber() + 1, TcpSegment.ACK, options,
                    new byte[0]);
            port = srcPort;
            peerNext = seq + 1;
            stackIss = synAck.sequenceNumber();
        }
    }

    private void application() {
        int action = in.u8() % 5;
        int amount = (in.u8() + 1) * 100;
        TcpSocket socket = s.accepted.get(port);
        if (socket == null) {
            return;
        }
        switch (action) {
            case 0 -> socket.write(ByteBuffer.wrap(new byte[amount]));
            case 1 -> socket.shutdownOutput();
            case 2 -> socket.close();
            case 3 -> socket.abort();
            default -> socket.read(ByteBuffer.allocate(amount));
        }
    }

    /** Sends a TCP segment with the remaining fields from the input; returns its data length. */
    private int tcp(Ip ip, int srcPort, int dstPort, int seq, int ack, int flags) {
        int window = in.u16();
        int urgent = in.u16();
        byte[] options = tcpOptions();
        byte[] payload = payload();
        int hl = TcpSegment.MIN_HEADER_LENGTH + options.length;
        ByteBuf t = Unpooled.buffer(hl + payload.length);
        TcpSegment.emitHeader(t, 0, srcPort, dstPort, seq, ack, flags, window, null);
        t.setByte(TcpSegment.DATA_OFFSET_OFFSET, (hl >>> 2) << 4);
        t.setShort(TcpSegment.URGENT_POINTER_OFFSET, urgent);
        t.setBytes(TcpSegment.OPTIONS_OFFSET, options);
        t.setBytes(hl, payload);
        t.writerIndex(hl + payload.length);
        TcpSegment.fillChecksum(t, 0, t.readableBytes(), ip.src, ip.dst);
        sendIp(ip, Ipv4Packet.PROTOCOL_TCP, t, TcpSegment.CHECKSUM_OFFSET);
        return payload.length;
    }

    private byte[] tcpOptions() {
        int mask = in.u8();
        TcpOptions o = new TcpOptions();
        if ((mask & 1) != 0) {
            o.mss(in.u16());
        }
        if ((mask & 2) != 0) {
            o.windowScale(in.u8());
        }
        o.sackPermitted((mask & 4) != 0);
        if ((mask & 8) != 0) {
            tsVal = in.u32();
            o.timestamps(tsVal, in.u32());
        }
        if ((mask & 16) != 0) {
            for (int n = in.u8() % 4 + 1; n > 0; n--) {
                int left = stackIss + 1 + in.s16();
                o.addSackBlock(left, left + in.u16());
            }
        }
        ByteBuf area = Unpooled.buffer(2 * TcpOptions.MAX_LENGTH);
        try {
            int n = o.emit(area, 0);
            if ((mask & 32) != 0) {
                byte[] raw = in.bytes(in.u8() % (TcpOptions.MAX_LENGTH + 1));
                area.setBytes(n, raw);
                n += raw.length;
            }
            byte[] out = new byte[(Math.min(n, TcpOptions.MAX_LENGTH) + 3) & ~3];
            area.getBytes(0, out, 0, Math.min(n, out.length));
            return out;
        } finally {
            area.release();
        }
    }

    private byte[] payload() {
        int n = in.u8();
        return n < 200 ? in.bytes(n) : new byte[(n - 199) * 26];
    }

    private void udp(Ip ip) {
        int choice = in.u8() % 4;
        int dstPort = choice < 2 ? UDP_PORT : choice == 2 ? CLOSED_PORT : in.u16();
        int srcPort = in.u16();
        int udpFlags = in.u8();
        int lengthField = (udpFlags & 2) != 0 ? in.u16() : -1;
        byte[] payload = payload();
        int length = UdpDatagram.HEADER_LENGTH + payload.length;
        ByteBuf t = Unpooled.buffer(length);
        UdpDatagram.emitHeader(t, 0, srcPort, dstPort, length);
        t.writerIndex(UdpDatagram.HEADER_LENGTH).writeBytes(payload);
        if (lengthField >= 0) {
            t.setShort(UdpDatagram.LENGTH_OFFSET, lengthField);
        }
        if ((udpFlags & 1) == 0) {
            // over the bytes the length field claims when it claims fewer than there are (padding after the datagram)
            int covered = lengthField >= UdpDatagram.HEADER_LENGTH && lengthField < length ? lengthField : length;
            UdpDatagram.fillChecksum(t, 0, covered, ip.src, ip.dst);
        }
        sendIp(ip, Ipv4Packet.PROTOCOL_UDP, t, UdpDatagram.CHECKSUM_OFFSET);
    }

    private void icmp(Ip ip, int type, int code, int rest, byte[] data) {
        ByteBuf t = Unpooled.buffer(Icmpv4Packet.HEADER_LENGTH + data.length);
        Icmpv4Packet.emitHeader(t, 0, type, code, rest);
        t.writerIndex(Icmpv4Packet.HEADER_LENGTH).writeBytes(data);
        Icmpv4Packet.fillChecksum(t, 0, t.readableBytes());
        sendIp(ip, Ipv4Packet.PROTOCOL_ICMP, t, Icmpv4Packet.CHECKSUM_OFFSET);
    }

    /** An ICMP error quoting the IPv4 header and first TCP bytes of a segment the stack sent on the connection. */
    private void icmpErrorAboutConnection(Ip ip) {
        int type = in.u8();
        int code = in.u8();
        int mtu = in.u16();
        int seq = stackIss + 1 + in.s16();
        int quotedTotal = in.u16();
        int ihl = in.u8();
        int extra = in.u8() % 64;
        ByteBuf q = Unpooled.buffer(Ipv4Packet.MIN_HEADER_LENGTH + 8 + extra);
        Ipv4Packet.emitHeader(q, 0, 0, quotedTotal, 7, Ipv4Packet.FLAG_DF, 64, Ipv4Packet.PROTOCOL_TCP, US, PEER);
        if (ihl >= 0x80) {
            q.setByte(Ipv4Packet.VERSION_IHL_OFFSET, 0x40 | (ihl & 0xf));
        }
        q.setShort(Ipv4Packet.MIN_HEADER_LENGTH, LISTEN_PORT);
        q.setShort(Ipv4Packet.MIN_HEADER_LENGTH + 2, port);
        q.setInt(Ipv4Packet.MIN_HEADER_LENGTH + 4, seq);
        byte[] quote = new byte[q.capacity()];
        q.getBytes(0, quote);
        q.release();
        icmp(ip, type, code, mtu, quote);
    }

    // ---------------------------------------------------------------- ARP, fragments, raw frames, IGMP

    private void arp(Ip ip) {
        int operation = in.u16() % 4;
        long sha = switch (in.u8() % 4) {
            case 0 -> s.peer.mac;
            case 1 -> 0x02_00_00_00_99_99L;
            case 2 -> 0x01_00_5e_00_00_01L;
            default -> 0;
        };
        int spa = new int[] {PEER, OTHER_HOST, US, 0}[in.u8() % 4];
        int tpa = new int[] {US, PEER, OTHER_HOST, 0}[in.u8() % 4];
        int shape = in.u8();
        ByteBuf f = s.peer.allocate(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH + 18);
        EthernetFrame.emit(f, 0, (ip.mut & 0x80) != 0 ? ip.ethDst : MacAddress.BROADCAST, s.peer.mac,
                EthernetFrame.TYPE_ARP);
        ArpPacket.emit(f, EthernetFrame.HEADER_LENGTH, operation, sha, spa, 0, tpa);
        if ((shape & 1) != 0) {
            f.setByte(EthernetFrame.HEADER_LENGTH + ArpPacket.HLEN_OFFSET, 8);
        }
        if ((shape & 2) != 0) {
            f.setShort(EthernetFrame.HEADER_LENGTH + ArpPacket.PTYPE_OFFSET, EthernetFrame.TYPE_IPV6);
        }
        f.writerIndex(EthernetFrame.HEADER_LENGTH + ((shape & 4) != 0 ? 20 : ArpPacket.LENGTH));
        send(ip, f);
    }

    /** A whole UDP or ICMP echo datagram, cut into fragments sent in a fuzzed order (some repeated or overlapped). */
    private void fragmentedDatagram(Ip ip) {
        int kind = in.u8() % 3;
        int dataLength = in.u16() % 4000 + 1;
        int unit = (in.u8() % 185 + 1) * 8;
        int order = in.u8();
        int id = in.u16();
        byte[] data = new byte[dataLength];
        for (int i = 0; i < dataLength; i++) {
            data[i] = (byte) (i * 7 + id);
        }
        ByteBuf whole;
        int protocol;
        int checksumOffset;
        if (kind == 2) {
            whole = Unpooled.buffer(Icmpv4Packet.HEADER_LENGTH + dataLength);
            Icmpv4Packet.emitHeader(whole, 0, Icmpv4Packet.TYPE_ECHO_REQUEST, 0, id << 16 | 1);
            whole.writerIndex(Icmpv4Packet.HEADER_LENGTH).writeBytes(data);
            Icmpv4Packet.fillChecksum(whole, 0, whole.readableBytes());
            protocol = Ipv4Packet.PROTOCOL_ICMP;
            checksumOffset = Icmpv4Packet.CHECKSUM_OFFSET;
        } else {
            int length = UdpDatagram.HEADER_LENGTH + dataLength;
            whole = Unpooled.buffer(length);
            UdpDatagram.emitHeader(whole, 0, 5353, kind == 0 ? UDP_PORT : CLOSED_PORT, length);
            whole.writerIndex(UdpDatagram.HEADER_LENGTH).writeBytes(data);
            UdpDatagram.fillChecksum(whole, 0, length, ip.src, ip.dst);
            protocol = Ipv4Packet.PROTOCOL_UDP;
            checksumOffset = UdpDatagram.CHECKSUM_OFFSET;
        }
        if ((ip.mut & 0x01) != 0) {
            whole.setShort(checksumOffset, whole.getUnsignedShort(checksumOffset) ^ 0x5a5a);
        }
        List<int[]> pieces = new ArrayList<>(); // {offset, length}
        for (int off = 0; off < whole.readableBytes(); off += unit) {
            pieces.add(new int[] {off, Math.min(unit, whole.readableBytes() - off)});
        }
        int pick = (order >>> 3) % pieces.size();
        switch (order & 7) {
            case 1 -> Collections.reverse(pieces);
            case 2 -> Collections.rotate(pieces, pick);
            case 3 -> pieces.remove(pick);
            case 4 -> pieces.add(pieces.get(pick));
            case 5 -> pieces.add(pick, new int[] {-1, 0}); // marks the overlapping piece below
            default -> { }
        }
        for (int[] p : pieces) {
            if (p[0] < 0) {
                // 8 bytes into the datagram, one unit long, other bytes than the datagram's: an overlap
                int len = Math.min(unit, whole.readableBytes() - 8);
                if (len > 0) {
                    byte[] other = new byte[len];
                    Arrays.fill(other, (byte) 0xee);
                    fragment(ip, protocol, id, 8, other, 8 + len < whole.readableBytes());
                }
                continue;
            }
            byte[] bytes = new byte[p[1]];
            whole.getBytes(p[0], bytes);
            fragment(ip, protocol, id, p[0], bytes, p[0] + p[1] < whole.readableBytes());
        }
        whole.release();
    }

    private void rawFragment(Ip ip) {
        int protocol = new int[] {Ipv4Packet.PROTOCOL_UDP, Ipv4Packet.PROTOCOL_ICMP, Ipv4Packet.PROTOCOL_TCP, 99}
                [in.u8() % 4];
        int id = 0x100 + in.u8() % 4;
        int offset = (in.u16() & Ipv4Packet.FRAGMENT_OFFSET_MASK) << 3;
        boolean more = (in.u8() & 1) != 0;
        int length = in.u16() % 1481;
        byte[] data = Arrays.copyOf(in.bytes(Math.min(length, 64)), length);
        fragment(ip, protocol, id, offset, data, more);
    }

    private void fragment(Ip ip, int protocol, int id, int offset, byte[] data, boolean more) {
        int flags = (ip.flagsFragment & Ipv4Packet.FLAG_DF) | (more ? Ipv4Packet.FLAG_MF : 0) | offset >>> 3;
        sendIp(ip.fragment(id, flags), protocol, Unpooled.wrappedBuffer(data), -1);
    }

    private void rawEthernet(Ip ip) {
        int etherType = switch (in.u8() % 4) {
            case 0 -> EthernetFrame.TYPE_IPV4;
            case 1 -> EthernetFrame.TYPE_ARP;
            case 2 -> EthernetFrame.TYPE_IPV6;
            default -> in.u16();
        };
        byte[] payload = in.bytes(in.u8());
        ByteBuf f = s.peer.allocate(EthernetFrame.HEADER_LENGTH + payload.length);
        EthernetFrame.emit(f, 0, ip.ethDst, s.peer.mac, etherType);
        f.writerIndex(EthernetFrame.HEADER_LENGTH).writeBytes(payload);
        int hl = payload.length > 0 ? (payload[0] & 0xf) << 2 : 0;
        if ((ip.mut & 0x02) != 0 && etherType == EthernetFrame.TYPE_IPV4 && hl >= Ipv4Packet.MIN_HEADER_LENGTH
                && hl <= payload.length) {
            Ipv4Packet.fillChecksum(f, EthernetFrame.HEADER_LENGTH, hl);
        }
        send(ip, f);
    }

    private void igmp(Ip ip) {
        int type = new int[] {IgmpLayer.TYPE_MEMBERSHIP_QUERY, IgmpLayer.TYPE_V1_MEMBERSHIP_REPORT,
            IgmpLayer.TYPE_V2_MEMBERSHIP_REPORT, IgmpLayer.TYPE_LEAVE_GROUP, 0x22}[in.u8() % 5];
        int maxResponse = in.u8();
        int group = new int[] {0, ALL_HOSTS, GROUP, OTHER_HOST}[in.u8() % 4];
        byte[] extra = in.bytes(in.u8() % 16);
        ByteBuf t = Unpooled.buffer(IgmpLayer.LENGTH + extra.length);
        t.writeByte(type).writeByte(maxResponse).writeShort(0).writeInt(group).writeBytes(extra);
        t.setShort(IgmpLayer.CHECKSUM_OFFSET, Checksum.compute(t, 0, t.readableBytes()));
        sendIp((ip.mut & 0x40) != 0 ? ip : ip.to(ALL_HOSTS, 1), IgmpLayer.PROTOCOL, t, IgmpLayer.CHECKSUM_OFFSET);
    }

    // ---------------------------------------------------------------- IPv4 and Ethernet

    /** Wraps {@code transport} (released here) in IPv4 and Ethernet as {@code ip} says, and sends it. */
    private void sendIp(Ip ip, int protocol, ByteBuf transport, int checksumOffset) {
        if ((ip.mut & 0x01) != 0 && checksumOffset >= 0) {
            transport.setShort(checksumOffset, transport.getUnsignedShort(checksumOffset) ^ 0x5a5a);
        }
        int hl = Ipv4Packet.MIN_HEADER_LENGTH + ip.options.length;
        int length = transport.readableBytes();
        ByteBuf f = s.peer.allocate(EthernetFrame.HEADER_LENGTH + hl + length);
        EthernetFrame.emit(f, 0, ip.ethDst, s.peer.mac, EthernetFrame.TYPE_IPV4);
        int at = EthernetFrame.HEADER_LENGTH;
        Ipv4Packet.emitHeader(f, at, ip.tos, ip.totalLength >= 0 ? ip.totalLength : hl + length, ip.id,
                ip.flagsFragment, ip.ttl, protocol, ip.src, ip.dst);
        f.setByte(at + Ipv4Packet.VERSION_IHL_OFFSET, 0x40 | hl >>> 2);
        f.setBytes(at + Ipv4Packet.MIN_HEADER_LENGTH, ip.options);
        Ipv4Packet.fillChecksum(f, at, hl);
        if ((ip.mut & 0x10) != 0) {
            f.setShort(at + Ipv4Packet.CHECKSUM_OFFSET, f.getUnsignedShort(at + Ipv4Packet.CHECKSUM_OFFSET) ^ 0x0101);
        }
        f.setBytes(at + hl, transport, transport.readerIndex(), length);
        f.writerIndex(at + hl + length);
        transport.release();
        send(ip, f);
    }

    /** Applies the trailer (padding or cut) and sends the frame. */
    private void send(Ip ip, ByteBuf frame) {
        if (ip.trailer < 128) {
            frame.writeZero(ip.trailer);
        } else {
            frame.writerIndex(Math.max(0, frame.writerIndex() - (ip.trailer - 128)));
        }
        s.peer.sendFrame(frame);
    }
}
