/*
 * WspOptionsTest: WSPGetSockOpt / WSPSetSockOpt (SO_RCVBUF, SO_SNDBUF, SO_KEEPALIVE, SO_LINGER, SO_DONTLINGER,
 * SO_REUSEADDR, SO_BROADCAST, SO_ERROR, SO_TYPE, SO_ACCEPTCONN, SO_MAX_MSG_SIZE, SO_PROTOCOL_INFOW/A, TCP_NODELAY) and
 * WSPIoctl (FIONBIO, FIONREAD, SIOCATMARK), with their error codes.
 */
package io.ustack.spi.stack;

import io.ustack.spi.IntRef;
import io.ustack.spi.OptionValue;
import io.ustack.spi.ProtocolInfo;
import io.ustack.spi.ProtocolInfoLayout;
import io.ustack.tcp.TcpConfig;
import io.ustack.udp.UdpLayer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;

import static io.ustack.spi.SocketOptions.*;
import static io.ustack.spi.Winsock.AF_INET;
import static io.ustack.spi.Winsock.SOCKET_ERROR;
import static io.ustack.spi.Winsock.SOCK_DGRAM;
import static io.ustack.spi.Winsock.SOCK_STREAM;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class WspOptionsTest {
    private final SpiNet net = new SpiNet();
    private final IntRef n = new IntRef();

    @AfterEach
    void close() {
        net.close();
    }

    private int getOpt(SpiNet.Side side, int s, int level, int option, byte[] value, int length) {
        return side.provider.wspGetSockOpt(s, level, option, value, new IntRef(length), side.errno);
    }

    private int setOpt(SpiNet.Side side, int s, int level, int option, byte[] value) {
        return side.provider.wspSetSockOpt(s, level, option, value, value.length, side.errno);
    }

    // ------------------------------------------------------------------ WSPGetSockOpt / WSPSetSockOpt

    @Test
    void soType_andSoMaxMsgSize_describeTheSocket() {
        int t = net.client.tcp();
        int u = net.client.udp();
        assertThat(net.client.getInt(t, SOL_SOCKET, SO_TYPE)).isEqualTo(SOCK_STREAM);
        assertThat(net.client.getInt(u, SOL_SOCKET, SO_TYPE)).isEqualTo(SOCK_DGRAM);
        assertThat(net.client.getInt(u, SOL_SOCKET, SO_MAX_MSG_SIZE)).isEqualTo(65507);
        assertThat(getOpt(net.client, t, SOL_SOCKET, SO_MAX_MSG_SIZE, new byte[4], 4)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).as("no message size on a stream").isEqualTo(WSAENOPROTOOPT);
        assertThat(setOpt(net.client, t, SOL_SOCKET, SO_TYPE, OptionValue.ofInt(2))).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).as("read-only").isEqualTo(WSAENOPROTOOPT);
    }

    @Test
    void soProtocolInfo_wideAndAnsiLayoutsHoldTheSocketsCatalogEntry() {
        int t = net.client.tcp();
        byte[] w = new byte[ProtocolInfoLayout.LENGTH_W];
        IntRef len = new IntRef(w.length);
        net.client.check(net.client.provider.wspGetSockOpt(t, SOL_SOCKET, SO_PROTOCOL_INFOW, w, len,
                net.client.errno));
        assertThat(len.get()).isEqualTo(628);
        ProtocolInfo back = ProtocolInfoLayout.read(w, true);
        assertThat(back).isEqualTo(net.client.provider.socket(t).protocolInfo());
        byte[] a = new byte[ProtocolInfoLayout.LENGTH_A];
        net.client.check(net.client.provider.wspGetSockOpt(t, SOL_SOCKET, SO_PROTOCOL_INFOA, a,
                new IntRef(a.length), net.client.errno));
        assertThat(ProtocolInfoLayout.read(a, false).protocolName()).isEqualTo("ustack TCP/IP");
        assertThat(getOpt(net.client, t, SOL_SOCKET, SO_PROTOCOL_INFOW, w, 100)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
    }

    @Test
    void wspGetSockOpt_WSAEINVAL_unknownLevel_andWSAENOPROTOOPT_unknownOption() {
        int t = net.client.tcp();
        assertThat(getOpt(net.client, t, 0x1234, SO_TYPE, new byte[4], 4)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEINVAL);
        assertThat(getOpt(net.client, t, SOL_SOCKET, 0x7777, new byte[4], 4)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOPROTOOPT);
        assertThat(setOpt(net.client, t, 0x1234, SO_KEEPALIVE, OptionValue.ofInt(1))).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspGetSockOpt_WSAEFAULT_bufferTooSmallOrMissing() {
        int t = net.client.tcp();
        assertThat(getOpt(net.client, t, SOL_SOCKET, SO_RCVBUF, new byte[4], 2)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(net.client.provider.wspGetSockOpt(t, SOL_SOCKET, SO_RCVBUF, null, new IntRef(4),
                net.client.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(net.client.provider.wspSetSockOpt(t, SOL_SOCKET, SO_RCVBUF, new byte[2], 2, net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
    }

    @Test
    void soRcvbuf_andSoSndbuf_streamDefaultsAndNewValues() {
        int t = net.client.tcp();
        TcpConfig d = new TcpConfig();
        assertThat(net.client.getInt(t, SOL_SOCKET, SO_RCVBUF)).isEqualTo(d.receiveBufferSize());
        assertThat(net.client.getInt(t, SOL_SOCKET, SO_SNDBUF)).isEqualTo(d.sendBufferSize());
        net.client.setInt(t, SOL_SOCKET, SO_RCVBUF, 8192);
        net.client.setInt(t, SOL_SOCKET, SO_SNDBUF, 16384);
        assertThat(net.client.getInt(t, SOL_SOCKET, SO_RCVBUF)).isEqualTo(8192);
        assertThat(net.client.getInt(t, SOL_SOCKET, SO_SNDBUF)).isEqualTo(16384);
        assertThat(setOpt(net.client, t, SOL_SOCKET, SO_RCVBUF, OptionValue.ofInt(-1))).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void soRcvbuf_setBeforeListenBoundsWhatAnAcceptedConnectionBuffers() {
        int l = net.server.tcp();
        net.server.setInt(l, SOL_SOCKET, SO_RCVBUF, 4096);
        net.server.bind(l, "0.0.0.0", 7);
        net.server.check(net.server.provider.wspListen(l, 4, net.server.errno));
        int c = net.client.tcp();
        net.client.nonBlocking(c, true);
        net.client.provider.wspConnect(c, SpiNet.addr(SpiNet.SERVER_IP, 7), 16, net.client.errno);
        net.pump();
        int a = net.server.provider.wspAccept(l, null, null, null, net.server.errno);
        assertThat(net.server.getInt(a, SOL_SOCKET, SO_RCVBUF)).isEqualTo(4096);
        net.client.send(c, new byte[100_000], n);
        net.advance(2_000_000_000L, 10_000_000L);
        assertThat(net.server.readable(a)).as("the window never exceeds SO_RCVBUF").isEqualTo(4096);
    }

    @Test
    void soRcvbuf_datagramDropsWhatDoesNotFit() {
        int s = net.server.udp();
        net.server.bind(s, "0.0.0.0", 7);
        assertThat(net.server.getInt(s, SOL_SOCKET, SO_RCVBUF)).isEqualTo(UdpLayer.DEFAULT_RECEIVE_BUFFER);
        net.server.setInt(s, SOL_SOCKET, SO_RCVBUF, 1000);
        int c = net.client.udp();
        for (int i = 0; i < 3; i++) {
            net.client.provider.wspSendTo(c, new ByteBuffer[] {ByteBuffer.allocate(400)}, 1, n, 0,
                    SpiNet.addr(SpiNet.SERVER_IP, 7), 16, null, net.client.errno);
        }
        net.pump();
        net.server.nonBlocking(s, true);
        int got = 0;
        while (net.server.recv(s, ByteBuffer.allocate(500), n) == 0) {
            got++;
        }
        assertThat(got).as("two 400-byte datagrams fit in 1000 bytes, the third is dropped").isEqualTo(2);
    }

    @Test
    void soSndbuf_WSAENOBUFS_whenTheBudgetCannotGrow() {
        TcpConfig d = new TcpConfig();
        long one = (long) d.sendBufferSize() + d.receiveBufferSize();
        try (SpiNet tight = new SpiNet(d, one, 8)) {
            int t = tight.client.tcp();
            assertThat(tight.client.budget.available()).isZero();
            assertThat(setOpt(tight.client, t, SOL_SOCKET, SO_SNDBUF, OptionValue.ofInt(d.sendBufferSize() + 1)))
                    .isEqualTo(SOCKET_ERROR);
            assertThat(tight.client.errno.get()).isEqualTo(WSAENOBUFS);
            assertThat(tight.client.getInt(t, SOL_SOCKET, SO_SNDBUF)).as("unchanged").isEqualTo(d.sendBufferSize());
            tight.client.setInt(t, SOL_SOCKET, SO_SNDBUF, 1000);
            assertThat(tight.client.budget.available()).as("shrinking gives budget back")
                    .isEqualTo(d.sendBufferSize() - 1000L);
            tight.client.close(t);
            assertThat(tight.client.budget.reserved()).isZero();
        }
    }

    @Test
    void soKeepalive_getAndSet_andNotADatagramOption() {
        int t = net.client.tcp();
        assertThat(net.client.getInt(t, SOL_SOCKET, SO_KEEPALIVE)).isZero();
        net.client.setInt(t, SOL_SOCKET, SO_KEEPALIVE, 1);
        assertThat(net.client.getInt(t, SOL_SOCKET, SO_KEEPALIVE)).isEqualTo(1);
        int u = net.client.udp();
        assertThat(setOpt(net.client, u, SOL_SOCKET, SO_KEEPALIVE, OptionValue.ofInt(1))).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOPROTOOPT);
    }

    /** Keep-alive probes after 1 s idle, one per second, 3 unanswered end the connection. */
    private static TcpConfig quickKeepAlive() {
        return new TcpConfig().keepAlive(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1), 3);
    }

    @Test
    void soKeepalive_onAnIdleConnectionWhosePeerVanished_endsItWithWSAETIMEDOUT() {
        try (SpiNet k = new SpiNet(quickKeepAlive())) {
            SpiNet.Connection c = k.connect(0, 0);
            k.client.setInt(c.client(), SOL_SOCKET, SO_KEEPALIVE, 1);
            k.serverLink.setUp(false);
            k.advance(10_000_000_000L, 10_000_000L);
            assertThat(k.client.recv(c.client(), ByteBuffer.allocate(4), n)).isEqualTo(SOCKET_ERROR);
            assertThat(k.client.errno.get()).isEqualTo(WSAETIMEDOUT);
        }
    }

    @Test
    void soKeepalive_offLeavesAnIdleConnectionUp() {
        try (SpiNet k = new SpiNet(quickKeepAlive())) {
            SpiNet.Connection c = k.connect(0, 0);
            k.serverLink.setUp(false);
            k.advance(10_000_000_000L, 10_000_000L);
            k.client.nonBlocking(c.client(), true);
            assertThat(k.client.recv(c.client(), ByteBuffer.allocate(4), n)).isEqualTo(SOCKET_ERROR);
            assertThat(k.client.errno.get()).as("no probes: still connected").isEqualTo(WSAEWOULDBLOCK);
        }
    }

    @Test
    void soKeepalive_setOnTheListenerIsInheritedByAcceptedConnections() {
        try (SpiNet k = new SpiNet(quickKeepAlive())) {
            int l = k.server.tcp();
            k.server.setInt(l, SOL_SOCKET, SO_KEEPALIVE, 1);
            k.server.bind(l, "0.0.0.0", 7);
            k.server.check(k.server.provider.wspListen(l, 4, k.server.errno));
            int c = k.client.tcp();
            k.client.nonBlocking(c, true);
            k.client.provider.wspConnect(c, SpiNet.addr(SpiNet.SERVER_IP, 7), 16, k.client.errno);
            k.pump();
            int a = k.server.provider.wspAccept(l, null, null, null, k.server.errno);
            assertThat(k.server.getInt(a, SOL_SOCKET, SO_KEEPALIVE)).isEqualTo(1);
            k.clientLink.setUp(false);
            k.advance(10_000_000_000L, 10_000_000L);
            k.clientLink.setUp(true);
            assertThat(k.server.recv(a, ByteBuffer.allocate(4), n)).isEqualTo(SOCKET_ERROR);
            assertThat(k.server.errno.get()).isEqualTo(WSAETIMEDOUT);
        }
    }

    @Test
    void soRcvbuf_setOnAnEstablishedConnectionGrowsItsReceiveRing() {
        int l = net.server.tcp();
        net.server.setInt(l, SOL_SOCKET, SO_RCVBUF, 4096);
        net.server.bind(l, "0.0.0.0", 7);
        net.server.check(net.server.provider.wspListen(l, 4, net.server.errno));
        int c = net.client.tcp();
        net.client.nonBlocking(c, true);
        net.client.provider.wspConnect(c, SpiNet.addr(SpiNet.SERVER_IP, 7), 16, net.client.errno);
        net.pump();
        int a = net.server.provider.wspAccept(l, null, null, null, net.server.errno);
        net.server.setInt(a, SOL_SOCKET, SO_RCVBUF, 65536);
        assertThat(net.server.getInt(a, SOL_SOCKET, SO_RCVBUF)).isEqualTo(65536);
        net.client.send(c, new byte[100_000], n);
        net.advance(3_000_000_000L, 10_000_000L);
        assertThat(net.server.readable(a)).as("more than the 4096 the connection started with").isGreaterThan(4096)
                .isLessThanOrEqualTo(65536);
    }

    @Test
    void soLinger_structIsStoredAndSoDontLingerIsItsInverse() {
        int t = net.client.tcp();
        byte[] v = new byte[4];
        net.client.check(net.client.provider.wspGetSockOpt(t, SOL_SOCKET, SO_LINGER, v, new IntRef(4),
                net.client.errno));
        assertThat(OptionValue.getShort(v, 0)).isZero();
        assertThat(net.client.getInt(t, SOL_SOCKET, SO_DONTLINGER)).isEqualTo(1);
        net.client.check(setOpt(net.client, t, SOL_SOCKET, SO_LINGER, OptionValue.ofLinger(true, 7)));
        net.client.check(net.client.provider.wspGetSockOpt(t, SOL_SOCKET, SO_LINGER, v, new IntRef(4),
                net.client.errno));
        assertThat(OptionValue.getShort(v, 0)).isEqualTo(1);
        assertThat(OptionValue.getShort(v, 2)).isEqualTo(7);
        assertThat(net.client.getInt(t, SOL_SOCKET, SO_DONTLINGER)).isZero();
        int u = net.client.udp();
        assertThat(setOpt(net.client, u, SOL_SOCKET, SO_LINGER, OptionValue.ofLinger(true, 0)))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOPROTOOPT);
    }

    @Test
    void soLinger_offClosesGracefully_thePeerReadsTheDataThenEndOfStream() {
        SpiNet.Connection c = net.connect(0, 0);
        net.client.send(c.client(), new byte[] {1, 2, 3}, n);
        net.client.close(c.client());
        net.pump();
        ByteBuffer dst = ByteBuffer.allocate(8);
        assertThat(net.server.recv(c.server(), dst, n)).isZero();
        assertThat(n.get()).isEqualTo(3);
        assertThat(net.server.recv(c.server(), dst, n)).isZero();
        assertThat(n.get()).isZero();
    }

    @Test
    void tcpNodelay_getAndSet_andNotADatagramOption() {
        SpiNet.Connection c = net.connect(0, 0);
        assertThat(net.client.getInt(c.client(), io.ustack.spi.SocketOptions.IPPROTO_TCP, TCP_NODELAY)).isZero();
        net.client.setInt(c.client(), io.ustack.spi.SocketOptions.IPPROTO_TCP, TCP_NODELAY, 1);
        assertThat(net.client.getInt(c.client(), io.ustack.spi.SocketOptions.IPPROTO_TCP, TCP_NODELAY))
                .isEqualTo(1);
        int u = net.client.udp();
        assertThat(setOpt(net.client, u, io.ustack.spi.SocketOptions.IPPROTO_TCP, TCP_NODELAY,
                OptionValue.ofInt(1))).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOPROTOOPT);
    }

    @Test
    void soAcceptconn_isReadOnlyAndTellsListening() {
        int t = net.server.tcp();
        assertThat(net.server.getInt(t, SOL_SOCKET, SO_ACCEPTCONN)).isZero();
        assertThat(setOpt(net.server, t, SOL_SOCKET, SO_ACCEPTCONN, OptionValue.ofInt(1))).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAENOPROTOOPT);
    }

    @Test
    void soBroadcast_isADatagramOption() {
        int u = net.client.udp();
        assertThat(net.client.getInt(u, SOL_SOCKET, SO_BROADCAST)).isZero();
        net.client.setInt(u, SOL_SOCKET, SO_BROADCAST, 1);
        assertThat(net.client.getInt(u, SOL_SOCKET, SO_BROADCAST)).isEqualTo(1);
        int t = net.client.tcp();
        assertThat(getOpt(net.client, t, SOL_SOCKET, SO_BROADCAST, new byte[4], 4)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOPROTOOPT);
    }

    // ------------------------------------------------------------------ WSPIoctl

    @Test
    void fionbio_switchesBetweenBlockingAndNonBlocking() {
        SpiNet.Connection c = net.connect(0, 0);
        assertThat(net.server.recv(c.server(), ByteBuffer.allocate(4), n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).as("blocking, on the engine thread").isEqualTo(WSAEINPROGRESS);
        net.server.nonBlocking(c.server(), true);
        assertThat(net.server.recv(c.server(), ByteBuffer.allocate(4), n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEWOULDBLOCK);
        net.server.nonBlocking(c.server(), false);
        assertThat(net.server.recv(c.server(), ByteBuffer.allocate(4), n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEINPROGRESS);
    }

    @Test
    void fionread_streamCountsAllReadableBytes_datagramTheNextDatagram() {
        SpiNet.Connection c = net.connect(0, 0);
        net.client.send(c.client(), new byte[10], n);
        net.client.send(c.client(), new byte[5], n);
        net.advance(1_000_000_000L, 10_000_000L); // Nagle holds the second segment until the first is acknowledged
        assertThat(net.server.readable(c.server())).isEqualTo(15);
        int s = net.server.udp();
        net.server.bind(s, "0.0.0.0", 9);
        assertThat(net.server.readable(s)).isZero();
        int u = net.client.udp();
        for (int size : new int[] {7, 3}) {
            net.client.provider.wspSendTo(u, new ByteBuffer[] {ByteBuffer.allocate(size)}, 1, n, 0,
                    SpiNet.addr(SpiNet.SERVER_IP, 9), 16, null, net.client.errno);
        }
        net.pump();
        assertThat(net.server.readable(s)).isEqualTo(7);
    }

    @Test
    void siocatmark_trueOnStream_WSAEINVALOnDatagram() {
        SpiNet.Connection c = net.connect(0, 0);
        byte[] out = new byte[4];
        IntRef ret = new IntRef();
        net.server.check(net.server.provider.wspIoctl(c.server(), SIOCATMARK, null, 0, out, 4, ret, null,
                net.server.errno));
        assertThat(OptionValue.getInt(out, 0)).isEqualTo(1);
        assertThat(ret.get()).isEqualTo(4);
        int u = net.server.udp();
        assertThat(net.server.provider.wspIoctl(u, SIOCATMARK, null, 0, out, 4, ret, null, net.server.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspIoctl_WSAEINVAL_unknownCode_andWSAEFAULT_shortBuffers() {
        int t = net.client.tcp();
        IntRef ret = new IntRef();
        assertThat(net.client.provider.wspIoctl(t, 0x12345678, null, 0, null, 0, ret, null, net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEINVAL);
        assertThat(net.client.provider.wspIoctl(t, FIONREAD, null, 0, new byte[2], 2, ret, null, net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(net.client.provider.wspIoctl(t, FIONBIO, new byte[2], 2, null, 0, ret, null, net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(net.client.provider.wspIoctl(t, FIONBIO, new byte[4], 8, null, 0, ret, null, net.client.errno))
                .as("length beyond the array").isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(net.client.provider.wspIoctl(t, FIONBIO, new byte[4], 4, null, 0, null, null, net.client.errno))
                .as("lpcbBytesReturned without overlapped").isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(AF_INET).isEqualTo(2);
    }
}
