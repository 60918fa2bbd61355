/*
 * TcpSegmentationFuzzTest: fuzzes TcpSegmentation.segment (software TCP segmentation, the fallback of
 * Link.transmitTcpSegments, which any caller may give any frame). Input: byte 0 bit 0 = an Ethernet header in front
 * (else a bare IP packet), bytes 1-2 = gso_size (big-endian), the rest = the frame. Invariants: it never throws and
 * always releases the frame; when it accepts, every piece is a valid IPv4 packet (header checksum, lengths) carrying a
 * TCP segment with a valid checksum and at most gso_size payload bytes, the link header is copied, the sequence
 * numbers follow on, and the pieces' payloads put together are the frame's payload.
 */
package io.ustack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.ustack.wire.DropReason;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.TcpSegment;
import io.ustack.wire.TcpSegmentation;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TcpSegmentationFuzzTest {
    @FuzzTest(maxDuration = "2m")
    void segment(byte[] input) {
        if (input.length < 3) {
            return;
        }
        int l3 = (input[0] & 1) == 1 ? 14 : 0;
        int gsoSize = ((input[1] & 0xff) << 8) | (input[2] & 0xff);
        ByteBuf frame = Unpooled.directBuffer(input.length - 3).writeBytes(input, 3, input.length - 3);
        ByteBuf original = Unpooled.copiedBuffer(frame);
        List<ByteBuf> pieces = new ArrayList<>();
        try {
            boolean ok = TcpSegmentation.segment(frame, l3, gsoSize, 0, pieces::add);
            assertThat(frame.refCnt()).isZero();
            if (!ok) {
                return;
            }
            check(original, l3, gsoSize, pieces);
        } finally {
            original.release();
            pieces.forEach(ByteBuf::release);
        }
    }

    private static void check(ByteBuf original, int l3, int gsoSize, List<ByteBuf> pieces) {
        assertThat(pieces).isNotEmpty();
        int ihl = (original.getUnsignedByte(l3) & 0x0f) * 4;
        int total = original.getUnsignedShort(l3 + Ipv4Packet.TOTAL_LENGTH_OFFSET);
        int thl = (original.getUnsignedByte(l3 + ihl + TcpSegment.DATA_OFFSET_OFFSET) >>> 4) * 4;
        int payloadStart = l3 + ihl + thl;
        int payload = total - ihl - thl;
        int seq = original.getInt(l3 + ihl + TcpSegment.SEQUENCE_OFFSET);
        Ipv4Packet ip = new Ipv4Packet();
        TcpSegment tcp = new TcpSegment();
        int done = 0;
        for (ByteBuf p : pieces) {
            assertThat(ByteBufUtil.equals(p, p.readerIndex(), original, 0, l3)).as("link header copied").isTrue();
            assertThat(ip.wrap(p, p.readerIndex() + l3, p.readableBytes() - l3).check()).isEqualTo(DropReason.NONE);
            int len = p.readableBytes() - l3 - ihl - thl;
            assertThat(len).isBetween(0, gsoSize);
            assertThat(p.getUnsignedShort(p.readerIndex() + l3 + Ipv4Packet.TOTAL_LENGTH_OFFSET))
                    .isEqualTo(ihl + thl + len);
            tcp.wrap(p, p.readerIndex() + l3 + ihl, thl + len);
            assertThat(tcp.check(ip.source(), ip.destination())).isEqualTo(DropReason.NONE);
            assertThat(tcp.sequenceNumber()).isEqualTo(seq + done);
            assertThat(ByteBufUtil.equals(p, p.readerIndex() + l3 + ihl + thl, original, payloadStart + done, len))
                    .as("payload of the piece at %d", done).isTrue();
            done += len;
        }
        assertThat(done).isEqualTo(payload);
    }
}
