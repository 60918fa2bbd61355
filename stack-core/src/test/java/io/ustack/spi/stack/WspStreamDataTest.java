/*
 * WspStreamDataTest: WSPSend / WSPRecv on stream (TCP) sockets over two real stacks: the seed's "must be connected
 * before any data can be sent or received" (WSAENOTCONN), "the connection is considered broken ... WSAETIMEDOUT",
 * resets (WSAECONNRESET), end of stream, MSG_PEEK / MSG_WAITALL, FIONBIO (WSAEWOULDBLOCK), the engine thread
 * (WSAEINPROGRESS), and blocking calls on virtual threads woken by the network.
 */
package io.ustack.spi.stack;

import io.ustack.spi.IntRef;
import io.ustack.spi.OptionValue;
import io.ustack.tcp.TcpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ustack.spi.SocketOptions.*;
import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class WspStreamDataTest {
    private SpiNet net = new SpiNet();
    private final IntRef n = new IntRef();

    @AfterEach
    void close() {
        net.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    // ------------------------------------------------------------------ connected before data (seed)

    @Test
    void wspRecv_WSAENOTCONN_onUnconnectedStream() {
        int s = net.client.tcp();
        assertThat(net.client.recv(s, ByteBuffer.allocate(8), n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOTCONN);
        assertThat(net.client.bind(s, "0.0.0.0", 0)).isZero();
        assertThat(net.client.recv(s, ByteBuffer.allocate(8), n)).as("bound is not connected").isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOTCONN);
    }

    @Test
    void wspSend_WSAENOTCONN_onUnconnectedStream() {
        int s = net.client.tcp();
        assertThat(net.client.send(s, new byte[] {1}, n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENOTCONN);
        int l = net.server.tcp();
        net.server.bind(l, "0.0.0.0", 7);
        net.server.check(net.server.provider.wspListen(l, 1, net.server.errno));
        assertThat(net.server.send(l, new byte[] {1}, n)).as("listening is not connected").isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAENOTCONN);
    }

    @Test
    void wspSendRecv_dataFlowsBothWaysThroughScatterGatherBuffers() {
        SpiNet.Connection c = net.connect(0, 0);
        byte[] up = random(100_000, 1);
        ByteBuffer[] out = {ByteBuffer.wrap(up, 0, 30_000), ByteBuffer.wrap(up, 30_000, 70_000)};
        net.client.nonBlocking(c.client(), true);
        assertThat(net.client.provider.wspSend(c.client(), out, 2, n, 0, null, net.client.errno)).isZero();
        assertThat(n.get()).isEqualTo(100_000);
        assertThat(out[1].position()).as("WSABUFs are not moved").isEqualTo(30_000);
        byte[] got = new byte[up.length];
        net.readFully(net.server, c.server(), got);
        assertThat(got).isEqualTo(up);
        assertThat(net.server.send(c.server(), new byte[] {9, 8}, n)).isZero();
        net.pump();
        ByteBuffer back = ByteBuffer.allocate(4);
        assertThat(net.client.recv(c.client(), back, n)).isZero();
        assertThat(n.get()).isEqualTo(2);
        assertThat(back.get(0)).isEqualTo((byte) 9);
    }

    @Test
    void wspRecv_scattersIntoSeveralBuffersWithoutMovingThem() {
        SpiNet.Connection c = net.connect(0, 0);
        net.client.send(c.client(), new byte[] {1, 2, 3, 4, 5}, n);
        net.pump();
        ByteBuffer a = ByteBuffer.allocate(10).position(8);
        ByteBuffer b = ByteBuffer.allocate(4);
        assertThat(net.server.provider.wspRecv(c.server(), new ByteBuffer[] {a, b}, 2, n, new IntRef(), null,
                net.server.errno)).isZero();
        assertThat(n.get()).isEqualTo(5);
        assertThat(a.position()).isEqualTo(8);
        assertThat(a.get(8)).isEqualTo((byte) 1);
        assertThat(a.get(9)).isEqualTo((byte) 2);
        assertThat(b.position()).isZero();
        assertThat(b.get(0)).isEqualTo((byte) 3);
        assertThat(b.get(2)).isEqualTo((byte) 5);
    }

    // ------------------------------------------------------------------ FIONBIO and the engine thread

    @Test
    void wspRecv_WSAEWOULDBLOCK_nonBlockingWithoutData() {
        SpiNet.Connection c = net.connect(0, 0);
        net.server.nonBlocking(c.server(), true);
        assertThat(net.server.recv(c.server(), ByteBuffer.allocate(8), n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEWOULDBLOCK);
    }

    @Test
    void wspRecv_WSAEINPROGRESS_blockingCallOnEngineThreadThatWouldWait() {
        SpiNet.Connection c = net.connect(0, 0);
        // the test thread drives the stacks: it is their engine thread, and the engine never blocks
        assertThat(net.server.recv(c.server(), ByteBuffer.allocate(8), n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEINPROGRESS);
        net.client.send(c.client(), new byte[] {5}, n);
        net.pump();
        assertThat(net.server.recv(c.server(), ByteBuffer.allocate(8), n)).as("data waiting: no need to wait")
                .isZero();
        assertThat(n.get()).isEqualTo(1);
    }

    @Test
    void wspSend_WSAEWOULDBLOCK_whenSendBufferIsFull() {
        SpiNet.Connection c = net.connect(0, 0);
        net.client.nonBlocking(c.client(), true);
        // nobody pumps: nothing is acknowledged, the send buffer (SO_SNDBUF) fills up
        int sndbuf = net.client.getInt(c.client(), SOL_SOCKET, SO_SNDBUF);
        assertThat(net.client.send(c.client(), new byte[sndbuf + 5000], n)).isZero();
        assertThat(n.get()).as("a non-blocking send takes what fits").isLessThan(sndbuf + 5000).isPositive();
        assertThat(net.client.send(c.client(), new byte[100], n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEWOULDBLOCK);
    }

    // ------------------------------------------------------------------ end of stream, peek, waitall

    @Test
    void wspRecv_returnsZeroAtEndOfStreamAfterData() {
        SpiNet.Connection c = net.connect(0, 0);
        net.client.send(c.client(), new byte[] {1, 2}, n);
        net.client.check(net.client.provider.wspShutdown(c.client(), SD_SEND, net.client.errno));
        net.pump();
        ByteBuffer dst = ByteBuffer.allocate(8);
        assertThat(net.server.recv(c.server(), dst, n)).isZero();
        assertThat(n.get()).isEqualTo(2);
        assertThat(net.server.recv(c.server(), dst, n)).isZero();
        assertThat(n.get()).as("graceful close: 0").isZero();
    }

    @Test
    void wspRecv_MSG_PEEK_leavesTheDataReadable() {
        SpiNet.Connection c = net.connect(0, 0);
        net.client.send(c.client(), new byte[] {1, 2, 3, 4}, n);
        net.pump();
        ByteBuffer dst = ByteBuffer.allocate(3);
        IntRef flags = new IntRef(MSG_PEEK);
        assertThat(net.server.provider.wspRecv(c.server(), new ByteBuffer[] {dst}, 1, n, flags, null,
                net.server.errno)).isZero();
        assertThat(n.get()).isEqualTo(3);
        assertThat(net.server.readable(c.server())).as("FIONREAD still counts the peeked bytes").isEqualTo(4);
        ByteBuffer all = ByteBuffer.allocate(8);
        assertThat(net.server.recv(c.server(), all, n)).isZero();
        assertThat(n.get()).isEqualTo(4);
        assertThat(Arrays.copyOf(all.array(), 4)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void wspRecv_MSG_WAITALL_blocksUntilTheBuffersAreFull() throws Exception {
        SpiNet.Connection c = net.connect(0, 0);
        net.startPumping();
        ByteBuffer dst = ByteBuffer.allocate(6);
        IntRef got = new IntRef();
        io.ustack.spi.ErrnoRef e = new io.ustack.spi.ErrnoRef();
        CompletableFuture<Integer> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> f.complete(net.server.provider.wspRecv(c.server(), new ByteBuffer[] {dst}, 1,
                got, new IntRef(MSG_WAITALL), null, e)));
        net.client.send(c.client(), new byte[] {1, 2, 3}, new IntRef());
        Thread.sleep(50);
        assertThat(f).as("3 of 6 bytes: still waiting").isNotDone();
        net.client.send(c.client(), new byte[] {4, 5, 6}, new IntRef());
        assertThat(f.get(10, TimeUnit.SECONDS)).as("%s", e).isZero();
        assertThat(got.get()).isEqualTo(6);
        assertThat(dst.array()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void wspRecv_WSAEOPNOTSUPP_forOobPartialAndNonBlockingWaitAll() {
        SpiNet.Connection c = net.connect(0, 0);
        for (int flag : new int[] {MSG_OOB, MSG_PARTIAL, MSG_WAITALL | MSG_PEEK}) {
            assertThat(net.server.provider.wspRecv(c.server(), new ByteBuffer[] {ByteBuffer.allocate(4)}, 1, n,
                    new IntRef(flag), null, net.server.errno)).isEqualTo(SOCKET_ERROR);
            assertThat(net.server.errno.get()).isEqualTo(WSAEOPNOTSUPP);
        }
        net.server.nonBlocking(c.server(), true);
        assertThat(net.server.provider.wspRecv(c.server(), new ByteBuffer[] {ByteBuffer.allocate(4)}, 1, n,
                new IntRef(MSG_WAITALL), null, net.server.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.server.errno.get()).isEqualTo(WSAEOPNOTSUPP);
    }

    @Test
    void wspSend_WSAEOPNOTSUPP_forOob() {
        SpiNet.Connection c = net.connect(0, 0);
        assertThat(net.client.provider.wspSend(c.client(), new ByteBuffer[] {ByteBuffer.allocate(1)}, 1, n, MSG_OOB,
                null, net.client.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEOPNOTSUPP);
    }

    @Test
    void wspSendRecv_WSAEFAULT_forBadBuffersAndMissingCounts() {
        SpiNet.Connection c = net.connect(0, 0);
        ByteBuffer[] one = {ByteBuffer.allocate(4)};
        assertThat(net.client.provider.wspSend(c.client(), null, 1, n, 0, null, net.client.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(net.client.provider.wspSend(c.client(), one, 2, n, 0, null, net.client.errno))
                .as("count beyond the array").isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(net.client.provider.wspSend(c.client(), one, 1, null, 0, null, net.client.errno))
                .as("lpNumberOfBytesSent may be NULL only when overlapped").isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(net.client.provider.wspRecv(c.client(), new ByteBuffer[] {ByteBuffer.allocate(4).asReadOnlyBuffer()},
                1, n, new IntRef(), null, net.client.errno)).as("a read-only buffer").isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(net.client.provider.wspRecv(c.client(), one, 1, n, null, null, net.client.errno))
                .as("lpFlags").isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEFAULT);
    }

    // ------------------------------------------------------------------ broken connections (seed)

    @Test
    void wspRecv_WSAECONNRESET_afterPeerAbort() {
        SpiNet.Connection c = net.connect(0, 0);
        net.server.check(net.server.provider.wspSetSockOpt(c.server(), SOL_SOCKET, SO_LINGER,
                OptionValue.ofLinger(true, 0), 4, net.server.errno));
        net.server.close(c.server()); // SO_LINGER {1, 0}: closesocket resets the connection
        net.pump();
        assertThat(net.client.recv(c.client(), ByteBuffer.allocate(8), n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAECONNRESET);
        assertThat(net.client.recv(c.client(), ByteBuffer.allocate(8), n)).as("and it stays broken")
                .isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAECONNRESET);
    }

    @Test
    void wspSend_WSAECONNRESET_afterPeerAbort() {
        SpiNet.Connection c = net.connect(0, 0);
        net.server.check(net.server.provider.wspSetSockOpt(c.server(), SOL_SOCKET, SO_LINGER,
                OptionValue.ofLinger(true, 0), 4, net.server.errno));
        net.server.close(c.server());
        net.pump();
        assertThat(net.client.send(c.client(), new byte[] {1}, n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAECONNRESET);
        assertThat(net.client.getInt(c.client(), SOL_SOCKET, SO_ERROR)).as("SO_ERROR").isEqualTo(WSAECONNRESET);
    }

    private static TcpConfig quickGiveUp() {
        return new TcpConfig().maxRetries(3).rtoInitial(Duration.ofMillis(200)).rtoMax(Duration.ofSeconds(1));
    }

    @Test
    void wspSend_WSAETIMEDOUT_whenPeerStopsAcknowledging() {
        net.close();
        net = new SpiNet(quickGiveUp());
        SpiNet.Connection c = net.connect(0, 0);
        net.serverLink.setUp(false); // the peer is gone: nothing is acknowledged any more
        assertThat(net.client.send(c.client(), new byte[1000], n)).as("buffered").isZero();
        net.advance(Duration.ofSeconds(30).toNanos(), Duration.ofMillis(10).toNanos());
        assertThat(net.client.send(c.client(), new byte[10], n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAETIMEDOUT);
    }

    @Test
    void wspRecv_WSAETIMEDOUT_whenPeerStopsAcknowledging() {
        net.close();
        net = new SpiNet(quickGiveUp());
        SpiNet.Connection c = net.connect(0, 0);
        net.serverLink.setUp(false);
        net.client.send(c.client(), new byte[1000], n);
        net.advance(Duration.ofSeconds(30).toNanos(), Duration.ofMillis(10).toNanos());
        assertThat(net.client.recv(c.client(), ByteBuffer.allocate(8), n)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAETIMEDOUT);
    }

    // ------------------------------------------------------------------ blocking calls on other threads

    @Test
    void wspRecv_blockingOnVirtualThreadIsWokenByData() throws Exception {
        SpiNet.Connection c = net.connect(0, 0);
        net.startPumping();
        CompletableFuture<Integer> got = new CompletableFuture<>();
        ByteBuffer dst = ByteBuffer.allocate(16);
        Thread t = Thread.ofVirtual().start(() -> {
            IntRef count = new IntRef();
            io.ustack.spi.ErrnoRef e = new io.ustack.spi.ErrnoRef();
            int r = net.server.provider.wspRecv(c.server(), new ByteBuffer[] {dst}, 1, count, new IntRef(), null, e);
            got.complete(r == 0 ? count.get() : -e.get());
        });
        Thread.sleep(50);
        assertThat(got).as("no data yet: the call waits").isNotDone();
        assertThat(net.client.send(c.client(), new byte[] {42, 43}, n)).isZero();
        assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(dst.get(0)).isEqualTo((byte) 42);
        t.join();
    }

    @Test
    void wspSend_blockingSendLargerThanTheSendBufferCompletesWhenAllIsBuffered() throws Exception {
        SpiNet.Connection c = net.connect(0, 0);
        net.startPumping(1_000_000);
        byte[] data = random(1 << 20, 3);
        CompletableFuture<Integer> sent = CompletableFuture.supplyAsync(() -> {
            IntRef count = new IntRef();
            io.ustack.spi.ErrnoRef e = new io.ustack.spi.ErrnoRef();
            int r = net.client.provider.wspSend(c.client(), new ByteBuffer[] {ByteBuffer.wrap(data)}, 1, count, 0,
                    null, e);
            return r == 0 ? count.get() : -e.get();
        }, Thread::startVirtualThread);
        byte[] got = new byte[data.length];
        int total = 0;
        while (total < data.length) {
            assertThat(net.server.provider.wspRecv(c.server(), new ByteBuffer[] {ByteBuffer.wrap(got, total,
                    got.length - total)}, 1, n, new IntRef(), null, net.server.errno)).as("%s", net.server.errno)
                    .isZero();
            total += n.get();
        }
        assertThat(sent.get(30, TimeUnit.SECONDS)).isEqualTo(data.length);
        assertThat(got).isEqualTo(data);
    }

    @Test
    void wspRecv_WSAEINTR_whenTheWaitingThreadIsInterrupted() throws Exception {
        SpiNet.Connection c = net.connect(0, 0);
        net.startPumping();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            io.ustack.spi.ErrnoRef e = new io.ustack.spi.ErrnoRef();
            int r = net.server.provider.wspRecv(c.server(), new ByteBuffer[] {ByteBuffer.allocate(4)}, 1,
                    new IntRef(), new IntRef(), null, e);
            result.complete(r == 0 ? 0 : e.get());
        });
        Thread.sleep(50);
        t.interrupt();
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(WSAEINTR);
        net.client.send(c.client(), new byte[] {7}, n);
        assertThat(net.server.recv(c.server(), ByteBuffer.allocate(4), n)).as("the socket still works").isZero();
        assertThat(n.get()).isEqualTo(1);
    }

    @Test
    void wspCloseSocket_endsABlockingRecvOnAnotherThreadWithWSAEINTR() throws Exception {
        SpiNet.Connection c = net.connect(0, 0);
        net.startPumping();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            io.ustack.spi.ErrnoRef e = new io.ustack.spi.ErrnoRef();
            int r = net.server.provider.wspRecv(c.server(), new ByteBuffer[] {ByteBuffer.allocate(4)}, 1,
                    new IntRef(), new IntRef(), null, e);
            result.complete(r == 0 ? 0 : e.get());
        });
        Thread.sleep(50);
        net.server.close(c.server());
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(WSAEINTR);
    }
}
