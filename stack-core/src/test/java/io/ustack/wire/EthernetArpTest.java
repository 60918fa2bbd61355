/*
 * EthernetArpTest: Ethernet II headers and ARP packets (RFC 826) against a hand-built broadcast ARP request as a
 * host sends it (padded to the 60-byte minimum frame), round trips and every check() outcome.
 */
package io.ustack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class EthernetArpTest extends BufferTest {
    /** who-has 10.0.0.2 tell 10.0.0.1, from 02:00:00:00:00:01, padded with 18 zero bytes. */
    static final String ARP_REQUEST = "ffffffffffff 020000000001 0806"
            + "0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002"
            + "000000000000000000000000000000000000";

    @Test
    void parsesArpRequestFrame() {
        ByteBuf b = hex(ARP_REQUEST);
        assertThat(b.readableBytes()).isEqualTo(60);
        EthernetFrame eth = new EthernetFrame().wrap(b, 0, 60);
        assertThat(eth.check()).isEqualTo(DropReason.NONE);
        assertThat(eth.destination()).isEqualTo(MacAddress.BROADCAST);
        assertThat(eth.source()).isEqualTo(0x0200_0000_0001L);
        assertThat(eth.etherType()).isEqualTo(EthernetFrame.TYPE_ARP);
        assertThat(eth.payloadOffset()).isEqualTo(14);
        assertThat(eth.payloadLength()).isEqualTo(46);

        ArpPacket arp = new ArpPacket().wrap(b, eth.payloadOffset(), eth.payloadLength());
        assertThat(arp.check()).isEqualTo(DropReason.NONE);
        assertThat(arp.operation()).isEqualTo(ArpPacket.OP_REQUEST);
        assertThat(arp.senderHardware()).isEqualTo(0x0200_0000_0001L);
        assertThat(arp.senderProtocol()).isEqualTo(Ipv4Address.parse("10.0.0.1"));
        assertThat(arp.targetHardware()).isZero();
        assertThat(arp.targetProtocol()).isEqualTo(Ipv4Address.parse("10.0.0.2"));
        assertThat(ArpRepr.parse(arp)).isEqualTo(new ArpRepr(1, 0x0200_0000_0001L, 0x0a00_0001, 0, 0x0a00_0002));
    }

    @Test
    void emitsTheSameBytes() {
        ByteBuf b = zeros(60);
        EthernetFrame.emit(b, 0, MacAddress.BROADCAST, 0x0200_0000_0001L, EthernetFrame.TYPE_ARP);
        ArpPacket.emit(b, 14, ArpPacket.OP_REQUEST, 0x0200_0000_0001L, 0x0a00_0001, 0, 0x0a00_0002);
        assertThat(copy(b, 0, 60)).isEqualTo(bytes(ARP_REQUEST));
    }

    @Test
    void viewsUseAbsoluteOffsetsAndLeaveIndexesAlone() {
        ByteBuf b = zeros(100);
        b.readerIndex(3).writerIndex(50);
        new EthernetRepr(0x0200_0000_0002L, 0x0200_0000_0001L, EthernetFrame.TYPE_IPV4).emit(b, 7);
        ArpRepr arp = new ArpRepr(ArpPacket.OP_REPLY, 0x0200_0000_0002L, 0x0a00_0002, 0x0200_0000_0001L,
                0x0a00_0001);
        arp.emit(b, 21);
        EthernetFrame eth = new EthernetFrame().wrap(b, 7, 14 + 28);
        assertThat(eth.check()).isEqualTo(DropReason.NONE);
        assertThat(EthernetRepr.parse(eth))
                .isEqualTo(new EthernetRepr(0x0200_0000_0002L, 0x0200_0000_0001L, EthernetFrame.TYPE_IPV4));
        ArpPacket view = new ArpPacket().wrap(b, eth.payloadOffset(), eth.payloadLength());
        assertThat(view.check()).isEqualTo(DropReason.NONE);
        assertThat(ArpRepr.parse(view)).isEqualTo(arp);
        assertThat(arp.bufferLength()).isEqualTo(28);
        assertThat(b.readerIndex()).isEqualTo(3);
        assertThat(b.writerIndex()).isEqualTo(50);
        assertThat(b.getByte(6)).isZero();
        assertThat(b.getByte(49)).isZero();
    }

    @Test
    void ethernetTruncated() {
        ByteBuf b = hex(ARP_REQUEST);
        EthernetFrame eth = new EthernetFrame();
        assertThat(eth.wrap(b, 0, 13).check()).isEqualTo(DropReason.TRUNCATED);
        assertThat(eth.wrap(b, 0, 0).check()).isEqualTo(DropReason.TRUNCATED);
        assertThat(eth.wrap(b, 0, 14).check()).isEqualTo(DropReason.NONE);
        assertThat(eth.payloadLength()).isZero();
    }

    @Test
    void arpTruncatedAndBadVersions() {
        ByteBuf b = hex(ARP_REQUEST);
        ArpPacket arp = new ArpPacket();
        assertThat(arp.wrap(b, 14, 27).check()).isEqualTo(DropReason.TRUNCATED);
        assertThat(arp.wrap(b, 14, 28).check()).isEqualTo(DropReason.NONE);
        int[][] mutations = {{14, 0x00, 0x06}, {16, 0x86, 0xdd}, {18, 0x10, 0x04}, {18, 0x06, 0x10}};
        for (int[] m : mutations) {
            ByteBuf c = hex(ARP_REQUEST);
            c.setByte(m[0], m[1]).setByte(m[0] + 1, m[2]);
            assertThat(arp.wrap(c, 14, 46).check()).as("mutation at %d", m[0]).isEqualTo(DropReason.BAD_VERSION);
        }
    }
}
