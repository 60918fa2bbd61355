/*
 * WspJoinLeafTest: WSPJoinLeaf on the IP multicast entry (XP1_SUPPORT_MULTIPOINT, non-rooted control and data
 * planes): a c_leaf joins a group and receives its datagrams; a sender-only leaf sends to the group with WSPSend; the
 * returned descriptor is the socket itself (non-rooted control plane); closing leaves the group (IGMP leave); and the
 * error codes.
 */
package io.ustack.spi.stack;

import io.ustack.ip.MulticastGroups;
import io.ustack.spi.IntRef;
import io.ustack.spi.ProtocolInfo;
import io.ustack.spi.SockAddr;
import io.ustack.wire.DropReason;
import io.ustack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;

import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class WspJoinLeafTest {
    private static final String GROUP = "239.1.2.3";
    private static final int LEAF = WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF;

    private final SpiNet net = new SpiNet();
    private final IntRef n = new IntRef();

    @AfterEach
    void close() {
        net.close();
    }

    private int leaf(SpiNet.Side side) {
        ProtocolInfo multicast = side.entry("ustack UDP/IP multicast");
        int s = side.provider.wspSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, multicast, 0, LEAF,
                side.errno);
        assertThat(s).as("%s", side.errno).isPositive();
        return s;
    }

    private int join(SpiNet.Side side, int s, String group, int port, int flags) {
        return side.provider.wspJoinLeaf(s, SpiNet.addr(group, port), 16, flags, side.errno);
    }

    private MulticastGroups groups(SpiNet.Side side) {
        return side.stack.iface().ipv4().multicast();
    }

    @Test
    void wspJoinLeaf_receiverLeafGetsTheGroupsDatagrams_andTheReturnedDescriptorIsTheSocket() {
        int s = leaf(net.server);
        assertThat(join(net.server, s, GROUP, 5000, JL_RECEIVER_ONLY)).isEqualTo(s);
        assertThat(groups(net.server).isJoined(Ipv4Address.parse(GROUP))).isTrue();
        assertThat(net.server.localPort(s)).as("bound to the session's port").isEqualTo(5000);
        int c = net.client.udp();
        net.client.check(net.client.provider.wspSendTo(c, new ByteBuffer[] {ByteBuffer.wrap(new byte[] {4, 2})}, 1,
                n, 0, SpiNet.addr(GROUP, 5000), 16, null, net.client.errno));
        net.pump();
        ByteBuffer dst = ByteBuffer.allocate(8);
        byte[] from = new byte[16];
        assertThat(net.server.provider.wspRecvFrom(s, new ByteBuffer[] {dst}, 1, n, new IntRef(), from,
                new IntRef(16), null, net.server.errno)).isZero();
        assertThat(n.get()).isEqualTo(2);
        assertThat(SockAddr.inet4Address(from)).isEqualTo(Ipv4Address.parse(SpiNet.CLIENT_IP));
        assertThat(net.server.stack.iface().ipv4().igmp().reportsSent()).as("the join was reported").isEqualTo(1);
    }

    @Test
    void wspJoinLeaf_senderLeafSendsToTheGroupWithWspSend() {
        int r = leaf(net.server);
        join(net.server, r, GROUP, 5000, JL_RECEIVER_ONLY);
        int s = leaf(net.client);
        assertThat(join(net.client, s, GROUP, 5000, JL_SENDER_ONLY)).isEqualTo(s);
        assertThat(groups(net.client).isJoined(Ipv4Address.parse(GROUP))).as("a sender does not join").isFalse();
        assertThat(net.client.send(s, new byte[] {7}, n)).isZero();
        net.pump();
        ByteBuffer dst = ByteBuffer.allocate(4);
        assertThat(net.server.recv(r, dst, n)).isZero();
        assertThat(dst.get(0)).isEqualTo((byte) 7);
    }

    @Test
    void wspJoinLeaf_datagramsOfAnotherGroupAreNotReceived() {
        int s = leaf(net.server);
        join(net.server, s, GROUP, 5000, JL_BOTH);
        int c = net.client.udp();
        net.client.provider.wspSendTo(c, new ByteBuffer[] {ByteBuffer.allocate(1)}, 1, n, 0,
                SpiNet.addr("239.9.9.9", 5000), 16, null, net.client.errno);
        net.pump();
        assertThat(net.server.readable(s)).isZero();
        assertThat(net.server.stack.counters().drops(DropReason.NOT_FOR_US)).isPositive();
    }

    @Test
    void wspCloseSocket_leavesTheGroup() {
        int s = leaf(net.server);
        join(net.server, s, GROUP, 5000, JL_RECEIVER_ONLY);
        net.server.close(s);
        net.pump();
        assertThat(groups(net.server).isJoined(Ipv4Address.parse(GROUP))).isFalse();
        assertThat(net.server.stack.iface().ipv4().igmp().leavesSent()).isEqualTo(1);
    }

    @Test
    void wspJoinLeaf_WSAEINVAL_onASocketWithoutMultipointFlags() {
        int s = net.server.udp();
        assertThat(join(net.server, s, GROUP, 5000, JL_BOTH)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspJoinLeaf_WSAEINVAL_forFlagsOtherThanOneRole() {
        int s = leaf(net.server);
        for (int flags : new int[] {0, JL_SENDER_ONLY | JL_RECEIVER_ONLY, 0x08}) {
            assertThat(join(net.server, s, GROUP, 5000, flags)).isEqualTo(INVALID_SOCKET);
            assertThat(net.server.errno.get()).isEqualTo(WSAEINVAL);
        }
    }

    @Test
    void wspJoinLeaf_WSAEADDRNOTAVAIL_forANonGroupAddressOrPortZero() {
        int s = leaf(net.server);
        assertThat(join(net.server, s, SpiNet.CLIENT_IP, 5000, JL_BOTH)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEADDRNOTAVAIL);
        assertThat(join(net.server, s, GROUP, 0, JL_BOTH)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEADDRNOTAVAIL);
    }

    @Test
    void wspJoinLeaf_WSAEISCONN_whenAlreadyJoined() {
        int s = leaf(net.server);
        join(net.server, s, GROUP, 5000, JL_BOTH);
        assertThat(join(net.server, s, "239.4.4.4", 5000, JL_BOTH)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEISCONN);
    }

    @Test
    void wspJoinLeaf_WSAEINVAL_receiverBoundToAnotherPort() {
        int s = leaf(net.server);
        net.server.check(net.server.bind(s, "0.0.0.0", 6000));
        assertThat(join(net.server, s, GROUP, 5000, JL_RECEIVER_ONLY)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspJoinLeaf_WSAEFAULT_andWSAEAFNOSUPPORT_forBadNames() {
        int s = leaf(net.server);
        assertThat(net.server.provider.wspJoinLeaf(s, SpiNet.addr(GROUP, 5000), 10, JL_BOTH, net.server.errno))
                .isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(net.server.provider.wspJoinLeaf(s, SockAddr.inet6(new byte[16], 5000, 0), 28, JL_BOTH,
                net.server.errno)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEAFNOSUPPORT);
    }

    @Test
    void wspJoinLeaf_WSAEADDRINUSE_whenTheSessionsPortIsTaken() {
        int other = net.server.udp();
        net.server.bind(other, "0.0.0.0", 5000);
        int s = leaf(net.server);
        assertThat(join(net.server, s, GROUP, 5000, JL_RECEIVER_ONLY)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEADDRINUSE);
    }
}
