/*
 * StackUnderFuzz: the fixture of the receive-path fuzzers. One Stack, not started (its loop is run by hand until
 * idle), on an in-memory link whose far end is a RawPeer, with a ManualClock, a fixed random seed and a
 * TrackingAllocator, so a run is deterministic and the leak check exact. The stack has a TCP listener, an established
 * TCP connection opened by a hand-made handshake (with data the stack wrote and the peer has not acknowledged, so
 * ACKs, SACKs and ICMP errors about it matter; the stack writes as much on every connection it accepts later), a
 * bound UDP socket and a joined multicast group.
 *
 * assertStillWorks() is the "engine stays usable" invariant: after any input a ping is answered, a UDP datagram
 * reaches its socket, and a new TCP connection carries data both ways. close() fails if any buffer the stack
 * allocated is still held once it has shut down.
 */
package io.ustack.fuzz;

import io.netty.buffer.ByteBuf;
import io.ustack.api.Datagram;
import io.ustack.api.Stack;
import io.ustack.api.TcpServerSocket;
import io.ustack.api.TcpSocket;
import io.ustack.api.UdpSocket;
import io.ustack.engine.ManualClock;
import io.ustack.engine.StackCounters;
import io.ustack.link.InMemoryLink;
import io.ustack.tcp.TcpConfig;
import io.ustack.tcp.TrackingAllocator;
import io.ustack.testing.RawPeer;
import io.ustack.wire.ArpPacket;
import io.ustack.wire.DropReason;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.Icmpv4Packet;
import io.ustack.wire.Ipv4Address;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.MacAddress;
import io.ustack.wire.TcpOptionsRepr;
import io.ustack.wire.TcpRepr;
import io.ustack.wire.TcpSegment;
import io.ustack.wire.UdpRepr;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** A stack with sockets in every state the receive path cares about, and its hand-driven peer. */
final class StackUnderFuzz implements AutoCloseable {
    static final int US = Ipv4Address.parse("10.9.0.2");
    static final int PEER = Ipv4Address.parse("10.9.0.1");
    /** A multicast group the stack has joined. */
    static final int GROUP = Ipv4Address.parse("224.1.2.3");
    /** The listener fuzzed SYNs go to; the established connection was accepted from it. */
    static final int LISTEN_PORT = 80;
    /** A listener only assertStillWorks() connects to. */
    static final int CHECK_PORT = 81;
    static final int UDP_PORT = 7000;
    static final int PEER_PORT = 40000;
    static final int CHECK_PEER_PORT = 41000;
    static final int PEER_ISS = 0x1000_0000;
    /** Bytes the stack wrote on the established connection before the fuzzed frames (none acknowledged). */
    static final int UNACKED_BYTES = 3000;
    /** Frames or records of one fuzz input at most (so the socket queues cannot fill up legitimately). */
    static final int MAX_RECORDS = 64;
    private static final List<Field> COUNTER_FIELDS = Arrays.stream(StackCounters.class.getFields())
            .filter(f -> f.getType() == long.class && !Modifier.isStatic(f.getModifiers())).toList();

    final ManualClock clock = new ManualClock();
    final TrackingAllocator alloc = new TrackingAllocator();
    final Stack stack;
    final RawPeer peer;
    final long stackMac;
    final TcpSocket connection;
    /** The stack's initial sequence number on the established connection. */
    final int stackIss;
    /** The connections the stack accepted on LISTEN_PORT, by the peer's port (on each it wrote UNACKED_BYTES). */
    final Map<Integer, TcpSocket> accepted = new HashMap<>();
    private final TcpServerSocket checkListener;
    private final UdpSocket udp;

    /** {@code handshake} picks the options of the peer's SYN: bit 0 timestamps, bit 1 SACK-permitted, bit 2 WS. */
    StackUnderFuzz(int handshake) {
        InMemoryLink[] pair = InMemoryLink.pair(1500);
        stack = Stack.builder(pair[0]).clock(clock).ipv4("10.9.0.2/24").allocator(alloc)
                .tcp(new TcpConfig().allocator(alloc)).random(new SplittableRandom(7)).build();
        peer = new RawPeer(pair[1]);
        stackMac = pair[0].macAddress();
        peer.sendArp(ArpPacket.OP_REQUEST, MacAddress.BROADCAST, 0, PEER, US);
        exchange();
        TcpServerSocket listener = await(stack.listen(LISTEN_PORT, 16));
        checkListener = await(stack.listen(CHECK_PORT, 4));
        udp = await(stack.openUdp(UDP_PORT));
        await(stack.call(iface -> iface.ipv4().multicast().join(GROUP, clock.nanos())));
        TcpOptionsRepr syn = new TcpOptionsRepr(1460, (handshake & 4) != 0 ? 7 : -1, (handshake & 2) != 0,
                (handshake & 1) != 0, 1000, 0, new int[0]);
        Opened opened = handshake(listener, PEER_PORT, LISTEN_PORT, syn);
        connection = opened.socket;
        stackIss = opened.iss;
        serve(listener, opened.socket);
        exchange();
    }

