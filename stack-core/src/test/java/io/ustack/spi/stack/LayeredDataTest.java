/*
 * LayeredDataTest: the data functions through a protocol chain (policy layer over counting layer over the base
 * provider on a real stack): every call reaches the base with the layers' descriptors mapped, a new socket coming
 * back up (WSPAccept) gets a layer descriptor, SO_PROTOCOL_INFO names the chain; the counting layer counts operations,
 * errors and bytes (overlapped ones on completion); the policy layer refuses bind / connect / sendto / join with its
 * configured error before anything reaches the engine.
 */
package io.ustack.spi.stack;

import io.ustack.spi.CountingLayer;
import io.ustack.spi.ErrnoRef;
import io.ustack.spi.IntRef;
import io.ustack.spi.LayerSocket;
import io.ustack.spi.Overlapped;
import io.ustack.spi.PolicyLayer;
import io.ustack.spi.PolicyRule;
import io.ustack.spi.ProtocolCatalog;
import io.ustack.spi.ProtocolInfo;
import io.ustack.spi.ProtocolInfoLayout;
import io.ustack.spi.SockAddr;
import io.ustack.spi.WspData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

import static io.ustack.spi.CountingLayer.Operation.*;
import static io.ustack.spi.SocketOptions.*;
import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class LayeredDataTest {
    private final SpiNet net = new SpiNet();
    private final ProtocolCatalog catalog = net.client.catalog;
    private final ProtocolInfo countingEntry = catalog.registerLayer("counting", UUID.randomUUID());
    private final ProtocolInfo policyEntry = catalog.registerLayer("policy", UUID.randomUUID());
    private final ProtocolInfo tcpChain = catalog.registerChain("policy/counting/TCP",
            List.of(policyEntry, countingEntry), net.client.entry("ustack TCP/IP"));
    private final ProtocolInfo udpChain = catalog.registerChain("policy/counting/UDP",
            List.of(policyEntry, countingEntry), net.client.entry("ustack UDP/IP"));
    private final ProtocolInfo multicastChain = catalog.registerChain("policy/counting/multicast",
            List.of(policyEntry, countingEntry), net.client.entry("ustack UDP/IP multicast"));
    private final CountingLayer counting = new CountingLayer(catalog, countingEntry, net.client.provider, 64);
    private final ErrnoRef errno = new ErrnoRef();
    private final IntRef n = new IntRef();
    private PolicyLayer policy;

    @AfterEach
    void close() {
        net.close();
    }

    private PolicyLayer start(PolicyRule... rules) {
        policy = new PolicyLayer(catalog, policyEntry, counting, 64, List.of(rules));
        assertThat(policy.wspStartup(WINSOCK_VERSION_2_2, new WspData(), tcpChain)).isZero();
        return policy;
    }

    private int socket(ProtocolInfo chain, int flags) {
        int s = policy.wspSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, chain, 0, flags, errno);
        assertThat(s).as("%s", errno).isPositive();
        return s;
    }

    /** A listener on the server (base provider) and a connected client socket through the chain. */
    private int[] connected(int flags) {
        int l = net.server.tcp();
        net.server.bind(l, "0.0.0.0", 7);
        net.server.check(net.server.provider.wspListen(l, 4, net.server.errno));
        int s = socket(tcpChain, flags);
        assertThat(policy.wspIoctl(s, FIONBIO, io.ustack.spi.OptionValue.ofInt(1), 4, null, 0, n, null, errno))
                .isZero();
        assertThat(policy.wspConnect(s, SpiNet.addr(SpiNet.SERVER_IP, 7), 16, errno)).isEqualTo(SOCKET_ERROR);
        assertThat(errno.get()).isEqualTo(WSAEWOULDBLOCK);
        net.pump();
        int a = net.server.provider.wspAccept(l, null, null, null, net.server.errno);
        assertThat(a).isPositive();
        return new int[] {s, a};
    }

    @Test
    void propagation_dataFunctionsReachTheBaseThroughTheChainWithMappedDescriptors() {
        start();
        int[] c = connected(0);
        LayerSocket top = policy.socket(c[0]);
        LayerSocket mid = counting.socket(top.lower());
        assertThat(net.client.provider.socket(mid.lower())).as("a base socket below").isNotNull();
        assertThat(policy.wspSend(c[0], new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1, 2, 3})}, 1, n, 0, null,
                errno)).isZero();
        net.pump();
        ByteBuffer dst = ByteBuffer.allocate(8);
        assertThat(net.server.recv(c[1], dst, n)).isZero();
        assertThat(n.get()).isEqualTo(3);
        byte[] peer = new byte[16];
        assertThat(policy.wspGetPeerName(c[0], peer, new IntRef(16), errno)).isZero();
        assertThat(SockAddr.port(peer)).isEqualTo(7);
    }

    @Test
    void propagation_wspAcceptGivesALayerDescriptorOfTheSameChain() {
        start();
        int l = socket(tcpChain, 0);
        assertThat(policy.wspBind(l, SpiNet.addr("0.0.0.0", 9), 16, errno)).isZero();
        assertThat(policy.wspListen(l, 4, errno)).isZero();
        int c = net.server.tcp();
        net.server.nonBlocking(c, true);
        net.server.provider.wspConnect(c, SpiNet.addr(SpiNet.CLIENT_IP, 9), 16, net.server.errno);
        net.pump();
        int a = policy.wspAccept(l, null, null, null, errno);
        assertThat(a).isPositive();
        assertThat(policy.socket(a).protocolInfo()).isSameAs(tcpChain);
        assertThat(counting.socket(policy.socket(a).lower()).protocolInfo()).isSameAs(tcpChain);
        assertThat(counting.operations(ACCEPT)).isEqualTo(1);
    }

    @Test
    void propagation_soProtocolInfoNamesTheChainNotTheBaseEntry() {
        start();
        int s = socket(tcpChain, 0);
        byte[] v = new byte[ProtocolInfoLayout.LENGTH_W];
        assertThat(policy.wspGetSockOpt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, v, new IntRef(v.length), errno)).isZero();
        ProtocolInfo seen = ProtocolInfoLayout.read(v, true);
        assertThat(seen.catalogEntryId()).isEqualTo(tcpChain.catalogEntryId());
        assertThat(seen.protocolChain()).isEqualTo(tcpChain.protocolChain());
    }

    @Test
    void propagation_staleLayerDescriptor_WSAENOTSOCK() {
        start();
        int s = socket(udpChain, 0);
        assertThat(policy.wspCloseSocket(s, errno)).isZero();
        assertThat(policy.wspSendTo(s, new ByteBuffer[] {ByteBuffer.allocate(1)}, 1, n, 0,
                SpiNet.addr(SpiNet.SERVER_IP, 7), 16, null, errno)).isEqualTo(SOCKET_ERROR);
        assertThat(errno.get()).isEqualTo(WSAENOTSOCK);
        assertThat(policy.wspRecv(s, new ByteBuffer[] {ByteBuffer.allocate(1)}, 1, n, new IntRef(), null, errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(errno.get()).isEqualTo(WSAENOTSOCK);
    }

    @Test
    void counting_operationsErrorsAndBytesPerSocketAndInTotal() {
        start();
        int[] c = connected(0);
        CountingLayer.SocketCounts sc = counting.socketCounts(policy.socket(c[0]).lower());
        long opsBefore = sc.operations();
        policy.wspSend(c[0], new ByteBuffer[] {ByteBuffer.allocate(100)}, 1, n, 0, null, errno);
        policy.wspSend(c[0], new ByteBuffer[] {ByteBuffer.allocate(20), ByteBuffer.allocate(30)}, 2, n, 0, null,
                errno);
        net.server.send(c[1], new byte[40], n);
        net.pump();
        ByteBuffer dst = ByteBuffer.allocate(64);
        assertThat(policy.wspRecv(c[0], new ByteBuffer[] {dst}, 1, n, new IntRef(), null, errno)).isZero();
        assertThat(policy.wspRecv(c[0], new ByteBuffer[] {dst}, 1, n, new IntRef(), null, errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(errno.get()).isEqualTo(WSAEWOULDBLOCK);
        assertThat(counting.operations(SEND)).isEqualTo(2);
        assertThat(counting.operations(RECV)).isEqualTo(2);
        assertThat(counting.bytesSent()).isEqualTo(150);
        assertThat(counting.bytesReceived()).isEqualTo(40);
        assertThat(sc.bytesSent()).isEqualTo(150);
        assertThat(sc.bytesReceived()).isEqualTo(40);
        assertThat(sc.operations() - opsBefore).isEqualTo(4);
        assertThat(sc.errors()).as("the non-blocking connect's and the recv's WSAEWOULDBLOCK").isEqualTo(2);
        assertThat(counting.errors(WSAEWOULDBLOCK)).isEqualTo(2); // the connect's and the recv's
        assertThat(counting.operations(CONNECT)).isEqualTo(1);
        assertThat(counting.operations(IOCTL)).isEqualTo(1);
    }

    @Test
    void counting_overlappedOperationsCountTheirBytesWhenTheyComplete() {
        start();
        int[] c = connected(WSA_FLAG_OVERLAPPED);
        Overlapped ov = new Overlapped();
        assertThat(policy.wspRecv(c[0], new ByteBuffer[] {ByteBuffer.allocate(16)}, 1, null, new IntRef(), ov,
                errno)).isEqualTo(SOCKET_ERROR);
        assertThat(errno.get()).isEqualTo(WSA_IO_PENDING);
        assertThat(counting.operations(RECV)).isEqualTo(1);
        assertThat(counting.errors(WSA_IO_PENDING)).as("pending is not an error").isZero();
        assertThat(counting.bytesReceived()).isZero();
        net.server.send(c[1], new byte[12], n);
        net.pump();
        assertThat(ov.future()).isCompletedWithValue(12);
        assertThat(counting.bytesReceived()).isEqualTo(12);
        Overlapped aborted = new Overlapped();
        policy.wspRecv(c[0], new ByteBuffer[] {ByteBuffer.allocate(16)}, 1, null, new IntRef(), aborted, errno);
        policy.wspCloseSocket(c[0], errno);
        assertThat(counting.errors(WSA_OPERATION_ABORTED)).isEqualTo(1);
    }

    @Test
    void policy_connectRefusedWithTheRulesError_andNothingReachesTheEngine() {
        start(PolicyRule.deny().withPorts(7, 7).withError(WSAECONNREFUSED));
        int s = socket(tcpChain, 0);
        assertThat(policy.wspConnect(s, SpiNet.addr(SpiNet.SERVER_IP, 7), 16, errno)).isEqualTo(SOCKET_ERROR);
        assertThat(errno.get()).isEqualTo(WSAECONNREFUSED);
        net.pump();
        assertThat(net.server.stack.counters().tcpSegmentsIn).isZero();
        assertThat(counting.operations(CONNECT)).as("stopped above the counting layer").isZero();
    }

    @Test
    void policy_bindDeniedForPrivilegedPorts() {
        start(PolicyRule.deny().withPorts(1, 1023));
        int s = socket(tcpChain, 0);
        assertThat(policy.wspBind(s, SpiNet.addr("0.0.0.0", 80), 16, errno)).isEqualTo(SOCKET_ERROR);
        assertThat(errno.get()).isEqualTo(WSAEACCES);
        assertThat(policy.wspBind(s, SpiNet.addr("0.0.0.0", 8080), 16, errno)).isZero();
    }

    @Test
    void policy_sendToDeniedByAddressPrefix() {
        start(PolicyRule.deny().withPrefix(new byte[] {10, 0, 0, 1}, 32).withError(WSAENETUNREACH));
        int u = socket(udpChain, 0);
        assertThat(policy.wspSendTo(u, new ByteBuffer[] {ByteBuffer.allocate(4)}, 1, n, 0,
                SpiNet.addr(SpiNet.SERVER_IP, 7), 16, null, errno)).isEqualTo(SOCKET_ERROR);
        assertThat(errno.get()).isEqualTo(WSAENETUNREACH);
        assertThat(policy.wspSendTo(u, new ByteBuffer[] {ByteBuffer.allocate(4)}, 1, n, 0,
                SpiNet.addr("10.0.0.77", 7), 16, null, errno)).as("another address").isZero();
    }

    @Test
    void policy_joinLeafDeniedForAGroup() {
        start(PolicyRule.deny().withPrefix(new byte[] {(byte) 239, 0, 0, 0}, 8));
        int s = socket(multicastChain, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
        assertThat(policy.wspJoinLeaf(s, SpiNet.addr("239.1.1.1", 5000), 16, JL_BOTH, errno))
                .isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEACCES);
        assertThat(policy.wspJoinLeaf(s, SpiNet.addr("224.1.1.1", 5000), 16, JL_BOTH, errno)).as("the same socket")
                .isEqualTo(s);
    }
}
