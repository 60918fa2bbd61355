/*
 * IgmpLayerTest: the IGMPv2 host (RFC 2236) and the RFC 1112 group memberships of one stack, byte by byte against a
 * hand-driven peer: unsolicited reports on join (and the repetition after the Unsolicited Report Interval), TTL 1 and
 * the Router Alert option (section 2), the group-to-MAC mapping (RFC 1112 6.4), answers to general and group-specific
 * queries within the Max Response Time, suppression by another member's report, leaves by the last reporter, IGMPv1
 * routers (section 4), and which multicast destinations IP input accepts (RFC 1112 7.2).
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;
import io.ustack.api.Stack;
import io.ustack.engine.ManualClock;
import io.ustack.link.InMemoryLink;
import io.ustack.testing.RawPeer;
import io.ustack.wire.Checksum;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.Ipv4Address;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.DropReason;
import io.ustack.wire.MacAddress;
import io.ustack.wire.UdpDatagram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IgmpLayerTest {
    private static final int GROUP = Ipv4Address.parse("239.1.2.3");
    private static final int PEER_IP = Ipv4Address.parse("10.0.0.9");
    private static final int IP = EthernetFrame.HEADER_LENGTH;
    private static final int IGMP = IP + IgmpLayer.IP_HEADER_LENGTH;

    private final ManualClock clock = new ManualClock();
    private final InMemoryLink[] pair = InMemoryLink.pair(1500);
    private final Stack stack = Stack.builder(pair[0]).clock(clock).ipv4("10.0.0.1/24").build();
    private final RawPeer peer = new RawPeer(pair[1]);

    IgmpLayerTest() {
        stack.runOnce();
    }

    @AfterEach
    void close() {
        stack.close();
        peer.close();
    }

    private MulticastGroups groups() {
        return stack.iface().ipv4().multicast();
    }

    private long now() {
        return stack.loop().now();
    }

    private void advanceMillis(long ms) {
        for (long t = 0; t < ms; t += 10) {
            clock.advanceNanos(10_000_000L);
            stack.runOnce();
        }
    }

    /** IGMP messages the stack sent since the last call, as {type, group, ip destination}. */
    private List<int[]> igmpSent() {
        List<int[]> out = new ArrayList<>();
        for (ByteBuf f : peer.received()) {
            if (f.getUnsignedShort(EthernetFrame.ETHERTYPE_OFFSET) != EthernetFrame.TYPE_IPV4
                    || f.getUnsignedByte(IP + Ipv4Packet.PROTOCOL_OFFSET) != IgmpLayer.PROTOCOL) {
                continue;
            }
            out.add(new int[] {f.getUnsignedByte(IGMP), f.getInt(IGMP + IgmpLayer.GROUP_OFFSET),
                    f.getInt(IP + Ipv4Packet.DESTINATION_OFFSET)});
        }
        return out;
    }

    private void sendIgmp(int type, int maxResponseTenths, int group, int dst) {
        ByteBuf m = peer.allocate(IgmpLayer.LENGTH);
        m.writeByte(type).writeByte(maxResponseTenths).writeShort(0).writeInt(group);
        m.setShort(IgmpLayer.CHECKSUM_OFFSET, Checksum.compute(m, 0, IgmpLayer.LENGTH));
        peer.sendIpv4(MulticastGroups.macFor(dst), PEER_IP, dst, IgmpLayer.PROTOCOL, m);
        stack.runOnce();
    }

    @Test
    void macFor_placesTheLow23BitsOfTheGroupIn01005E() {
        assertThat(MulticastGroups.macFor(Ipv4Address.parse("239.1.2.3"))).isEqualTo(MacAddress.parse(
                "01:00:5e:01:02:03"));
        assertThat(MulticastGroups.macFor(Ipv4Address.parse("224.129.2.3"))).as("the 24th bit is dropped")
                .isEqualTo(MacAddress.parse("01:00:5e:01:02:03"));
        assertThat(MulticastGroups.macFor(MulticastGroups.ALL_HOSTS)).isEqualTo(MacAddress.parse("01:00:5e:00:00:01"));
    }

    @Test
    void join_sendsAReportWithTtl1AndRouterAlertToTheGroupsMac_andRepeatsItOnce() {
        groups().join(GROUP, now());
        List<ByteBuf> frames = peer.received();
        assertThat(frames).hasSize(1);
        ByteBuf f = frames.getFirst();
        assertThat(MacAddress.get(f, EthernetFrame.DESTINATION_OFFSET)).isEqualTo(MulticastGroups.macFor(GROUP));
        assertThat((int) f.getUnsignedByte(IP)).as("IHL 6: the Router Alert option").isEqualTo(0x46);
        assertThat((int) f.getUnsignedByte(IP + Ipv4Packet.TTL_OFFSET)).isEqualTo(1);
        assertThat(f.getInt(IP + Ipv4Packet.MIN_HEADER_LENGTH)).isEqualTo(0x9404_0000);
        assertThat(Checksum.compute(f, IP, IgmpLayer.IP_HEADER_LENGTH)).as("IP header checksum").isZero();
        assertThat(f.getInt(IP + Ipv4Packet.DESTINATION_OFFSET)).isEqualTo(GROUP);
        assertThat((int) f.getUnsignedByte(IGMP)).isEqualTo(IgmpLayer.TYPE_V2_MEMBERSHIP_REPORT);
        assertThat(f.getInt(IGMP + IgmpLayer.GROUP_OFFSET)).isEqualTo(GROUP);
        assertThat(Checksum.compute(f, IGMP, IgmpLayer.LENGTH)).as("IGMP checksum").isZero();
        advanceMillis(9_900);
        assertThat(igmpSent()).isEmpty();
        advanceMillis(200);
        assertThat(igmpSent()).as("the unsolicited report is repeated after 10 s").hasSize(1);
        advanceMillis(60_000);
        assertThat(igmpSent()).as("once").isEmpty();
    }

    @Test
    void joiningTwice_countsReferences_andReportsOnce() {
        assertThat(groups().join(GROUP, now())).isEqualTo(1);
        assertThat(groups().join(GROUP, now())).isEqualTo(2);
        assertThat(igmpSent()).hasSize(1);
        assertThat(groups().leave(GROUP, now())).isEqualTo(1);
        assertThat(igmpSent()).as("still a member: no leave").isEmpty();
        assertThat(groups().isJoined(GROUP)).isTrue();
    }

    @Test
    void generalQuery_isAnsweredWithinTheMaxResponseTime() {
        groups().join(GROUP, now());
        advanceMillis(20_000);
        igmpSent();
        sendIgmp(IgmpLayer.TYPE_MEMBERSHIP_QUERY, 20, 0, MulticastGroups.ALL_HOSTS); // 2 s
        advanceMillis(2_100);
        List<int[]> sent = igmpSent();
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst()[0]).isEqualTo(IgmpLayer.TYPE_V2_MEMBERSHIP_REPORT);
        assertThat(sent.getFirst()[1]).isEqualTo(GROUP);
    }

    @Test
    void groupSpecificQuery_forAnotherGroupIsNotAnswered() {
        groups().join(GROUP, now());
        advanceMillis(20_000);
        igmpSent();
        int other = Ipv4Address.parse("239.9.9.9");
        groups().join(other, now());
        advanceMillis(20_000);
        igmpSent();
        sendIgmp(IgmpLayer.TYPE_MEMBERSHIP_QUERY, 10, other, other);
        advanceMillis(1_100);
        List<int[]> sent = igmpSent();
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst()[1]).isEqualTo(other);
    }

    @Test
    void anotherMembersReport_suppressesOurs_andThenWeSendNoLeave() {
        groups().join(GROUP, now());
        advanceMillis(20_000);
        igmpSent();
        sendIgmp(IgmpLayer.TYPE_MEMBERSHIP_QUERY, 100, 0, MulticastGroups.ALL_HOSTS); // 10 s
        sendIgmp(IgmpLayer.TYPE_V2_MEMBERSHIP_REPORT, 0, GROUP, GROUP);
        advanceMillis(11_000);
        assertThat(igmpSent()).as("suppressed").isEmpty();
        groups().leave(GROUP, now());
        assertThat(igmpSent()).as("not the last reporter: no leave").isEmpty();
    }

    @Test
    void leave_byTheLastReporterGoesToAllRouters() {
        groups().join(GROUP, now());
        igmpSent();
        assertThat(groups().leave(GROUP, now())).isZero();
        List<int[]> sent = igmpSent();
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst()[0]).isEqualTo(IgmpLayer.TYPE_LEAVE_GROUP);
        assertThat(sent.getFirst()[1]).isEqualTo(GROUP);
        assertThat(sent.getFirst()[2]).isEqualTo(MulticastGroups.ALL_ROUTERS);
        assertThat(groups().leave(GROUP, now())).as("not joined any more").isEqualTo(-1);
    }

    @Test
    void version1Query_switchesToV1ReportsAndNoLeaves() {
        groups().join(GROUP, now());
        advanceMillis(20_000);
        igmpSent();
        sendIgmp(IgmpLayer.TYPE_MEMBERSHIP_QUERY, 0, 0, MulticastGroups.ALL_HOSTS); // IGMPv1: answer within 10 s
        advanceMillis(10_100);
        List<int[]> sent = igmpSent();
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst()[0]).isEqualTo(IgmpLayer.TYPE_V1_MEMBERSHIP_REPORT);
        groups().leave(GROUP, now());
        assertThat(igmpSent()).as("IGMPv1 has no leave message").isEmpty();
    }

    @Test
    void malformedIgmpIsCountedAndIgnored() {
        groups().join(GROUP, now());
        igmpSent();
        ByteBuf m = peer.allocate(IgmpLayer.LENGTH);
        m.writeByte(IgmpLayer.TYPE_MEMBERSHIP_QUERY).writeByte(10).writeShort(0x1234).writeInt(0);
        peer.sendIpv4(MulticastGroups.macFor(MulticastGroups.ALL_HOSTS), PEER_IP, MulticastGroups.ALL_HOSTS,
                IgmpLayer.PROTOCOL, m);
        stack.runOnce();
        assertThat(stack.counters().drops(DropReason.BAD_CHECKSUM)).isEqualTo(1);
        advanceMillis(2_000);
        assertThat(igmpSent()).isEmpty();
    }

    @Test
    void ipInput_acceptsAllHostsAndJoinedGroupsOnly() {
        int port = 5000;
        stack.iface().udp().bind(0, port);
        sendUdp(GROUP, port);
        assertThat(stack.counters().drops(DropReason.NOT_FOR_US)).as("not joined yet").isEqualTo(1);
        groups().join(GROUP, now());
        sendUdp(GROUP, port);
        assertThat(stack.counters().udpDatagramsIn).isEqualTo(1);
        sendUdp(MulticastGroups.ALL_HOSTS, port);
        assertThat(stack.counters().udpDatagramsIn).as("224.0.0.1 always").isEqualTo(2);
        assertThatThrownBy(() -> groups().join(Ipv4Address.parse("10.0.0.7"), now()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private void sendUdp(int group, int port) {
        ByteBuf u = peer.allocate(UdpDatagram.HEADER_LENGTH + 2);
        u.writerIndex(UdpDatagram.HEADER_LENGTH);
        UdpDatagram.emitHeader(u, 0, 4000, port, UdpDatagram.HEADER_LENGTH + 2);
        u.writeShort(7);
        UdpDatagram.fillChecksum(u, 0, UdpDatagram.HEADER_LENGTH + 2, PEER_IP, group);
        peer.sendIpv4(MulticastGroups.macFor(group), PEER_IP, group, Ipv4Packet.PROTOCOL_UDP, u);
        stack.runOnce();
    }
}
