/*
 * WspConnectionSetupTest: WSPBind, WSPListen, WSPAccept, WSPConnect, WSPGetSockName and WSPGetPeerName on the real
 * stack: the seed's "A connection to another socket is created with a WSPConnect call", and each function's error
 * codes (refused connects give WSAECONNREFUSED, unanswered ones WSAETIMEDOUT).
 */
package io.ustack.spi.stack;

import io.ustack.spi.AcceptCondition;
import io.ustack.spi.ErrnoRef;
import io.ustack.spi.IntRef;
import io.ustack.spi.SockAddr;
import io.ustack.tcp.TcpConfig;
import io.ustack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ustack.spi.SocketOptions.*;
import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class WspConnectionSetupTest {
    private SpiNet net = new SpiNet();
    private final IntRef n = new IntRef();

    @AfterEach
    void close() {
        net.close();
    }

    private int connect(SpiNet.Side side, int s, String ip, int port) {
        return side.provider.wspConnect(s, SpiNet.addr(ip, port), 16, side.errno);
    }

    private int listener(int port) {
        int l = net.server.tcp();
        net.server.check(net.server.bind(l, "0.0.0.0", port));
        net.server.check(net.server.provider.wspListen(l, 4, net.server.errno));
        return l;
    }

    // ------------------------------------------------------------------ WSPBind

    @Test
    void wspBind_portZeroPicksAnEphemeralPortThatGetSockNameReports() {
        int s = net.client.tcp();
        assertThat(net.client.bind(s, "0.0.0.0", 0)).isZero();
        assertThat(net.client.localPort(s)).isBetween(49152, 65535);
        int t = net.client.tcp();
        assertThat(net.client.bind(t, SpiNet.CLIENT_IP, 4000)).as("the interface address").isZero();
        byte[] name = new byte[16];
        net.client.check(net.client.provider.wspGetSockName(t, name, new IntRef(16), net.client.errno));
        assertThat(SockAddr.inet4Address(name)).isEqualTo(Ipv4Address.parse(SpiNet.CLIENT_IP));
        assertThat(SockAddr.port(name)).isEqualTo(4000);
    }

    @Test
    void wspBind_WSAEADDRINUSE_portHeldByAnotherSocket() {
        int a = net.server.tcp();
        net.server.check(net.server.bind(a, "0.0.0.0", 5000));
        int b = net.server.tcp();
        assertThat(net.server.bind(b, SpiNet.SERVER_IP, 5000)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEADDRINUSE);
        net.server.close(a);
        assertThat(net.server.bind(b, SpiNet.SERVER_IP, 5000)).as("free again after close").isZero();
    }

    @Test
    void wspBind_SO_REUSEADDR_letsASecondSocketBindThePort() {
        int a = net.server.tcp();
        net.server.check(net.server.bind(a, "0.0.0.0", 5000));
        int b = net.server.tcp();
        net.server.setInt(b, SOL_SOCKET, SO_REUSEADDR, 1);
        assertThat(net.server.bind(b, "0.0.0.0", 5000)).isZero();
        assertThat(net.server.getInt(b, SOL_SOCKET, SO_REUSEADDR)).isEqualTo(1);
    }

    @Test
    void wspBind_WSAEADDRNOTAVAIL_addressNotOfThisHost() {
        int s = net.client.tcp();
        assertThat(net.client.bind(s, "10.0.0.99", 0)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEADDRNOTAVAIL);
        int u = net.client.udp();
        assertThat(net.client.bind(u, SpiNet.SERVER_IP, 0)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEADDRNOTAVAIL);
    }

    @Test
    void wspBind_WSAEINVAL_alreadyBound() {
        int s = net.client.tcp();
        net.client.check(net.client.bind(s, "0.0.0.0", 0));
        assertThat(net.client.bind(s, "0.0.0.0", 0)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEINVAL);
        int u = net.client.udp();
        net.client.check(net.client.bind(u, "0.0.0.0", 0));
        assertThat(net.client.bind(u, "0.0.0.0", 0)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspBind_WSAEFAULT_andWSAEAFNOSUPPORT_forBadNames() {
        int s = net.client.tcp();
        assertThat(net.client.provider.wspBind(s, SpiNet.addr("0.0.0.0", 0), 15, net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(net.client.provider.wspBind(s, null, 16, net.client.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(net.client.provider.wspBind(s, SockAddr.inet6(new byte[16], 0, 0), 28, net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEAFNOSUPPORT);
    }

    // ------------------------------------------------------------------ WSPListen

    @Test
    void wspListen_WSAEINVAL_unboundSocket() {
        int s = net.server.tcp();
        assertThat(net.server.provider.wspListen(s, 5, net.server.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspListen_WSAEOPNOTSUPP_datagramSocket() {
        int u = net.server.udp();
        net.server.bind(u, "0.0.0.0", 7);
        assertThat(net.server.provider.wspListen(u, 5, net.server.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEOPNOTSUPP);
    }

    @Test
    void wspListen_WSAEISCONN_connectedSocket() {
        SpiNet.Connection c = net.connect(0, 0);
        assertThat(net.client.provider.wspListen(c.client(), 5, net.client.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEISCONN);
    }

    @Test
    void wspListen_WSAEADDRINUSE_whenAnotherSocketListensOnThePort() {
        listener(6000);
        int b = net.server.tcp();
        net.server.setInt(b, SOL_SOCKET, SO_REUSEADDR, 1);
        net.server.check(net.server.bind(b, "0.0.0.0", 6000));
        assertThat(net.server.provider.wspListen(b, 5, net.server.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEADDRINUSE);
    }

    @Test
    void wspListen_againOnAListeningSocketSucceeds() {
        int l = listener(6000);
        assertThat(net.server.provider.wspListen(l, 9, net.server.errno)).isZero();
        assertThat(net.server.getInt(l, SOL_SOCKET, SO_ACCEPTCONN)).isEqualTo(1);
    }

    // ------------------------------------------------------------------ WSPAccept

    @Test
    void wspAccept_returnsANewDescriptorAndThePeerAddress() {
        int l = listener(7);
        int c = net.client.tcp();
        net.client.nonBlocking(c, true);
        connect(net.client, c, SpiNet.SERVER_IP, 7);
        net.pump();
        byte[] peer = new byte[16];
        IntRef len = new IntRef(16);
        int a = net.server.provider.wspAccept(l, peer, len, null, net.server.errno);
        assertThat(a).isPositive().isNotEqualTo(l);
        assertThat(len.get()).isEqualTo(16);
        assertThat(SockAddr.inet4Address(peer)).isEqualTo(Ipv4Address.parse(SpiNet.CLIENT_IP));
        assertThat(SockAddr.port(peer)).isEqualTo(net.client.localPort(c));
        assertThat(net.server.provider.socket(a).protocolInfo()).isSameAs(net.server.provider.socket(l)
                .protocolInfo());
        byte[] back = new byte[16];
        net.server.check(net.server.provider.wspGetPeerName(a, back, new IntRef(16), net.server.errno));
        assertThat(back).isEqualTo(peer);
    }

    @Test
    void wspAccept_theAcceptedSocketHasTheListeningSocketsAttributes() {
        int l = net.server.socket(SOCK_STREAM, WSA_FLAG_OVERLAPPED);
        net.server.bind(l, "0.0.0.0", 7);
        net.server.check(net.server.provider.wspListen(l, 4, net.server.errno));
        net.server.setInt(l, io.ustack.spi.SocketOptions.IPPROTO_TCP, TCP_NODELAY, 1);
        int c = net.client.tcp();
        net.client.nonBlocking(c, true);
        connect(net.client, c, SpiNet.SERVER_IP, 7);
        net.pump();
        int a = net.server.provider.wspAccept(l, null, null, null, net.server.errno);
        assertThat(net.server.provider.socket(a).isOverlapped()).isTrue();
        assertThat(net.server.getInt(a, io.ustack.spi.SocketOptions.IPPROTO_TCP, TCP_NODELAY)).isEqualTo(1);
    }

    @Test
    void wspAccept_WSAEINVAL_notListening() {
        int s = net.server.tcp();
        net.server.bind(s, "0.0.0.0", 7);
        assertThat(net.server.provider.wspAccept(s, null, null, null, net.server.errno)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspAccept_WSAEOPNOTSUPP_datagramSocket() {
        int u = net.server.udp();
        assertThat(net.server.provider.wspAccept(u, null, null, null, net.server.errno)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEOPNOTSUPP);
    }

    @Test
    void wspAccept_WSAEWOULDBLOCK_nonBlockingWithoutConnection() {
        int l = listener(7);
        net.server.nonBlocking(l, true);
        assertThat(net.server.provider.wspAccept(l, null, null, null, net.server.errno)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEWOULDBLOCK);
    }

    @Test
    void wspAccept_WSAEINPROGRESS_blockingOnTheEngineThreadWithoutConnection() {
        int l = listener(7);
        assertThat(net.server.provider.wspAccept(l, null, null, null, net.server.errno)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEINPROGRESS);
    }

    @Test
    void wspAccept_WSAEFAULT_addressBufferTooSmall() {
        int l = listener(7);
        assertThat(net.server.provider.wspAccept(l, new byte[8], new IntRef(8), null, net.server.errno))
                .isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEFAULT);
    }

    @Test
    void wspAccept_WSAECONNREFUSED_whenTheConditionRejects() {
        int l = listener(7);
        int c = net.client.tcp();
        net.client.nonBlocking(c, true);
        connect(net.client, c, SpiNet.SERVER_IP, 7);
        net.pump();
        byte[][] seen = new byte[2][];
        AcceptCondition reject = (caller, callee) -> {
            seen[0] = caller;
            seen[1] = callee;
            return AcceptCondition.CF_REJECT;
        };
        assertThat(net.server.provider.wspAccept(l, null, null, reject, net.server.errno)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAECONNREFUSED);
        assertThat(SockAddr.inet4Address(seen[0])).isEqualTo(Ipv4Address.parse(SpiNet.CLIENT_IP));
        assertThat(SockAddr.port(seen[1])).isEqualTo(7);
        net.pump();
        net.client.nonBlocking(c, false);
        assertThat(net.client.recv(c, ByteBuffer.allocate(4), n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).as("the rejected connection is reset").isEqualTo(WSAECONNRESET);
    }

    @Test
    void wspAccept_WSAEMFILE_whenTheDescriptorTableIsFull() {
        net.close();
        net = new SpiNet(new TcpConfig(), 1L << 40, 2);
        int l = listener(7);
        int filler = net.server.udp();
        int c = net.client.tcp();
        net.client.nonBlocking(c, true);
        connect(net.client, c, SpiNet.SERVER_IP, 7);
        net.pump();
        assertThat(net.server.provider.wspAccept(l, null, null, null, net.server.errno)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAEMFILE);
        assertThat(filler).isPositive();
    }

    @Test
    void wspAccept_WSAENOBUFS_whenTheBudgetCannotCoverTheNewSocket() {
        net.close();
        long stream = new TcpConfig().sendBufferSize() + (long) new TcpConfig().receiveBufferSize();
        net = new SpiNet(new TcpConfig(), stream, 64); // room for the listening socket only
        int l = listener(7);
        int c = net.client.tcp();
        net.client.nonBlocking(c, true);
        connect(net.client, c, SpiNet.SERVER_IP, 7);
        net.pump();
        assertThat(net.server.provider.wspAccept(l, null, null, null, net.server.errno)).isEqualTo(INVALID_SOCKET);
        assertThat(net.server.errno.get()).isEqualTo(WSAENOBUFS);
    }

    @Test
    void wspAccept_blockingOnAVirtualThreadIsWokenByAConnection() throws Exception {
        int l = listener(7);
        net.startPumping();
        CompletableFuture<Integer> accepted = CompletableFuture.supplyAsync(() -> {
            ErrnoRef e = new ErrnoRef();
            int a = net.server.provider.wspAccept(l, null, null, null, e);
            return a == INVALID_SOCKET ? -e.get() : a;
        }, Thread::startVirtualThread);
        Thread.sleep(50);
        assertThat(accepted).isNotDone();
        int c = net.client.tcp();
        assertThat(connect(net.client, c, SpiNet.SERVER_IP, 7)).as("a blocking connect").isZero();
        assertThat(accepted.get(10, TimeUnit.SECONDS)).isPositive();
    }

    // ------------------------------------------------------------------ WSPConnect

    @Test
    void wspConnect_nonBlocking_WSAEWOULDBLOCK_thenWSAEALREADY_thenWSAEISCONN() {
        listener(7);
        int c = net.client.tcp();
        net.client.nonBlocking(c, true);
        assertThat(connect(net.client, c, SpiNet.SERVER_IP, 7)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEWOULDBLOCK);
        assertThat(connect(net.client, c, SpiNet.SERVER_IP, 7)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEALREADY);
        net.pump();
        assertThat(connect(net.client, c, SpiNet.SERVER_IP, 7)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEISCONN);
        assertThat(net.client.getInt(c, SOL_SOCKET, SO_ERROR)).isZero();
    }

    @Test
    void wspConnect_WSAECONNREFUSED_closedPort() throws Exception {
        net.startPumping();
        int c = net.client.tcp();
        assertThat(connect(net.client, c, SpiNet.SERVER_IP, 4444)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAECONNREFUSED);
        net.stopPumping();
        int l = listener(4444);
        net.client.nonBlocking(c, true);
        assertThat(connect(net.client, c, SpiNet.SERVER_IP, 4444)).as("a refused socket may connect again")
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEWOULDBLOCK);
        net.pump();
        assertThat(net.server.provider.wspAccept(l, null, null, null, net.server.errno)).isPositive();
    }

    @Test
    void wspConnect_WSAECONNREFUSED_reportedInSO_ERRORForANonBlockingConnect() {
        int c = net.client.tcp();
        net.client.nonBlocking(c, true);
        assertThat(connect(net.client, c, SpiNet.SERVER_IP, 4444)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEWOULDBLOCK);
        net.pump();
        assertThat(net.client.getInt(c, SOL_SOCKET, SO_ERROR)).isEqualTo(WSAECONNREFUSED);
        assertThat(net.client.getInt(c, SOL_SOCKET, SO_ERROR)).as("reading SO_ERROR clears it").isZero();
    }

    @Test
    void wspConnect_WSAETIMEDOUT_whenTheSynIsNeverAnswered() {
        net.close();
        net = new SpiNet(new TcpConfig().synRetries(2).rtoInitial(Duration.ofMillis(200)));
        net.serverLink.setUp(false);
        int c = net.client.tcp();
        net.client.nonBlocking(c, true);
        connect(net.client, c, SpiNet.SERVER_IP, 7);
        net.advance(Duration.ofSeconds(30).toNanos(), Duration.ofMillis(10).toNanos());
        assertThat(net.client.getInt(c, SOL_SOCKET, SO_ERROR)).isEqualTo(WSAETIMEDOUT);
        byte[] peer = new byte[16];
        assertThat(net.client.provider.wspGetPeerName(c, peer, new IntRef(16), net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOTCONN);
    }

    @Test
    void wspConnect_WSAEADDRNOTAVAIL_anyAddressOrPortZero() {
        int c = net.client.tcp();
        assertThat(connect(net.client, c, "0.0.0.0", 7)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEADDRNOTAVAIL);
        assertThat(connect(net.client, c, SpiNet.SERVER_IP, 0)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEADDRNOTAVAIL);
    }

    @Test
    void wspConnect_WSAEINVAL_listeningSocket() {
        int l = listener(7);
        assertThat(connect(net.server, l, SpiNet.CLIENT_IP, 7)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspConnect_WSAENETUNREACH_offLinkWithoutGateway() {
        int c = net.client.tcp();
        net.client.nonBlocking(c, true);
        assertThat(connect(net.client, c, "192.168.1.1", 7)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENETUNREACH);
    }

    @Test
    void wspConnect_WSAEINPROGRESS_blockingConnectOnTheEngineThread() {
        listener(7);
        int c = net.client.tcp();
        assertThat(connect(net.client, c, SpiNet.SERVER_IP, 7)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEINPROGRESS);
        net.pump();
        assertThat(net.server.stack.counters().tcpSegmentsIn).as("nothing was started").isZero();
    }

    @Test
    void wspConnect_WSAEFAULT_andWSAEAFNOSUPPORT_forBadNames() {
        int c = net.client.tcp();
        assertThat(net.client.provider.wspConnect(c, SpiNet.addr(SpiNet.SERVER_IP, 7), 4, net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(net.client.provider.wspConnect(c, SockAddr.inet6(new byte[16], 7, 0), 28, net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEAFNOSUPPORT);
    }

    @Test
    void wspConnect_WSAEINTR_whenTheWaitingThreadIsInterrupted() throws Exception {
        net.close();
        net = new SpiNet(new TcpConfig().synRetries(6));
        net.serverLink.setUp(false); // the SYN is never answered
        net.startPumping();
        int c = net.client.tcp();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            ErrnoRef e = new ErrnoRef();
            int r = net.client.provider.wspConnect(c, SpiNet.addr(SpiNet.SERVER_IP, 7), 16, e);
            result.complete(r == 0 ? 0 : e.get());
        });
        Thread.sleep(50);
        t.interrupt();
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(WSAEINTR);
    }

    // ------------------------------------------------------------------ names

    @Test
    void wspGetSockName_WSAEINVAL_unboundAndWSAEFAULT_shortBuffer() {
        int s = net.client.tcp();
        byte[] name = new byte[16];
        assertThat(net.client.provider.wspGetSockName(s, name, new IntRef(16), net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEINVAL);
        net.client.bind(s, "0.0.0.0", 0);
        assertThat(net.client.provider.wspGetSockName(s, name, new IntRef(8), net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
    }

    @Test
    void wspGetSockName_connectedSocketReportsTheInterfaceAddress() {
        SpiNet.Connection c = net.connect(0, 0);
        byte[] name = new byte[16];
        net.client.check(net.client.provider.wspGetSockName(c.client(), name, new IntRef(16), net.client.errno));
        assertThat(SockAddr.inet4Address(name)).isEqualTo(Ipv4Address.parse(SpiNet.CLIENT_IP));
        assertThat(SockAddr.port(name)).isPositive();
    }

    @Test
    void wspGetPeerName_WSAENOTCONN_unconnectedSocket() {
        int s = net.client.tcp();
        assertThat(net.client.provider.wspGetPeerName(s, new byte[16], new IntRef(16), net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOTCONN);
        int u = net.client.udp();
        assertThat(net.client.provider.wspGetPeerName(u, new byte[16], new IntRef(16), net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOTCONN);
    }

    @Test
    void wspGetPeerName_connectedSocketReportsThePeer() {
        SpiNet.Connection c = net.connect(0, 0);
        byte[] peer = new byte[16];
        net.client.check(net.client.provider.wspGetPeerName(c.client(), peer, new IntRef(16), net.client.errno));
        assertThat(SockAddr.inet4Address(peer)).isEqualTo(Ipv4Address.parse(SpiNet.SERVER_IP));
        assertThat(SockAddr.port(peer)).isEqualTo(c.port());
    }
}