    /** Writes UNACKED_BYTES on {@code socket}, posts a read, and does the same for the listener's next connection. */
    private void serve(TcpServerSocket listener, TcpSocket socket) {
        accepted.put(socket.remoteAddress().getPort(), socket);
        socket.write(ByteBuffer.wrap(new byte[UNACKED_BYTES]));
        socket.read(ByteBuffer.allocate(1 << 16));
        listener.accept().thenAccept(next -> serve(listener, next));
    }

    private record Opened(TcpSocket socket, int iss) {}

    /** Opens a connection from the peer's {@code peerPort} to {@code port}, returns it with the stack's ISS. */
    private Opened handshake(TcpServerSocket listener, int peerPort, int port, TcpOptionsRepr synOptions) {
        CompletableFuture<TcpSocket> accepted = listener.accept();
        sendTcp(peerPort, port, PEER_ISS, 0, TcpSegment.SYN, synOptions, new byte[0]);
        TcpRepr synAck = segmentTo(exchange(), peerPort, TcpSegment.SYN | TcpSegment.ACK);
        assertThat(synAck).as("SYN-ACK to port %d", peerPort).isNotNull();
        TcpOptionsRepr ackOptions = synAck.options().timestamps()
                ? new TcpOptionsRepr(-1, -1, false, true, 1001, synAck.options().tsVal(), new int[0])
                : TcpOptionsRepr.NONE;
        sendTcp(peerPort, port, PEER_ISS + 1, synAck.sequenceNumber() + 1, TcpSegment.ACK, ackOptions, new byte[0]);
        return new Opened(await(accepted), synAck.sequenceNumber());
    }

    void sendTcp(int srcPort, int dstPort, int seq, int ack, int flags, TcpOptionsRepr options,
            byte[] payload) {
        TcpRepr repr = new TcpRepr(srcPort, dstPort, seq, ack, flags, 65535, 0, options, payload);
        ByteBuf b = peer.allocate(repr.bufferLength());
        repr.emit(b, 0, PEER, US);
        b.writerIndex(repr.bufferLength());
        peer.sendIpv4(stackMac, PEER, US, Ipv4Packet.PROTOCOL_TCP, b);
    }

    /** Runs the stack until idle, answering its ARP requests for the peer; returns the other frames it sent. */
    List<ByteBuf> exchange() {
        List<ByteBuf> frames = new ArrayList<>();
        for (int round = 0; round < 8; round++) {
            stack.loop().runUntilIdle(100);
            List<ByteBuf> got = peer.received();
            if (got.isEmpty()) {
                break;
            }
            for (ByteBuf f : got) {
                ArpPacket arp = new ArpPacket().wrap(f, EthernetFrame.HEADER_LENGTH,
                        f.readableBytes() - EthernetFrame.HEADER_LENGTH);
                if (f.getUnsignedShort(EthernetFrame.ETHERTYPE_OFFSET) == EthernetFrame.TYPE_ARP
                        && arp.check() == DropReason.NONE && arp.operation() == ArpPacket.OP_REQUEST
                        && arp.targetProtocol() == PEER) {
                    peer.sendArp(ArpPacket.OP_REPLY, stackMac, stackMac, PEER, US);
                } else {
                    frames.add(f);
                }
            }
        }
        return frames;
    }

    private <T> T await(CompletableFuture<T> f) {
        exchange();
        assertThat(f).isCompleted();
        return f.join();
    }

