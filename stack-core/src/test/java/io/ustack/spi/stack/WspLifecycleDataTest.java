/*
 * WspLifecycleDataTest: what every data function shares: WSAENOTSOCK for a closed (stale) descriptor,
 * WSANOTINITIALISED without WSPStartup, WSAENETDOWN with the link down or the stack closed, WSAEINPROGRESS inside a
 * completion callback; WSPShutdown and its errors; WSPCloseSocket; shared sockets (WSPDuplicateSocket) that stay
 * open until the last descriptor closes and move data through every descriptor; and StackBackend's socket creation:
 * budget (WSAENOBUFS), link (WSAENETDOWN), and the engine's missing raw IP and IPv6.
 */
package io.ustack.spi.stack;

import io.ustack.spi.BlockingCalls;
import io.ustack.spi.ErrnoRef;
import io.ustack.spi.IntRef;
import io.ustack.spi.OptionValue;
import io.ustack.spi.Overlapped;
import io.ustack.spi.ProtocolInfo;
import io.ustack.spi.ServiceProvider;
import io.ustack.tcp.TcpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntUnaryOperator;

import static io.ustack.spi.SocketOptions.*;
import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class WspLifecycleDataTest {
    private static final long PID = ProcessHandle.current().pid();
    private final SpiNet net = new SpiNet();
    private final IntRef n = new IntRef();

    @AfterEach
    void close() {
        net.close();
    }

    /** Every data function called on {@code s}; each returns the WSA error it reported (NO_ERROR on success). */
    private static Map<String, IntUnaryOperator> everyDataFunction(ServiceProvider p) {
        ErrnoRef e = new ErrnoRef();
        ByteBuffer[] b = {ByteBuffer.allocate(4)};
        byte[] sa = SpiNet.addr(SpiNet.SERVER_IP, 7);
        Map<String, IntUnaryOperator> m = new LinkedHashMap<>();
        m.put("WSPBind", s -> p.wspBind(s, sa, 16, e) == 0 ? 0 : e.get());
        m.put("WSPListen", s -> p.wspListen(s, 1, e) == 0 ? 0 : e.get());
        m.put("WSPAccept", s -> p.wspAccept(s, null, null, null, e) != INVALID_SOCKET ? 0 : e.get());
        m.put("WSPConnect", s -> p.wspConnect(s, sa, 16, e) == 0 ? 0 : e.get());
        m.put("WSPSend", s -> p.wspSend(s, b, 1, new IntRef(), 0, null, e) == 0 ? 0 : e.get());
        m.put("WSPSendTo", s -> p.wspSendTo(s, b, 1, new IntRef(), 0, sa, 16, null, e) == 0 ? 0 : e.get());
        m.put("WSPRecv", s -> p.wspRecv(s, b, 1, new IntRef(), new IntRef(), null, e) == 0 ? 0 : e.get());
        m.put("WSPRecvFrom", s -> p.wspRecvFrom(s, b, 1, new IntRef(), new IntRef(), null, null, null, e) == 0 ? 0
                : e.get());
        m.put("WSPShutdown", s -> p.wspShutdown(s, SD_BOTH, e) == 0 ? 0 : e.get());
        m.put("WSPGetSockName", s -> p.wspGetSockName(s, new byte[16], new IntRef(16), e) == 0 ? 0 : e.get());
        m.put("WSPGetPeerName", s -> p.wspGetPeerName(s, new byte[16], new IntRef(16), e) == 0 ? 0 : e.get());
        m.put("WSPGetSockOpt", s -> p.wspGetSockOpt(s, SOL_SOCKET, SO_TYPE, new byte[4], new IntRef(4), e) == 0 ? 0
                : e.get());
        m.put("WSPSetSockOpt", s -> p.wspSetSockOpt(s, SOL_SOCKET, SO_REUSEADDR, OptionValue.ofInt(1), 4, e) == 0 ? 0
                : e.get());
        m.put("WSPIoctl", s -> p.wspIoctl(s, FIONREAD, null, 0, new byte[4], 4, new IntRef(), null, e) == 0 ? 0
                : e.get());
        m.put("WSPJoinLeaf", s -> p.wspJoinLeaf(s, SpiNet.addr("239.1.1.1", 5000), 16, JL_BOTH, e)
                != INVALID_SOCKET ? 0 : e.get());
        return m;
    }

    @Test
    void everyDataFunction_WSAENOTSOCK_onAStaleDescriptorAfterClose() {
        int s = net.client.tcp();
        net.client.close(s);
        int reused = net.client.tcp(); // the slot may be handed out again: the old descriptor must still fail
        everyDataFunction(net.client.provider).forEach((name, f) ->
                assertThat(f.applyAsInt(s)).as(name).isEqualTo(WSAENOTSOCK));
        assertThat(net.client.provider.socket(reused)).isNotNull();
    }

    @Test
    void everyDataFunction_WSANOTINITIALISED_afterCleanup() {
        int s = net.client.tcp();
        assertThat(net.client.provider.wspCleanup(net.client.errno)).isZero();
        everyDataFunction(net.client.provider).forEach((name, f) ->
                assertThat(f.applyAsInt(s)).as(name).isEqualTo(WSANOTINITIALISED));
    }

    @Test
    void everyDataFunction_WSAENETDOWN_whenTheLinkIsDown() {
        int s = net.client.tcp();
        net.clientLink.setUp(false);
        everyDataFunction(net.client.provider).forEach((name, f) ->
                assertThat(f.applyAsInt(s)).as(name).isEqualTo(WSAENETDOWN));
        net.clientLink.setUp(true);
        assertThat(everyDataFunction(net.client.provider).get("WSPGetSockOpt").applyAsInt(s)).isZero();
    }

    @Test
    void everyDataFunction_WSAEINPROGRESS_whileABlockingCallOrCallbackIsInProgressOnTheThread() {
        int s = net.client.tcp();
        BlockingCalls.enterCallback();
        try {
            everyDataFunction(net.client.provider).forEach((name, f) ->
                    assertThat(f.applyAsInt(s)).as(name).isEqualTo(WSAEINPROGRESS));
        } finally {
            BlockingCalls.exitCallback();
        }
    }

    @Test
    void everyDataFunction_WSAENETDOWN_afterTheStackIsClosed() {
        int s = net.client.udp();
        net.client.stack.close();
        everyDataFunction(net.client.provider).forEach((name, f) ->
                assertThat(f.applyAsInt(s)).as(name).isEqualTo(WSAENETDOWN));
        assertThat(net.client.provider.wspCloseSocket(s, net.client.errno)).as("closing still works").isZero();
        assertThat(net.client.budget.reserved()).isZero();
    }

    // ------------------------------------------------------------------ WSPShutdown, WSPCloseSocket

    @Test
    void wspShutdown_WSAENOTCONN_unconnectedStream_andWSAEINVAL_badHow() {
        int s = net.client.tcp();
        assertThat(net.client.provider.wspShutdown(s, SD_SEND, net.client.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOTCONN);
        assertThat(net.client.provider.wspShutdown(s, 3, net.client.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspShutdown_SD_SEND_thenSendsFailWithWSAESHUTDOWN_andThePeerSeesTheEnd() {
        SpiNet.Connection c = net.connect(0, 0);
        net.client.check(net.client.provider.wspShutdown(c.client(), SD_SEND, net.client.errno));
        assertThat(net.client.send(c.client(), new byte[] {1}, n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAESHUTDOWN);
        net.pump();
        assertThat(net.server.recv(c.server(), ByteBuffer.allocate(4), n)).isZero();
        assertThat(n.get()).isZero();
        assertThat(net.server.send(c.server(), new byte[] {5}, n)).as("half-close: the other way still works")
                .isZero();
        net.pump();
        assertThat(net.client.recv(c.client(), ByteBuffer.allocate(4), n)).isZero();
        assertThat(n.get()).isEqualTo(1);
    }

    @Test
    void wspShutdown_SD_SEND_sendsTheFinAfterTheSendsPostedBeforeIt() {
        SpiNet.Connection c = net.connect(0, WSA_FLAG_OVERLAPPED);
        int sndbuf = net.client.getInt(c.client(), SOL_SOCKET, SO_SNDBUF);
        byte[] data = new byte[sndbuf * 2];
        java.util.Arrays.fill(data, (byte) 3);
        Overlapped ov = new Overlapped();
        net.client.provider.wspSend(c.client(), new ByteBuffer[] {ByteBuffer.wrap(data)}, 1, null, 0, ov,
                net.client.errno);
        assertThat(ov.isComplete()).as("more than the send buffer: still pending").isFalse();
        net.client.check(net.client.provider.wspShutdown(c.client(), SD_SEND, net.client.errno));
        byte[] got = new byte[data.length];
        net.readFully(net.server, c.server(), got);
        assertThat(got).isEqualTo(data);
        assertThat(ov.future()).isCompletedWithValue(data.length);
        assertThat(net.server.recv(c.server(), ByteBuffer.allocate(4), n)).isZero();
        assertThat(n.get()).as("then the end of the stream").isZero();
    }

    @Test
    void wspShutdown_SD_RECEIVE_thenReceivesFailWithWSAESHUTDOWN() {
        SpiNet.Connection c = net.connect(0, 0);
        net.server.check(net.server.provider.wspShutdown(c.server(), SD_RECEIVE, net.server.errno));
        assertThat(net.server.recv(c.server(), ByteBuffer.allocate(4), n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAESHUTDOWN);
    }

    @Test
    void wspCloseSocket_givesTheSocketsBudgetBack() {
        long before = net.client.budget.reserved();
        int t = net.client.tcp();
        int u = net.client.udp();
        assertThat(net.client.budget.reserved() - before).isEqualTo(net.client.backend.streamReservation()
                + net.client.backend.datagramReservation());
        net.client.close(t);
        net.client.close(u);
        assertThat(net.client.budget.reserved()).isEqualTo(before);
    }

    // ------------------------------------------------------------------ shared sockets

    @Test
    void sharedSocket_bothDescriptorsMoveData_andTheSocketLivesUntilTheLastIsClosed() {
        SpiNet.Connection c = net.connect(0, 0);
        ProtocolInfo shared = net.server.provider.wspDuplicateSocket(c.server(), PID, net.server.errno);
        int second = net.server.provider.wspSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, shared,
                0, 0, net.server.errno);
        assertThat(second).isPositive().isNotEqualTo(c.server());
        net.client.send(c.client(), new byte[] {1}, n);
        net.pump();
        ByteBuffer dst = ByteBuffer.allocate(4);
        assertThat(net.server.recv(second, dst, n)).isZero();
        assertThat(dst.get(0)).isEqualTo((byte) 1);
        assertThat(net.server.send(c.server(), new byte[] {2}, n)).isZero();
        assertThat(net.server.send(second, new byte[] {3}, n)).isZero();
        net.server.close(c.server());
        net.advance(500_000_000L, 10_000_000L);
        ByteBuffer back = ByteBuffer.allocate(4);
        assertThat(net.client.recv(c.client(), back, n)).isZero();
        assertThat(n.get()).as("both descriptors sent, the connection is still open").isEqualTo(2);
        net.client.send(c.client(), new byte[] {4}, n);
        net.pump();
        assertThat(net.server.recv(second, dst, n)).isZero();
        assertThat(dst.get(0)).isEqualTo((byte) 4);
        net.server.close(second);
        net.pump();
        assertThat(net.client.recv(c.client(), back, n)).isZero();
        assertThat(n.get()).as("the last close ends the connection").isZero();
    }

    // ------------------------------------------------------------------ StackBackend socket creation

    @Test
    void wspSocket_WSAENETDOWN_whenTheStacksLinkIsDown() {
        net.clientLink.setUp(false);
        assertThat(net.client.provider.wspSocket(AF_INET, SOCK_STREAM, 0, null, 0, 0, net.client.errno))
                .isEqualTo(INVALID_SOCKET);
        assertThat(net.client.errno.get()).isEqualTo(WSAENETDOWN);
    }

    @Test
    void wspSocket_WSAENOBUFS_fromTheRealBufferBudget() {
        TcpConfig d = new TcpConfig();
        try (SpiNet tight = new SpiNet(d, (long) d.sendBufferSize() + d.receiveBufferSize(), 8)) {
            assertThat(tight.client.tcp()).isPositive();
            assertThat(tight.client.provider.wspSocket(AF_INET, SOCK_STREAM, 0, null, 0, 0, tight.client.errno))
                    .isEqualTo(INVALID_SOCKET);
            assertThat(tight.client.errno.get()).isEqualTo(WSAENOBUFS);
        }
    }

    @Test
    void wspSocket_WSAESOCKTNOSUPPORT_forRaw_theEngineHasNoRawIp() {
        assertThat(net.client.provider.wspSocket(AF_INET, SOCK_RAW, IPPROTO_ICMP, null, 0, 0, net.client.errno))
                .isEqualTo(INVALID_SOCKET);
        assertThat(net.client.errno.get()).isEqualTo(WSAESOCKTNOSUPPORT);
        assertThat(net.client.budget.reserved()).isZero();
    }

    @Test
    void wspSocket_WSAEAFNOSUPPORT_forIpv6_theEngineHasNoIpv6() {
        assertThat(net.client.provider.wspSocket(AF_INET6, SOCK_STREAM, 0, null, 0, 0, net.client.errno))
                .isEqualTo(INVALID_SOCKET);
        assertThat(net.client.errno.get()).isEqualTo(WSAEAFNOSUPPORT);
    }
}
