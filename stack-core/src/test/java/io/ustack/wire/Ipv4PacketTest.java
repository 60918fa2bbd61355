/*
 * Ipv4PacketTest: IPv4 headers (RFC 791 3.1) against a hand-built ping packet whose checksums are verified by
 * independent arithmetic, emit/parse round trips and every check() outcome.
 */
package io.ustack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class Ipv4PacketTest extends BufferTest {
    /** Ethernet + IPv4 10.0.0.1 -> 10.0.0.2 id 0x1234 DF ttl 64 + ICMP echo request id 0x42 seq 1, 16 data bytes. */
    static final String PING_FRAME = "020000000002 020000000001 0800"
            + "4500 002c 1234 4000 40 01 149b 0a000001 0a000002"
            + "08 00 3efc 0042 0001 101112131415161718191a1b1c1d1e1f";

    static final int A = 0x0a00_0001;
    static final int B = 0x0a00_0002;

    @Test
    void fixtureChecksumsAreRight() {
        byte[] frame = bytes(PING_FRAME);
        byte[] ipHeader = java.util.Arrays.copyOfRange(frame, 14, 34);
        assertThat(naiveChecksum(ipHeader)).isZero();
        ipHeader[10] = 0;
        ipHeader[11] = 0;
        assertThat(naiveChecksum(ipHeader)).isEqualTo(0x149b);
    }

    @Test
    void parsesPing() {
        ByteBuf b = hex(PING_FRAME);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, 14, b.readableBytes() - 14);
        assertThat(ip.check()).isEqualTo(DropReason.NONE);
        assertThat(ip.version()).isEqualTo(4);
        assertThat(ip.headerLength()).isEqualTo(20);
        assertThat(ip.dscp()).isZero();
        assertThat(ip.ecn()).isZero();
        assertThat(ip.totalLength()).isEqualTo(44);
        assertThat(ip.identification()).isEqualTo(0x1234);
        assertThat(ip.dontFragment()).isTrue();
        assertThat(ip.moreFragments()).isFalse();
        assertThat(ip.fragmentOffset()).isZero();
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.ttl()).isEqualTo(64);
        assertThat(ip.protocol()).isEqualTo(Ipv4Packet.PROTOCOL_ICMP);
        assertThat(ip.headerChecksum()).isEqualTo(0x149b);
        assertThat(ip.source()).isEqualTo(A);
        assertThat(ip.destination()).isEqualTo(B);
        assertThat(ip.payloadOffset()).isEqualTo(34);
        assertThat(ip.payloadLength()).isEqualTo(24);
        assertThat(ip.optionsLength()).isZero();
        assertThat(Ipv4Repr.parse(ip)).isEqualTo(new Ipv4Repr(A, B, 1, 24, 64, 0x1234, true));
    }

    @Test
    void emitHeaderReproducesFixture() {
        ByteBuf b = zeros(20);
        Ipv4Packet.emitHeader(b, 0, A, B, Ipv4Packet.PROTOCOL_ICMP, 24, 64, 0x1234, true);
        assertThat(copy(b, 0, 20)).isEqualTo(java.util.Arrays.copyOfRange(bytes(PING_FRAME), 14, 34));
    }

    @Test
    void reprRoundTripWithFragmentFieldsAndTos() {
        Ipv4Repr r = new Ipv4Repr(0xc0a8_0101, 0xe000_00fb, 17, 1000, 1, 0xffff, false, true, 1480, 46, 2);
        ByteBuf b = zeros(r.bufferLength() + 5);
        r.emit(b, 5);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, 5, r.bufferLength());
        assertThat(ip.check()).isEqualTo(DropReason.NONE);
        assertThat(ip.isFragment()).isTrue();
        assertThat(Ipv4Repr.parse(ip)).isEqualTo(r);
        assertThat(r.headerLength()).isEqualTo(20);
    }

    @Test
    void fragmentDetection() {
        ByteBuf b = zeros(20);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, 0, 20);
        Ipv4Packet.emitHeader(b, 0, 0, 20, 1, 0x0001, 64, 6, A, B); // offset 1 unit = 8 bytes, no MF
        assertThat(ip.check()).isEqualTo(DropReason.NONE);
        assertThat(ip.isFragment()).isTrue();
        assertThat(ip.moreFragments()).isFalse();
        assertThat(ip.fragmentOffset()).isEqualTo(8);
        Ipv4Packet.emitHeader(b, 0, 0, 20, 1, 0x8000, 64, 6, A, B); // reserved bit only: not a fragment
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.dontFragment()).isFalse();
    }

    @Test
    void ethernetPaddingBeyondTotalLengthIsAccepted() {
        ByteBuf b = zeros(46);
        Ipv4Packet.emitHeader(b, 0, A, B, 17, 8, 64, 7, false);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, 0, 46);
        assertThat(ip.check()).isEqualTo(DropReason.NONE);
        assertThat(ip.payloadLength()).isEqualTo(8);
    }

    @Test
    void optionsAreCoveredByHeaderLength() {
        ByteBuf b = zeros(24 + 4);
        Ipv4Packet.emitHeader(b, 0, 0, 28, 9, 0, 64, 17, A, B);
        b.setByte(0, 0x46); // IHL 6: one word of options (NOP NOP NOP EOL)
        b.setInt(20, 0x0101_0100);
        Ipv4Packet.fillChecksum(b, 0, 24);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, 0, 28);
        assertThat(ip.check()).isEqualTo(DropReason.NONE);
        assertThat(ip.headerLength()).isEqualTo(24);
        assertThat(ip.optionsOffset()).isEqualTo(20);
        assertThat(ip.optionsLength()).isEqualTo(4);
        assertThat(ip.payloadOffset()).isEqualTo(24);
        assertThat(ip.payloadLength()).isEqualTo(4);
    }

    @Test
    void everyDropReason() {
        Ipv4Packet ip = new Ipv4Packet();
        ByteBuf good = hex(PING_FRAME);
        assertThat(ip.wrap(good, 14, 19).check()).isEqualTo(DropReason.TRUNCATED);

        ByteBuf v6 = hex(PING_FRAME);
        v6.setByte(14, 0x65);
        assertThat(ip.wrap(v6, 14, 44).check()).isEqualTo(DropReason.BAD_VERSION);

        ByteBuf ihl4 = hex(PING_FRAME);
        ihl4.setByte(14, 0x44);
        assertThat(ip.wrap(ihl4, 14, 44).check()).isEqualTo(DropReason.BAD_HEADER_LENGTH);

        ByteBuf ihl15 = hex(PING_FRAME);
        ihl15.setByte(14, 0x4f); // 60 bytes of header, only 44 present
        assertThat(ip.wrap(ihl15, 14, 44).check()).isEqualTo(DropReason.BAD_HEADER_LENGTH);

        ByteBuf tooLong = hex(PING_FRAME);
        tooLong.setShort(16, 45);
        assertThat(ip.wrap(tooLong, 14, 44).check()).isEqualTo(DropReason.BAD_LENGTH);
        assertThat(ip.wrap(good, 14, 43).check()).isEqualTo(DropReason.BAD_LENGTH);

        ByteBuf belowHeader = hex(PING_FRAME);
        belowHeader.setShort(16, 19);
        assertThat(ip.wrap(belowHeader, 14, 44).check()).isEqualTo(DropReason.BAD_LENGTH);

        ByteBuf badSum = hex(PING_FRAME);
        badSum.setByte(22, 63); // ttl changed, checksum not updated
        assertThat(ip.wrap(badSum, 14, 44).check()).isEqualTo(DropReason.BAD_CHECKSUM);

        assertThat(ip.wrap(good, 14, 44).check()).isEqualTo(DropReason.NONE);
    }
}