    /** The IPv4 packet of a frame the stack sent (checked), or null if it carries none. */
    private static Ipv4Packet ipv4(ByteBuf frame, int protocol) {
        Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LENGTH,
                frame.readableBytes() - EthernetFrame.HEADER_LENGTH);
        return frame.getUnsignedShort(EthernetFrame.ETHERTYPE_OFFSET) == EthernetFrame.TYPE_IPV4
                && ip.check() == DropReason.NONE && ip.protocol() == protocol && !ip.isFragment() ? ip : null;
    }

    /** The last TCP segment to the peer's {@code peerPort} with all of {@code flags} among {@code frames}. */
    static TcpRepr segmentTo(List<ByteBuf> frames, int peerPort, int flags) {
        TcpRepr found = null;
        for (ByteBuf f : frames) {
            Ipv4Packet ip = ipv4(f, Ipv4Packet.PROTOCOL_TCP);
            if (ip != null) {
                TcpSegment s = new TcpSegment().wrap(f, ip.payloadOffset(), ip.payloadLength());
                if (s.check(US, PEER) == DropReason.NONE && s.destinationPort() == peerPort
                        && (s.flags() & flags) == flags) {
                    found = TcpRepr.parse(s);
                }
            }
        }
        return found;
    }

    /** Every counter of the stack, drops by reason included, as one array (see assertNoCounterDecreased). */
    long[] counters() {
        StackCounters c = stack.counters();
        DropReason[] reasons = DropReason.values();
        long[] v = new long[COUNTER_FIELDS.size() + reasons.length];
        for (int i = 0; i < COUNTER_FIELDS.size(); i++) {
            try {
                v[i] = COUNTER_FIELDS.get(i).getLong(c);
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        for (DropReason r : reasons) {
            v[COUNTER_FIELDS.size() + r.ordinal()] = c.drops(r);
        }
        return v;
    }

    /** Counters only go up. */
    void assertNoCounterDecreased(long[] before) {
        long[] now = counters();
        for (int i = 0; i < now.length; i++) {
            String name = i < COUNTER_FIELDS.size() ? COUNTER_FIELDS.get(i).getName()
                    : "drops(" + DropReason.of(i - COUNTER_FIELDS.size()) + ")";
            assertThat(now[i]).as("counter %s", name).isGreaterThanOrEqualTo(before[i]);
        }
    }

    /** A normal exchange after the fuzzed frames: ping, a UDP datagram, a new TCP connection with data both ways. */
    void assertStillWorks() {
        ByteBuf echo = peer.allocate(16);
        Icmpv4Packet.emitHeader(echo, 0, Icmpv4Packet.TYPE_ECHO_REQUEST, 0, 0x4242_0001);
        echo.writerIndex(Icmpv4Packet.HEADER_LENGTH).writeLong(0x616c_6976_6521_2121L);
        Icmpv4Packet.fillChecksum(echo, 0, echo.readableBytes());
        peer.sendIpv4(stackMac, PEER, US, Ipv4Packet.PROTOCOL_ICMP, echo);
        assertThat(exchange()).as("an echo reply").anySatisfy(f -> {
            Ipv4Packet ip = ipv4(f, Ipv4Packet.PROTOCOL_ICMP);
            assertThat(ip).isNotNull();
            Icmpv4Packet reply = new Icmpv4Packet().wrap(f, ip.payloadOffset(), ip.payloadLength());
            assertThat(reply.check()).isEqualTo(DropReason.NONE);
            assertThat(reply.type()).isEqualTo(Icmpv4Packet.TYPE_ECHO_REPLY);
            assertThat(reply.restOfHeader()).isEqualTo(0x4242_0001);
        });

        byte[] marker = "still here".getBytes(StandardCharsets.US_ASCII);
        UdpRepr datagram = new UdpRepr(5555, UDP_PORT, marker);
        ByteBuf u = peer.allocate(datagram.bufferLength());
        datagram.emit(u, 0, PEER, US);
        u.writerIndex(datagram.bufferLength());
        peer.sendIpv4(stackMac, PEER, US, Ipv4Packet.PROTOCOL_UDP, u);
        exchange();
        boolean delivered = false;
        for (int i = 0; i < 2 * MAX_RECORDS + 1 && !delivered; i++) {
            CompletableFuture<Datagram> rx = udp.receive();
            stack.loop().runUntilIdle(100);
            assertThat(rx).as("a queued UDP datagram").isCompleted();
            ByteBuffer data = rx.join().data();
            delivered = data.equals(ByteBuffer.wrap(marker));
        }
        assertThat(delivered).as("the UDP marker datagram was received").isTrue();

        Opened check = handshake(checkListener, CHECK_PEER_PORT, CHECK_PORT, TcpOptionsRepr.NONE);
        ByteBuffer in = ByteBuffer.allocate(64);
        CompletableFuture<Integer> read = check.socket.read(in);
        sendTcp(CHECK_PEER_PORT, CHECK_PORT, PEER_ISS + 1, check.iss + 1, TcpSegment.ACK | TcpSegment.PSH,
                TcpOptionsRepr.NONE, "ping".getBytes(StandardCharsets.US_ASCII));
        assertThat(await(read)).isEqualTo(4);
        assertThat(new String(in.array(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("ping");
        check.socket.write(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));
        TcpRepr pong = segmentTo(exchange(), CHECK_PEER_PORT, TcpSegment.ACK);
        assertThat(pong).as("the stack's data segment").isNotNull();
        assertThat(new String(pong.payload(), StandardCharsets.US_ASCII)).isEqualTo("pong");
    }

    /** Shuts the stack down and fails if it still holds a buffer it allocated. */
    @Override
    public void close() {
        stack.close();
        peer.close();
        alloc.assertAllReleased();
    }
}
