/*
 * WspDatagramTest: WSPSendTo / WSPRecvFrom / WSPSend / WSPRecv / WSPConnect on datagram (UDP) sockets: the seed's
 * "Connectionless, message-oriented sockets allow sending and receiving of datagrams to and from arbitrary peers using
 * WSPSendTo and WSPRecvFrom. If such a socket is connected by using WSPConnect to a specific peer, datagrams can be
 * sent to that peer using WSPSend and can be received from (only) this peer using WSPRecv", and each error code.
 */
package io.ustack.spi.stack;

import io.ustack.spi.IntRef;
import io.ustack.spi.SockAddr;
import io.ustack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ustack.spi.SocketOptions.*;
import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class WspDatagramTest {
    private final SpiNet net = new SpiNet();
    private final IntRef n = new IntRef();

    @AfterEach
    void close() {
        net.close();
    }

    private int sendTo(SpiNet.Side side, int s, byte[] data, String ip, int port) {
        return side.provider.wspSendTo(s, new ByteBuffer[] {ByteBuffer.wrap(data)}, 1, n, 0, SpiNet.addr(ip, port),
                16, null, side.errno);
    }

    private int recvFrom(SpiNet.Side side, int s, ByteBuffer dst, byte[] from) {
        return side.provider.wspRecvFrom(s, new ByteBuffer[] {dst}, 1, n, new IntRef(), from,
                new IntRef(from == null ? 0 : from.length), null, side.errno);
    }

    /** A server socket bound to :7 and a client socket bound to an ephemeral port. */
    private int[] pair() {
        int s = net.server.udp();
        net.server.check(net.server.bind(s, "0.0.0.0", 7));
        int c = net.client.udp();
        net.client.check(net.client.bind(c, "0.0.0.0", 0));
        return new int[] {s, c};
    }

    @Test
    void wspSendToRecvFrom_datagramsToAndFromArbitraryPeers() {
        int[] p = pair();
        assertThat(sendTo(net.client, p[1], new byte[] {1, 2, 3}, SpiNet.SERVER_IP, 7)).isZero();
        assertThat(n.get()).isEqualTo(3);
        net.pump();
        ByteBuffer dst = ByteBuffer.allocate(16);
        byte[] from = new byte[16];
        assertThat(recvFrom(net.server, p[0], dst, from)).isZero();
        assertThat(n.get()).isEqualTo(3);
        assertThat(SockAddr.inet4Address(from)).isEqualTo(Ipv4Address.parse(SpiNet.CLIENT_IP));
        assertThat(SockAddr.port(from)).isEqualTo(net.client.localPort(p[1]));
        assertThat(sendTo(net.server, p[0], new byte[] {9}, SpiNet.CLIENT_IP, SockAddr.port(from))).isZero();
        net.pump();
        assertThat(recvFrom(net.client, p[1], dst, null)).isZero();
        assertThat(dst.get(0)).isEqualTo((byte) 9);
    }

    @Test
    void wspSendTo_bindsAnUnboundSocketImplicitly() {
        int s = net.server.udp();
        net.server.bind(s, "0.0.0.0", 7);
        int c = net.client.udp();
        byte[] name = new byte[16];
        assertThat(net.client.provider.wspGetSockName(c, name, new IntRef(16), net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEINVAL);
        assertThat(sendTo(net.client, c, new byte[] {1}, SpiNet.SERVER_IP, 7)).isZero();
        assertThat(net.client.localPort(c)).isPositive();
    }

    @Test
    void wspRecvFrom_WSAEINVAL_onUnboundSocket() {
        int c = net.client.udp();
        assertThat(recvFrom(net.client, c, ByteBuffer.allocate(4), null)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspRecv_WSAEMSGSIZE_fillsTheBufferAndDiscardsTheRest() {
        int[] p = pair();
        sendTo(net.client, p[1], new byte[] {1, 2, 3, 4, 5, 6}, SpiNet.SERVER_IP, 7);
        sendTo(net.client, p[1], new byte[] {7}, SpiNet.SERVER_IP, 7);
        net.pump();
        ByteBuffer small = ByteBuffer.allocate(4);
        assertThat(recvFrom(net.server, p[0], small, null)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEMSGSIZE);
        assertThat(n.get()).as("the buffer was filled").isEqualTo(4);
        assertThat(small.array()).containsExactly(1, 2, 3, 4);
        assertThat(recvFrom(net.server, p[0], small, null)).isZero();
        assertThat(n.get()).as("the rest of the first datagram is gone").isEqualTo(1);
        assertThat(small.get(0)).isEqualTo((byte) 7);
    }

    @Test
    void wspSendTo_WSAEMSGSIZE_overTheMessageSize_andOverThePathMtuFragmented() {
        int[] p = pair();
        assertThat(net.client.provider.wspSendTo(p[1], new ByteBuffer[] {ByteBuffer.allocate(65_508)}, 1, n, 0,
                SpiNet.addr(SpiNet.SERVER_IP, 7), 16, null, net.client.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).as("dwMessageSize 65507").isEqualTo(WSAEMSGSIZE);
        byte[] big = new byte[2000];
        big[1999] = 42;
        assertThat(sendTo(net.client, p[1], big, SpiNet.SERVER_IP, 7)).as("MTU 1500: sent as IP fragments").isZero();
        net.pump();
        ByteBuffer dst = ByteBuffer.allocate(4000);
        assertThat(recvFrom(net.server, p[0], dst, null)).isZero();
        assertThat(n.get()).isEqualTo(2000);
        assertThat(dst.get(1999)).isEqualTo((byte) 42);
    }

    @Test
    void wspSend_WSAENOTCONN_onUnconnectedDatagramSocket() {
        int[] p = pair();
        assertThat(net.client.send(p[1], new byte[] {1}, n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOTCONN);
    }

    @Test
    void wspSendTo_WSAEDESTADDRREQ_withoutAnAddressOnUnconnectedSocket() {
        int[] p = pair();
        assertThat(net.client.provider.wspSendTo(p[1], new ByteBuffer[] {ByteBuffer.allocate(1)}, 1, n, 0, null, 0,
                null, net.client.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEDESTADDRREQ);
    }

    @Test
    void wspSendTo_WSAEADDRNOTAVAIL_forPortZeroOrTheNullAddress() {
        int[] p = pair();
        assertThat(sendTo(net.client, p[1], new byte[] {1}, SpiNet.SERVER_IP, 0)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEADDRNOTAVAIL);
        assertThat(sendTo(net.client, p[1], new byte[] {1}, "0.0.0.0", 7)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEADDRNOTAVAIL);
    }

    @Test
    void wspSendTo_WSAEAFNOSUPPORT_andWSAEFAULT_forBadAddresses() {
        int[] p = pair();
        byte[] v6 = SockAddr.inet6(new byte[16], 7, 0);
        assertThat(net.client.provider.wspSendTo(p[1], new ByteBuffer[] {ByteBuffer.allocate(1)}, 1, n, 0, v6, 28,
                null, net.client.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEAFNOSUPPORT);
        assertThat(net.client.provider.wspSendTo(p[1], new ByteBuffer[] {ByteBuffer.allocate(1)}, 1, n, 0,
                SpiNet.addr(SpiNet.SERVER_IP, 7), 8, null, net.client.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
    }

    @Test
    void wspRecvFrom_WSAEFAULT_whenTheFromBufferIsTooSmall() {
        int[] p = pair();
        assertThat(net.server.provider.wspRecvFrom(p[0], new ByteBuffer[] {ByteBuffer.allocate(4)}, 1, n,
                new IntRef(), new byte[8], new IntRef(8), null, net.server.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEFAULT);
    }

    @Test
    void wspSendTo_WSAEACCES_toBroadcastWithoutSO_BROADCAST() {
        int[] p = pair();
        assertThat(sendTo(net.client, p[1], new byte[] {1}, "255.255.255.255", 7)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEACCES);
        assertThat(sendTo(net.client, p[1], new byte[] {1}, "10.0.0.255", 7)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).as("subnet broadcast").isEqualTo(WSAEACCES);
        net.client.setInt(p[1], SOL_SOCKET, SO_BROADCAST, 1);
        assertThat(sendTo(net.client, p[1], new byte[] {1}, "255.255.255.255", 7)).isZero();
        net.pump();
        assertThat(recvFrom(net.server, p[0], ByteBuffer.allocate(4), null)).as("broadcast arrives").isZero();
    }

    @Test
    void wspSendTo_WSAENETUNREACH_offLinkWithoutGateway() {
        int[] p = pair();
        assertThat(sendTo(net.client, p[1], new byte[] {1}, "192.168.7.7", 7)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENETUNREACH);
    }

    @Test
    void connectedDatagram_sendsOnlyToItsPeer() {
        int[] p = pair();
        int other = net.server.udp();
        net.server.bind(other, "0.0.0.0", 8);
        net.client.check(net.client.provider.wspConnect(p[1], SpiNet.addr(SpiNet.SERVER_IP, 7), 16,
                net.client.errno));
        assertThat(net.client.send(p[1], new byte[] {1}, n)).as("WSPSend to the peer").isZero();
        assertThat(sendTo(net.client, p[1], new byte[] {2}, SpiNet.SERVER_IP, 8)).as("lpTo is ignored").isZero();
        net.pump();
        assertThat(net.server.readable(other)).as("nothing reached :8").isZero();
        ByteBuffer dst = ByteBuffer.allocate(4);
        assertThat(recvFrom(net.server, p[0], dst, null)).isZero();
        assertThat(dst.get(0)).isEqualTo((byte) 1);
        assertThat(recvFrom(net.server, p[0], dst, null)).isZero();
        assertThat(dst.get(0)).isEqualTo((byte) 2);
        byte[] peer = new byte[16];
        assertThat(net.client.provider.wspGetPeerName(p[1], peer, new IntRef(16), net.client.errno)).isZero();
        assertThat(SockAddr.port(peer)).isEqualTo(7);
    }

    @Test
    void connectedDatagram_receivesOnlyFromItsPeer() {
        int[] p = pair();
        int third = net.client.udp(); // another peer: same host, another port
        net.client.bind(third, "0.0.0.0", 0);
        sendTo(net.client, third, new byte[] {66}, SpiNet.SERVER_IP, 7); // queued before connect
        net.pump();
        net.server.check(net.server.provider.wspConnect(p[0], SpiNet.addr(SpiNet.CLIENT_IP,
                net.client.localPort(p[1])), 16, net.server.errno));
        assertThat(net.server.readable(p[0])).as("the earlier datagram of another peer is not for it").isZero();
        sendTo(net.client, third, new byte[] {67}, SpiNet.SERVER_IP, 7);
        sendTo(net.client, p[1], new byte[] {1}, SpiNet.SERVER_IP, 7);
        net.pump();
        ByteBuffer dst = ByteBuffer.allocate(4);
        assertThat(net.server.recv(p[0], dst, n)).isZero();
        assertThat(dst.get(0)).as("only the peer's datagram").isEqualTo((byte) 1);
        net.server.nonBlocking(p[0], true);
        assertThat(net.server.recv(p[0], dst, n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEWOULDBLOCK);
    }

    @Test
    void wspConnect_nullAddressDissolvesTheAssociation() {
        int[] p = pair();
        net.client.check(net.client.provider.wspConnect(p[1], SpiNet.addr(SpiNet.SERVER_IP, 7), 16,
                net.client.errno));
        net.client.check(net.client.provider.wspConnect(p[1], SpiNet.addr("0.0.0.0", 0), 16, net.client.errno));
        assertThat(net.client.send(p[1], new byte[] {1}, n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOTCONN);
    }

    @Test
    void wspConnect_datagram_WSAEACCES_toBroadcastWithoutSO_BROADCAST() {
        int[] p = pair();
        assertThat(net.client.provider.wspConnect(p[1], SpiNet.addr("255.255.255.255", 7), 16, net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEACCES);
    }

    @Test
    void wspRecv_MSG_PEEK_leavesTheDatagramQueued() {
        int[] p = pair();
        sendTo(net.client, p[1], new byte[] {1, 2}, SpiNet.SERVER_IP, 7);
        net.pump();
        ByteBuffer dst = ByteBuffer.allocate(4);
        assertThat(net.server.provider.wspRecv(p[0], new ByteBuffer[] {dst}, 1, n, new IntRef(MSG_PEEK), null,
                net.server.errno)).isZero();
        assertThat(n.get()).isEqualTo(2);
        assertThat(net.server.readable(p[0])).as("FIONREAD: the next datagram's size").isEqualTo(2);
        assertThat(net.server.recv(p[0], dst, n)).isZero();
        assertThat(net.server.readable(p[0])).isZero();
    }

    @Test
    void wspRecv_WSAEOPNOTSUPP_MSG_WAITALL_onDatagramSocket() {
        int[] p = pair();
        assertThat(net.server.provider.wspRecv(p[0], new ByteBuffer[] {ByteBuffer.allocate(4)}, 1, n,
                new IntRef(MSG_WAITALL), null, net.server.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEOPNOTSUPP);
    }

    @Test
    void wspRecv_WSAEWOULDBLOCK_nonBlockingWithoutDatagram() {
        int[] p = pair();
        net.server.nonBlocking(p[0], true);
        assertThat(recvFrom(net.server, p[0], ByteBuffer.allocate(4), null)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEWOULDBLOCK);
    }

    @Test
    void wspShutdown_datagram_WSAESHUTDOWN_forSendsAndReceives() {
        int[] p = pair();
        net.client.check(net.client.provider.wspShutdown(p[1], SD_SEND, net.client.errno));
        assertThat(sendTo(net.client, p[1], new byte[] {1}, SpiNet.SERVER_IP, 7)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAESHUTDOWN);
        net.server.check(net.server.provider.wspShutdown(p[0], SD_RECEIVE, net.server.errno));
        assertThat(recvFrom(net.server, p[0], ByteBuffer.allocate(4), null)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAESHUTDOWN);
    }

    @Test
    void wspRecvFrom_blockingOnVirtualThreadIsWokenByADatagram() throws Exception {
        int[] p = pair();
        net.startPumping();
        CompletableFuture<Integer> got = CompletableFuture.supplyAsync(() -> {
            IntRef count = new IntRef();
            io.ustack.spi.ErrnoRef e = new io.ustack.spi.ErrnoRef();
            int r = net.server.provider.wspRecvFrom(p[0], new ByteBuffer[] {ByteBuffer.allocate(8)}, 1, count,
                    new IntRef(), null, null, null, e);
            return r == 0 ? count.get() : -e.get();
        }, Thread::startVirtualThread);
        Thread.sleep(50);
        assertThat(got).isNotDone();
        assertThat(sendTo(net.client, p[1], new byte[] {1, 2, 3}, SpiNet.SERVER_IP, 7)).isZero();
        assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo(3);
    }

    @Test
    void wspBind_datagram_WSAEADDRINUSE_portTaken() {
        int[] p = pair();
        int again = net.server.udp();
        assertThat(net.server.bind(again, "0.0.0.0", 7)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEADDRINUSE);
    }
}
