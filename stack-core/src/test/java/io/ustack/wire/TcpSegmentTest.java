/*
 * TcpSegmentTest: TCP headers (RFC 9293 3.1) against a hand-built Linux-style SYN (MSS, SACK-permitted,
 * timestamps, NOP, window scale) whose checksums are verified by independent arithmetic, emit/parse round trips
 * and every check() outcome.
 */
package io.ustack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TcpSegmentTest extends BufferTest {
    static final int A = 0x0a00_0001;
    static final int B = 0x0a00_0002;
    /** IPv4 10.0.0.1 -> 10.0.0.2 id 0xbeef DF + TCP SYN 40000 -> 80 seq 0x01020304 win 64240. */
    static final String SYN_PACKET = "4500 003c beef 4000 40 06 67ca 0a000001 0a000002"
            + "9c40 0050 01020304 00000000 a0 02 faf0 e511 0000"
            + "020405b4 0402080a 00a1b2c3 00000000 01030307";

    @Test
    void fixtureChecksums() {
        byte[] p = bytes(SYN_PACKET);
        assertThat(naiveChecksum(Arrays.copyOfRange(p, 0, 20))).isZero();
        byte[] tcp = Arrays.copyOfRange(p, 20, 60);
        assertThat(naiveChecksum(pseudoHeader(A, B, 6, 40), tcp)).isZero();
        tcp[16] = 0;
        tcp[17] = 0;
        assertThat(naiveChecksum(pseudoHeader(A, B, 6, 40), tcp)).isEqualTo(0xe511);
    }

    @Test
    void parsesSyn() {
        ByteBuf b = hex(SYN_PACKET);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, 0, 60);
        assertThat(ip.check()).isEqualTo(DropReason.NONE);
        TcpSegment tcp = new TcpSegment().wrap(b, ip.payloadOffset(), ip.payloadLength());
        assertThat(tcp.check(ip.source(), ip.destination())).isEqualTo(DropReason.NONE);
        assertThat(tcp.sourcePort()).isEqualTo(40000);
        assertThat(tcp.destinationPort()).isEqualTo(80);
        assertThat(tcp.sequenceNumber()).isEqualTo(0x01020304);
        assertThat(tcp.acknowledgmentNumber()).isZero();
        assertThat(tcp.headerLength()).isEqualTo(40);
        assertThat(tcp.flags()).isEqualTo(TcpSegment.SYN);
        assertThat(tcp.hasFlag(TcpSegment.SYN)).isTrue();
        assertThat(tcp.hasFlag(TcpSegment.ACK)).isFalse();
        assertThat(tcp.window()).isEqualTo(64240);
        assertThat(tcp.checksum()).isEqualTo(0xe511);
        assertThat(tcp.urgentPointer()).isZero();
        assertThat(tcp.optionsOffset()).isEqualTo(40);
        assertThat(tcp.optionsLength()).isEqualTo(20);
        assertThat(tcp.payloadOffset()).isEqualTo(60);
        assertThat(tcp.payloadLength()).isZero();
        assertThat(tcp.segmentLength()).isEqualTo(1);

        TcpOptions o = new TcpOptions();
        assertThat(o.parse(b, tcp.optionsOffset(), tcp.optionsLength())).isEqualTo(DropReason.NONE);
        assertThat(o.mss()).isEqualTo(1460);
        assertThat(o.sackPermitted()).isTrue();
        assertThat(o.hasTimestamps()).isTrue();
        assertThat(o.tsVal()).isEqualTo(0x00a1_b2c3);
        assertThat(o.tsEcr()).isZero();
        assertThat(o.windowScale()).isEqualTo(7);
        assertThat(o.sackBlockCount()).isZero();
        assertThat(TcpRepr.parse(tcp)).isEqualTo(new TcpRepr(40000, 80, 0x01020304, 0, TcpSegment.SYN, 64240, 0,
                new TcpOptionsRepr(1460, 7, true, true, 0x00a1_b2c3, 0, new int[0]), new byte[0]));
    }

    @Test
    void emitsTheLinuxSynBytes() {
        ByteBuf b = zeros(60);
        TcpOptions o = new TcpOptions().mss(1460).sackPermitted(true).timestamps(0x00a1_b2c3, 0).windowScale(7);
        assertThat(o.encodedLength()).isEqualTo(20);
        int hl = TcpSegment.emitHeader(b, 20, 40000, 80, 0x01020304, 0, TcpSegment.SYN, 64240, o);
        assertThat(hl).isEqualTo(40);
        assertThat(b.getUnsignedShort(20 + 16)).isZero();
        TcpSegment.fillChecksum(b, 20, 40, A, B);
        Ipv4Packet.emitHeader(b, 0, A, B, Ipv4Packet.PROTOCOL_TCP, 40, 64, 0xbeef, true);
        assertThat(copy(b, 0, 60)).isEqualTo(bytes(SYN_PACKET));
    }

    @Test
    void emitWithoutOptions() {
        ByteBuf b = zeros(20);
        assertThat(TcpSegment.emitHeader(b, 0, 1, 2, -1, 5, TcpSegment.ACK | TcpSegment.FIN, 0xffff, null))
                .isEqualTo(20);
        TcpSegment.fillChecksum(b, 0, 20, A, B);
        TcpSegment tcp = new TcpSegment().wrap(b, 0, 20);
        assertThat(tcp.check(A, B)).isEqualTo(DropReason.NONE);
        assertThat(tcp.sequenceNumber()).isEqualTo(-1);
        assertThat(tcp.headerLength()).isEqualTo(20);
        assertThat(tcp.optionsLength()).isZero();
        assertThat(tcp.segmentLength()).isEqualTo(1);
        assertThat(tcp.check(B, A)).isEqualTo(DropReason.NONE); // the pseudo-header sum is symmetric
        assertThat(tcp.check(A, B ^ 0x100)).isEqualTo(DropReason.BAD_CHECKSUM);
    }

    @Test
    void reprRoundTripWithDataSackAndAllFlags() {
        TcpRepr r = new TcpRepr(443, 50000, 0x8000_0000, 0xffff_fffe, 0xff, 1024, 0x1234,
                new TcpOptionsRepr(-1, -1, false, true, 1, 2, new int[] {10, 20, 30, 40, 50, 60}),
                bytes("0102030405"));
        assertThat(r.headerLength()).isEqualTo(20 + 12 + 4 + 24);
        ByteBuf b = zeros(r.bufferLength() + 2);
        r.emit(b, 2, A, B);
        TcpSegment tcp = new TcpSegment().wrap(b, 2, r.bufferLength());
        assertThat(tcp.check(A, B)).isEqualTo(DropReason.NONE);
        assertThat(tcp.segmentLength()).isEqualTo(5 + 2); // SYN and FIN are in 0xff
        assertThat(TcpRepr.parse(tcp)).isEqualTo(r);
    }

    @Test
    void everyDropReason() {
        TcpSegment tcp = new TcpSegment();
        ByteBuf b = hex(SYN_PACKET);
        assertThat(tcp.wrap(b, 20, 19).check(A, B)).isEqualTo(DropReason.TRUNCATED);
        assertThat(tcp.wrap(b, 20, 39).check(A, B)).isEqualTo(DropReason.BAD_HEADER_LENGTH); // offset 10 > 39

        ByteBuf low = hex(SYN_PACKET);
        low.setByte(32, 0x40); // data offset 4
        assertThat(tcp.wrap(low, 20, 40).check(A, B)).isEqualTo(DropReason.BAD_HEADER_LENGTH);
        ByteBuf high = hex(SYN_PACKET);
        high.setByte(32, 0xf0); // 60 bytes
        assertThat(tcp.wrap(high, 20, 40).check(A, B)).isEqualTo(DropReason.BAD_HEADER_LENGTH);

        ByteBuf corrupt = hex(SYN_PACKET);
        corrupt.setByte(59, 8); // window scale changed
        assertThat(tcp.wrap(corrupt, 20, 40).check(A, B)).isEqualTo(DropReason.BAD_CHECKSUM);
        assertThat(tcp.wrap(b, 20, 40).check(A, B)).isEqualTo(DropReason.NONE);
    }

    @Test
    void oddLengthSegmentChecksum() {
        ByteBuf b = zeros(23);
        TcpSegment.emitHeader(b, 0, 7, 9, 100, 200, TcpSegment.ACK | TcpSegment.PSH, 500, null);
        b.setBytes(20, bytes("abcdef"));
        TcpSegment.fillChecksum(b, 0, 23, A, B);
        assertThat(naiveChecksum(pseudoHeader(A, B, 6, 23), copy(b, 0, 23))).isZero();
        TcpSegment tcp = new TcpSegment().wrap(b, 0, 23);
        assertThat(tcp.check(A, B)).isEqualTo(DropReason.NONE);
        assertThat(tcp.payloadLength()).isEqualTo(3);
        assertThat(tcp.segmentLength()).isEqualTo(3);
    }
}
