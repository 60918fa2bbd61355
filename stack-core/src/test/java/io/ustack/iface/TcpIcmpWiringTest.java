package io.ustack.iface;

import io.netty.buffer.ByteBuf;
import io.ustack.api.Stack;
import io.ustack.api.TcpSocket;
import io.ustack.engine.ManualClock;
import io.ustack.link.InMemoryLink;
import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.testing.RawPeer;
import io.ustack.wire.ArpPacket;
import io.ustack.wire.DropReason;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.Icmpv4Packet;
import io.ustack.wire.Ipv4Address;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.MacAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ICMP errors reach TCP through the whole stack (Ethernet, IPv4, ICMP, TCP): RFC 1122 4.2.3.9. */
class TcpIcmpWiringTest extends StackWithRawPeer {
    static final int US = Ipv4Address.parse("10.9.0.2");
    static final int PEER = Ipv4Address.parse("10.9.0.1");

    ManualClock clock = new ManualClock();
    long stackMac;

    @BeforeEach
    void setUp() {
        InMemoryLink[] pair = InMemoryLink.pair(1500);
        stack = Stack.builder(pair[0]).clock(clock).ipv4("10.9.0.2/24").build();
        peer = new RawPeer(pair[1]);
        stackMac = pair[0].macAddress();
        peer.sendArp(ArpPacket.OP_REQUEST, MacAddress.BROADCAST, 0, PEER, US);
        pump();
        peer.received();
    }


    /** Sends ICMP type/code quoting the IP header and first 8 TCP bytes of {@code frame} (one of the stack's). */
    private void icmpAbout(ByteBuf frame, int type, int code, int seqDelta) {
        int ip = EthernetFrame.HEADER_LENGTH;
        int quoted = Ipv4Packet.MIN_HEADER_LENGTH + 8;
        ByteBuf icmp = peer.allocate(Icmpv4Packet.HEADER_LENGTH + quoted);
        Icmpv4Packet.emitHeader(icmp, 0, type, code, 0);
        icmp.writerIndex(Icmpv4Packet.HEADER_LENGTH);
        icmp.writeBytes(frame, ip, quoted);
        int seqAt = Icmpv4Packet.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH + 4;
        icmp.setInt(seqAt, icmp.getInt(seqAt) + seqDelta);
        Icmpv4Packet.fillChecksum(icmp, 0, icmp.readableBytes());
        peer.sendIpv4(stackMac, PEER, US, Ipv4Packet.PROTOCOL_ICMP, icmp);
        pump();
    }

    @Test
    void portUnreachableForOurSynFailsTheConnect() {
        CompletableFuture<TcpSocket> f = stack.connect(new InetSocketAddress("10.9.0.1", 80));
        pump();
        List<ByteBuf> out = peer.received();
        assertThat(out).hasSize(1); // the SYN
        ByteBuf syn = out.get(0);
        assertThat((int) syn.getUnsignedByte(EthernetFrame.HEADER_LENGTH + Ipv4Packet.PROTOCOL_OFFSET))
                .isEqualTo(Ipv4Packet.PROTOCOL_TCP);
        // quoting a sequence number we never sent: ignored
        icmpAbout(syn, Icmpv4Packet.TYPE_DEST_UNREACHABLE, Icmpv4Packet.CODE_PORT_UNREACHABLE, 12345);
        assertThat(f).isNotDone();
        assertThat(stack.counters().drops(DropReason.ICMP_IGNORED)).isEqualTo(1);
        // quoting our SYN: connection refused
        icmpAbout(syn, Icmpv4Packet.TYPE_DEST_UNREACHABLE, Icmpv4Packet.CODE_PORT_UNREACHABLE, 0);
        assertThat(f).isCompletedExceptionally();
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOfSatisfying(WsaException.class,
                        e -> assertThat(e.error()).isEqualTo(WsaError.WSAECONNREFUSED));
    }
}
