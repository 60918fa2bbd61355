/*
 * PcapLinkChecksumTest: a received frame whose TCP/UDP checksum is PARTIAL (only the pseudo-header sum, as a TAP with
 * the virtio-net header hands over with VIRTIO_NET_HDR_F_NEEDS_CSUM, virtio spec 1.x section 5.1.6) is recorded with
 * the completed checksum, so that tshark reads the capture without checksum errors; the frame the stack gets is not
 * changed, and its state reaches the stack. Frames in any other state are recorded as they are.
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.ustack.engine.ManualClock;
import io.ustack.testing.ChecksumStateLink;
import io.ustack.wire.Checksum;
import io.ustack.wire.DropReason;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.Ipv4Address;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.TcpSegment;
import io.ustack.wire.UdpDatagram;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PcapLinkChecksumTest {
    static final int SRC = Ipv4Address.parse("10.1.0.1");
    static final int DST = Ipv4Address.parse("10.1.0.2");
    static final int RECORD = PcapLink.FILE_HEADER_LENGTH + PcapLink.RECORD_HEADER_LENGTH;

    /** An Ethernet frame with IPv4 and {@code protocol}; its checksum field holds the pseudo-header sum only. */
    static ByteBuf partialFrame(int protocol, int payload) {
        int transport = (protocol == Ipv4Packet.PROTOCOL_TCP ? TcpSegment.MIN_HEADER_LENGTH
                : UdpDatagram.HEADER_LENGTH) + payload;
        int t = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
        ByteBuf b = Unpooled.buffer(t + transport);
        b.writeZero(t + transport);
        EthernetFrame.emit(b, 0, 0x02_0000_0000_02L, 0x02_0000_0000_01L, EthernetFrame.TYPE_IPV4);
        Ipv4Packet.emitHeader(b, EthernetFrame.HEADER_LENGTH, SRC, DST, protocol, transport, 64, 7, true);
        for (int i = 0; i < payload; i++) {
            b.setByte(b.writerIndex() - payload + i, i * 13 + 1);
        }
        int field;
        if (protocol == Ipv4Packet.PROTOCOL_TCP) {
            TcpSegment.emitHeader(b, t, 40000, 80, 1, 2, TcpSegment.ACK, 1000, null);
            field = t + TcpSegment.CHECKSUM_OFFSET;
        } else {
            UdpDatagram.emitHeader(b, t, 5000, 53, transport);
            field = t + UdpDatagram.CHECKSUM_OFFSET;
        }
        // what the sending kernel leaves for the "hardware": the folded pseudo-header sum, not complemented
        b.setShort(field, Checksum.pseudoHeaderV4(SRC, DST, protocol, transport));
        return b;
    }

    private static List<ByteBuf> recordAndDeliver(ByteBuf frame, ChecksumState state, ByteArrayOutputStream file,
            List<ChecksumState> seen) {
        InMemoryLink[] pair = InMemoryLink.pair(1500);
        PcapLink pcap = new PcapLink(new ChecksumStateLink(pair[0], state), file, new ManualClock(), 0);
        List<ByteBuf> delivered = new ArrayList<>();
        try {
            pair[1].transmit(frame);
            pcap.receive(new FrameSink() {
                @Override
                public void onFrame(ByteBuf f) {
                    onFrame(f, ChecksumState.NONE);
                }

                @Override
                public void onFrame(ByteBuf f, ChecksumState checksum) {
                    delivered.add(Unpooled.copiedBuffer(f));
                    seen.add(checksum);
                }
            }, 10);
        } finally {
            pcap.close();
            pair[1].close();
        }
        return delivered;
    }

    @Test
    void aPartialTcpChecksumIsCompletedInTheCaptureOnly() {
        ByteBuf frame = partialFrame(Ipv4Packet.PROTOCOL_TCP, 101);
        byte[] original = ByteBufUtil.getBytes(frame);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<ChecksumState> seen = new ArrayList<>();
        List<ByteBuf> delivered = recordAndDeliver(frame, ChecksumState.PARTIAL, file, seen);

        assertThat(seen).containsExactly(ChecksumState.PARTIAL);
        assertThat(ByteBufUtil.getBytes(delivered.get(0))).as("the stack's frame is untouched").isEqualTo(original);
        ByteBuf recorded = Unpooled.wrappedBuffer(file.toByteArray()).skipBytes(RECORD);
        int t = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
        assertThat(new TcpSegment().wrap(recorded, recorded.readerIndex() + t, recorded.readableBytes() - t)
                .check(SRC, DST)).as("the captured copy verifies").isEqualTo(DropReason.NONE);
    }

    @Test
    void aPartialUdpChecksumIsCompletedToo() {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        recordAndDeliver(partialFrame(Ipv4Packet.PROTOCOL_UDP, 33), ChecksumState.PARTIAL, file, new ArrayList<>());
        ByteBuf recorded = Unpooled.wrappedBuffer(file.toByteArray()).skipBytes(RECORD);
        int t = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
        UdpDatagram udp = new UdpDatagram().wrap(recorded, recorded.readerIndex() + t, recorded.readableBytes() - t);
        assertThat(udp.checksum()).isNotZero();
        assertThat(udp.check(SRC, DST)).isEqualTo(DropReason.NONE);
    }

    @Test
    void framesInAnyOtherStateAreRecordedAsTheyAre() {
        for (ChecksumState state : new ChecksumState[] {ChecksumState.NONE, ChecksumState.UNNECESSARY}) {
            ByteBuf frame = partialFrame(Ipv4Packet.PROTOCOL_TCP, 10);
            byte[] original = ByteBufUtil.getBytes(frame);
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            recordAndDeliver(frame, state, file, new ArrayList<>());
            byte[] bytes = file.toByteArray();
            byte[] recorded = java.util.Arrays.copyOfRange(bytes, RECORD, bytes.length);
            assertThat(recorded).as(state.name()).isEqualTo(original);
        }
    }
}
