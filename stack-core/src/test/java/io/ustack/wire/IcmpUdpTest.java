/*
 * IcmpUdpTest: ICMPv4 (RFC 792) and UDP (RFC 768) views against hand-built fixtures whose checksums are verified by
 * independent arithmetic, round trips and every check() outcome.
 */
package io.ustack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IcmpUdpTest extends BufferTest {
    static final int A = 0x0a00_0001;
    static final int B = 0x0a00_0002;
    /** ICMP part of Ipv4PacketTest.PING_FRAME. */
    static final String ECHO_REQUEST = "08 00 3efc 0042 0001 101112131415161718191a1b1c1d1e1f";
    /** IPv4 10.0.0.1 -> 10.0.0.2 + UDP 5353 -> 53 "hello" (odd length). */
    static final String UDP_PACKET = "4500 0021 0001 0000 40 11 66c9 0a000001 0a000002"
            + "14e9 0035 000d 92e1 68656c6c6f";

    @Test
    void icmpFixtureChecksum() {
        byte[] m = bytes(ECHO_REQUEST);
        assertThat(naiveChecksum(m)).isZero();
        m[2] = 0;
        m[3] = 0;
        assertThat(naiveChecksum(m)).isEqualTo(0x3efc);
    }

    @Test
    void parsesEchoRequest() {
        ByteBuf b = hex(ECHO_REQUEST);
        Icmpv4Packet icmp = new Icmpv4Packet().wrap(b, 0, 24);
        assertThat(icmp.check()).isEqualTo(DropReason.NONE);
        assertThat(icmp.type()).isEqualTo(Icmpv4Packet.TYPE_ECHO_REQUEST);
        assertThat(icmp.code()).isZero();
        assertThat(icmp.checksum()).isEqualTo(0x3efc);
        assertThat(icmp.restOfHeader()).isEqualTo(0x0042_0001);
        assertThat(icmp.identifier()).isEqualTo(0x42);
        assertThat(icmp.sequence()).isEqualTo(1);
        assertThat(icmp.payloadOffset()).isEqualTo(8);
        assertThat(icmp.payloadLength()).isEqualTo(16);
        byte[] data = bytes("101112131415161718191a1b1c1d1e1f");
        assertThat(Icmpv4Repr.parse(icmp)).isEqualTo(Icmpv4Repr.echo(8, 0x42, 1, data));
    }

    @Test
    void emitsEchoRequestBytes() {
        ByteBuf b = zeros(24);
        Icmpv4Packet.emitHeader(b, 0, 8, 0, 0x0042_0001);
        assertThat(b.getUnsignedShort(2)).isZero();
        b.setBytes(8, bytes("101112131415161718191a1b1c1d1e1f"));
        Icmpv4Packet.fillChecksum(b, 0, 24);
        assertThat(copy(b, 0, 24)).isEqualTo(bytes(ECHO_REQUEST));
    }

    @Test
    void icmpReprRoundTripOddLengthAndFragNeeded() {
        Icmpv4Repr r = new Icmpv4Repr(3, Icmpv4Packet.CODE_FRAGMENTATION_NEEDED, 1400, bytes("4500001c0bad"));
        ByteBuf b = zeros(r.bufferLength() + 3);
        r.emit(b, 3);
        Icmpv4Packet icmp = new Icmpv4Packet().wrap(b, 3, r.bufferLength());
        assertThat(icmp.check()).isEqualTo(DropReason.NONE);
        assertThat(icmp.nextHopMtu()).isEqualTo(1400);
        assertThat(Icmpv4Repr.parse(icmp)).isEqualTo(r);
        Icmpv4Repr odd = new Icmpv4Repr(0, 0, 7, bytes("ff"));
        ByteBuf c = zeros(odd.bufferLength());
        odd.emit(c, 0);
        assertThat(naiveChecksum(copy(c, 0, 9))).isZero();
        assertThat(icmp.wrap(c, 0, 9).check()).isEqualTo(DropReason.NONE);
    }

    @Test
    void icmpDropReasons() {
        ByteBuf b = hex(ECHO_REQUEST);
        Icmpv4Packet icmp = new Icmpv4Packet();
        assertThat(icmp.wrap(b, 0, 7).check()).isEqualTo(DropReason.TRUNCATED);
        assertThat(icmp.wrap(b, 0, 23).check()).isEqualTo(DropReason.BAD_CHECKSUM); // data cut short
        b.setByte(23, 0x20);
        assertThat(icmp.wrap(b, 0, 24).check()).isEqualTo(DropReason.BAD_CHECKSUM);
    }

    @Test
    void udpFixtureChecksums() {
        byte[] p = bytes(UDP_PACKET);
        assertThat(naiveChecksum(Arrays.copyOfRange(p, 0, 20))).isZero();
        byte[] udp = Arrays.copyOfRange(p, 20, 33);
        assertThat(naiveChecksum(pseudoHeader(A, B, 17, 13), udp)).isZero();
        udp[6] = 0;
        udp[7] = 0;
        assertThat(naiveChecksum(pseudoHeader(A, B, 17, 13), udp)).isEqualTo(0x92e1);
    }

    @Test
    void parsesUdpThroughIpv4() {
        ByteBuf b = hex(UDP_PACKET);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, 0, 33);
        assertThat(ip.check()).isEqualTo(DropReason.NONE);
        assertThat(ip.protocol()).isEqualTo(Ipv4Packet.PROTOCOL_UDP);
        assertThat(ip.dontFragment()).isFalse();
        UdpDatagram udp = new UdpDatagram().wrap(b, ip.payloadOffset(), ip.payloadLength());
        assertThat(udp.check(ip.source(), ip.destination())).isEqualTo(DropReason.NONE);
        assertThat(udp.sourcePort()).isEqualTo(5353);
        assertThat(udp.destinationPort()).isEqualTo(53);
        assertThat(udp.length()).isEqualTo(13);
        assertThat(udp.checksum()).isEqualTo(0x92e1);
        assertThat(udp.payloadOffset()).isEqualTo(28);
        assertThat(udp.payloadLength()).isEqualTo(5);
        assertThat(UdpRepr.parse(udp)).isEqualTo(new UdpRepr(5353, 53, "hello".getBytes()));
        // Wrong addresses in the pseudo-header fail the checksum.
        assertThat(udp.check(A, B + 1)).isEqualTo(DropReason.BAD_CHECKSUM);
    }

    @Test
    void emitsUdpBytes() {
        ByteBuf b = zeros(33);
        Ipv4Packet.emitHeader(b, 0, A, B, 17, 13, 64, 1, false);
        UdpDatagram.emitHeader(b, 20, 5353, 53, 13);
        b.setBytes(28, "hello".getBytes());
        UdpDatagram.fillChecksum(b, 20, 13, A, B);
        assertThat(copy(b, 0, 33)).isEqualTo(bytes(UDP_PACKET));
    }

    @Test
    void computedZeroIsSentAsAllOnes() {
        // Find a payload for which the checksum computes to 0: the 16-bit data word must make the sum 0xffff.
        ByteBuf b = zeros(10);
        UdpDatagram.emitHeader(b, 0, 1, 2, 10);
        int partial = Checksum.sum(b, 0, 10, Checksum.pseudoHeaderV4(A, B, 17, 10));
        b.setShort(8, ~partial & 0xffff); // now everything sums to 0xffff, checksum would be 0
        assertThat(Checksum.finish(Checksum.sum(b, 0, 10, Checksum.pseudoHeaderV4(A, B, 17, 10)))).isZero();
        UdpDatagram.fillChecksum(b, 0, 10, A, B);
        assertThat(b.getUnsignedShort(6)).isEqualTo(0xffff);
        assertThat(new UdpDatagram().wrap(b, 0, 10).check(A, B)).isEqualTo(DropReason.NONE);
    }

    @Test
    void udpReprRoundTrips() {
        UdpRepr r = new UdpRepr(65535, 1, bytes("00010203040506"));
        ByteBuf b = zeros(r.bufferLength() + 20);
        r.emit(b, 1, A, B);
        UdpDatagram udp = new UdpDatagram().wrap(b, 1, r.bufferLength() + 4); // trailing bytes beyond length ok
        assertThat(udp.check(A, B)).isEqualTo(DropReason.NONE);
        assertThat(UdpRepr.parse(udp)).isEqualTo(r);
        assertThat(udp.checksum()).isNotZero();

        ByteBuf c = zeros(r.bufferLength());
        r.emit(c, 0);
        assertThat(c.getUnsignedShort(6)).isZero();
        assertThat(udp.wrap(c, 0, r.bufferLength()).check(0x01020304, 0x05060708)).isEqualTo(DropReason.NONE);
        assertThat(UdpRepr.parse(udp)).isEqualTo(r);
    }

    @Test
    void udpDropReasons() {
        UdpDatagram udp = new UdpDatagram();
        ByteBuf b = hex(UDP_PACKET);
        assertThat(udp.wrap(b, 20, 7).check(A, B)).isEqualTo(DropReason.TRUNCATED);
        assertThat(udp.wrap(b, 20, 12).check(A, B)).isEqualTo(DropReason.BAD_LENGTH); // length 13 > 12
        ByteBuf shortLen = hex(UDP_PACKET);
        shortLen.setShort(24, 7);
        assertThat(udp.wrap(shortLen, 20, 13).check(A, B)).isEqualTo(DropReason.BAD_LENGTH);
        ByteBuf corrupt = hex(UDP_PACKET);
        corrupt.setByte(32, 'O');
        assertThat(udp.wrap(corrupt, 20, 13).check(A, B)).isEqualTo(DropReason.BAD_CHECKSUM);
        corrupt.setShort(26, 0); // "no checksum": accepted for IPv4
        assertThat(udp.wrap(corrupt, 20, 13).check(A, B)).isEqualTo(DropReason.NONE);
    }
}
