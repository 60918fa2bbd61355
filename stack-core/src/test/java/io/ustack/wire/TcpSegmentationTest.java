/*
 * TcpSegmentationTest: software TCP segmentation (TcpSegmentation, the fallback of segmentation offload): pieces of
 * gso_size payload bytes with the headers copied and fixed up (IPv4 total length, identification, header checksum;
 * TCP sequence number, FIN/PSH only on the last piece, CWR only on the first, full checksum), behind an Ethernet
 * header or not; malformed input is refused and released.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TcpSegmentationTest {
    private static final int SRC = 0x0a000001;
    private static final int DST = 0x0a000002;
    private static final int MSS = 1000;

    /** A super-segment: [link header of l3Offset bytes], IPv4 (id 0x1234, DF), TCP with timestamps, payload. */
    private static ByteBuf superSegment(int l3Offset, int payload, int flags) {
        TcpOptions opts = new TcpOptions().timestamps(77, 66);
        int thl = TcpSegment.MIN_HEADER_LENGTH + opts.encodedLength();
        ByteBuf b = Unpooled.directBuffer(l3Offset + 20 + thl + payload);
        b.writeZero(l3Offset);
        if (l3Offset > 0) {
            EthernetFrame.emit(b, 0, 0x02_00_00_00_00_02L, 0x02_00_00_00_00_01L, EthernetFrame.TYPE_IPV4);
        }
        Ipv4Packet.emitHeader(b, l3Offset, 0, 20 + thl + payload, 0x1234, Ipv4Packet.FLAG_DF, 64,
                Ipv4Packet.PROTOCOL_TCP, SRC, DST);
        b.writerIndex(l3Offset + 20);
        int tcp = b.writerIndex();
        TcpSegment.emitHeader(b, tcp, 40000, 80, 5000, 9000, flags, 512, opts);
        b.writerIndex(tcp + thl);
        for (int i = 0; i < payload; i++) {
            b.writeByte(i * 7);
        }
        b.setShort(tcp + TcpSegment.CHECKSUM_OFFSET, TcpSegmentation.partialChecksum(SRC, DST, thl + payload));
        return b;
    }

    private static List<ByteBuf> cut(ByteBuf frame, int l3Offset, int gsoSize) {
        List<ByteBuf> out = new ArrayList<>();
        assertThat(TcpSegmentation.segment(frame, l3Offset, gsoSize, 0, out::add)).isTrue();
        assertThat(frame.refCnt()).isZero();
        return out;
    }

    @Test
    void cutsIntoPiecesWithFixedUpHeadersAndValidChecksums() {
        int payload = 3 * MSS + 234;
        List<ByteBuf> pieces = cut(superSegment(0, payload, TcpSegment.ACK | TcpSegment.PSH | TcpSegment.CWR), 0, MSS);
        try {
            assertThat(pieces).hasSize(4);
            Ipv4Packet ip = new Ipv4Packet();
            TcpSegment tcp = new TcpSegment();
            int expectedByte = 0;
            for (int i = 0; i < pieces.size(); i++) {
                ByteBuf p = pieces.get(i);
                int len = i < 3 ? MSS : 234;
                assertThat(ip.wrap(p, p.readerIndex(), p.readableBytes()).check()).isEqualTo(DropReason.NONE);
                assertThat(ip.identification()).isEqualTo(0x1234 + i);
                assertThat(ip.dontFragment()).isTrue();
                assertThat(ip.payloadLength()).isEqualTo(32 + len);
                tcp.wrap(p, ip.payloadOffset(), ip.payloadLength());
                assertThat(tcp.check(SRC, DST)).as("piece %d checksum", i).isEqualTo(DropReason.NONE);
                assertThat(tcp.sequenceNumber()).isEqualTo(5000 + i * MSS);
                assertThat(tcp.acknowledgmentNumber()).isEqualTo(9000);
                assertThat(tcp.window()).isEqualTo(512);
                assertThat(tcp.headerLength()).isEqualTo(32); // the timestamp option is copied
                assertThat(tcp.hasFlag(TcpSegment.PSH)).isEqualTo(i == 3);
                assertThat(tcp.hasFlag(TcpSegment.CWR)).isEqualTo(i == 0);
                assertThat(tcp.hasFlag(TcpSegment.ACK)).isTrue();
                for (int k = 0; k < len; k++) {
                    assertThat(p.getByte(tcp.payloadOffset() + k)).isEqualTo((byte) (expectedByte++ * 7));
                }
            }
        } finally {
            pieces.forEach(ByteBuf::release);
        }
    }

    @Test
    void copiesTheEthernetHeaderAndLeavesHeadRoom() {
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf frame = superSegment(EthernetFrame.HEADER_LENGTH, 2 * MSS, TcpSegment.ACK | TcpSegment.FIN);
        assertThat(TcpSegmentation.segment(frame, EthernetFrame.HEADER_LENGTH, MSS, 16, out::add)).isTrue();
        try {
            assertThat(out).hasSize(2);
            TcpSegment tcp = new TcpSegment();
            for (int i = 0; i < 2; i++) {
                ByteBuf p = out.get(i);
                assertThat(p.readerIndex()).isEqualTo(16);
                assertThat(p.readableBytes()).isEqualTo(14 + 20 + 32 + MSS);
                assertThat(p.getUnsignedShort(p.readerIndex() + 12)).isEqualTo(EthernetFrame.TYPE_IPV4);
                assertThat(p.getByte(p.readerIndex() + 5)).isEqualTo((byte) 2); // destination MAC's last byte
                tcp.wrap(p, p.readerIndex() + 34, p.readableBytes() - 34);
                assertThat(tcp.check(SRC, DST)).isEqualTo(DropReason.NONE);
                assertThat(tcp.hasFlag(TcpSegment.FIN)).as("FIN only on the last piece").isEqualTo(i == 1);
            }
        } finally {
            out.forEach(ByteBuf::release);
        }
    }

    @Test
    void aSegmentNoLongerThanThePieceSizeStaysWhole() {
        List<ByteBuf> pieces = cut(superSegment(0, MSS, TcpSegment.ACK), 0, MSS);
        try {
            assertThat(pieces).hasSize(1);
            assertThat(pieces.getFirst().readableBytes()).isEqualTo(20 + 32 + MSS);
        } finally {
            pieces.forEach(ByteBuf::release);
        }
    }

    @Test
    void refusesWhatIsNotAnIpv4TcpSegmentAndReleasesIt() {
        ByteBuf udp = superSegment(0, 100, TcpSegment.ACK);
        udp.setByte(Ipv4Packet.PROTOCOL_OFFSET, Ipv4Packet.PROTOCOL_UDP);
        ByteBuf shortLength = superSegment(0, 100, TcpSegment.ACK);
        shortLength.setShort(Ipv4Packet.TOTAL_LENGTH_OFFSET, 30); // less than the two headers
        ByteBuf truncated = superSegment(0, 100, TcpSegment.ACK);
        truncated.writerIndex(60); // total length beyond the bytes
        ByteBuf badPieceSize = superSegment(0, 100, TcpSegment.ACK);
        List<ByteBuf> out = new ArrayList<>();
        for (ByteBuf b : new ByteBuf[] {udp, shortLength, truncated}) {
            assertThat(TcpSegmentation.segment(b, 0, MSS, 0, out::add)).isFalse();
            assertThat(b.refCnt()).isZero();
        }
        assertThat(TcpSegmentation.segment(badPieceSize, 0, 0, 0, out::add)).isFalse();
        assertThat(badPieceSize.refCnt()).isZero();
        assertThat(out).isEmpty();
    }

    @Test
    void reportsAPieceTheOutputRefused() {
        List<ByteBuf> taken = new ArrayList<>();
        boolean all = TcpSegmentation.segment(superSegment(0, 3 * MSS, TcpSegment.ACK), 0, MSS, 0, p -> {
            if (taken.size() == 1) {
                p.release(); // the output owns what it is given, also what it refuses
                taken.add(null);
                return false;
            }
            taken.add(p);
            return true;
        });
        assertThat(all).isFalse();
        assertThat(taken).hasSize(3); // the pieces after a refused one are still offered (as a NIC sends them)
        taken.stream().filter(p -> p != null).forEach(ByteBuf::release);
    }

    @Test
    void thePartialChecksumIsTheFoldedPseudoHeaderSum() {
        // completed over the segment, the partial sum gives the same checksum as computing it from scratch
        ByteBuf b = superSegment(0, 777, TcpSegment.ACK);
        try {
            int tcpLength = b.readableBytes() - 20;
            int completed = Checksum.compute(b, 20, tcpLength);
            TcpSegment.fillChecksum(b, 20, tcpLength, SRC, DST);
            assertThat(completed).isEqualTo(b.getUnsignedShort(20 + TcpSegment.CHECKSUM_OFFSET));
        } finally {
            b.release();
        }
    }
}
