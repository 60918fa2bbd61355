/*
 * WspOverlappedTest: the seed's WSA_FLAG_OVERLAPPED clause: "Overlapped sockets can utilize WSPSend, WSPSendTo,
 * WSPRecv, WSPRecvFrom and WSPIoctl for overlapped I/O operations, which allow multiple operations to be initiated and
 * in process simultaneously. All functions that allow overlapped operations also support nonoverlapped usage on an
 * overlapped socket if the values for parameters related to overlapped operation are null." Plus completion order,
 * completion callbacks (WSAEINPROGRESS), cancellation by close, WSPGetOverlappedResult and the future helpers.
 */
package io.ustack.spi.stack;

import io.ustack.spi.ErrnoRef;
import io.ustack.spi.IntRef;
import io.ustack.spi.OptionValue;
import io.ustack.spi.Overlapped;
import io.ustack.spi.WsaException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.ustack.spi.SocketOptions.*;
import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class WspOverlappedTest {
    private final SpiNet net = new SpiNet();
    private final IntRef n = new IntRef();

    @AfterEach
    void close() {
        net.close();
    }

    private int recv(SpiNet.Side side, int s, ByteBuffer dst, Overlapped ov) {
        return side.provider.wspRecv(s, new ByteBuffer[] {dst}, 1, null, new IntRef(0), ov, side.errno);
    }

    @Test
    void overlapped_hundredRecvsPostedBeforeDataCompleteInPostingOrder() {
        SpiNet.Connection c = net.connect(0, WSA_FLAG_OVERLAPPED);
        List<Overlapped> ovs = new ArrayList<>();
        List<ByteBuffer> bufs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Overlapped ov = new Overlapped();
            ByteBuffer b = ByteBuffer.allocate(1);
            assertThat(recv(net.client, c.client(), b, ov)).isEqualTo(SOCKET_ERROR);
            assertThat(net.client.errno.get()).isEqualTo(WSA_IO_PENDING);
            ovs.add(ov);
            bufs.add(b);
        }
        assertThat(ovs).noneMatch(Overlapped::isComplete);
        byte[] data = new byte[100];
        for (int i = 0; i < 100; i++) {
            data[i] = (byte) i;
        }
        assertThat(net.server.send(c.server(), data, n)).isZero();
        net.pump();
        for (int i = 0; i < 100; i++) {
            assertThat(ovs.get(i).future()).isCompletedWithValue(1);
            assertThat(bufs.get(i).get(0)).as("recv %d got byte %d", i, i).isEqualTo((byte) i);
        }
    }

    @Test
    void overlapped_sendsCompleteInPostingOrderAndDataArrivesInOrder() {
        SpiNet.Connection c = net.connect(0, WSA_FLAG_OVERLAPPED);
        int sndbuf = net.client.getInt(c.client(), SOL_SOCKET, SO_SNDBUF);
        List<Overlapped> ovs = new ArrayList<>();
        int chunk = sndbuf / 2;
        for (int i = 0; i < 6; i++) {
            byte[] part = new byte[chunk];
            java.util.Arrays.fill(part, (byte) i);
            Overlapped ov = new Overlapped();
            int r = net.client.provider.wspSend(c.client(), new ByteBuffer[] {ByteBuffer.wrap(part)}, 1, null, 0, ov,
                    net.client.errno);
            assertThat(r == 0 || net.client.errno.get() == WSA_IO_PENDING).isTrue();
            ovs.add(ov);
        }
        assertThat(ovs.getLast().isComplete()).as("three times the send buffer cannot be taken at once").isFalse();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ovs.size(); i++) {
            int idx = i;
            ovs.get(i).future().thenRun(() -> order.add(idx));
        }
        byte[] got = new byte[chunk * 6];
        net.readFully(net.server, c.server(), got);
        assertThat(ovs).allMatch(o -> o.isComplete() && o.bytesTransferred() == chunk);
        assertThat(order).containsExactly(0, 1, 2, 3, 4, 5);
        for (int i = 0; i < 6; i++) {
            assertThat(got[i * chunk]).isEqualTo((byte) i);
            assertThat(got[i * chunk + chunk - 1]).isEqualTo((byte) i);
        }
    }

    @Test
    void overlapped_completesDuringTheCallWhenDataIsWaiting() {
        SpiNet.Connection c = net.connect(0, WSA_FLAG_OVERLAPPED);
        net.server.send(c.server(), new byte[] {1, 2, 3}, n);
        net.pump();
        Overlapped ov = new Overlapped();
        IntRef got = new IntRef();
        assertThat(net.client.provider.wspRecv(c.client(), new ByteBuffer[] {ByteBuffer.allocate(8)}, 1, got,
                new IntRef(), ov, net.client.errno)).as("completed immediately: 0").isZero();
        assertThat(got.get()).isEqualTo(3);
        assertThat(ov.future()).as("and the completion is indicated too").isCompletedWithValue(3);
    }

    @Test
    void overlapped_blockingCallsStillWorkOnAnOverlappedSocket() throws Exception {
        SpiNet.Connection c = net.connect(WSA_FLAG_OVERLAPPED, WSA_FLAG_OVERLAPPED);
        net.startPumping();
        CompletableFuture<Integer> blocking = CompletableFuture.supplyAsync(() -> {
            IntRef count = new IntRef();
            ErrnoRef e = new ErrnoRef();
            int r = net.client.provider.wspRecv(c.client(), new ByteBuffer[] {ByteBuffer.allocate(8)}, 1, count,
                    new IntRef(), null, e);
            return r == 0 ? count.get() : -e.get();
        }, Thread::startVirtualThread);
        Thread.sleep(50);
        assertThat(blocking).isNotDone();
        assertThat(net.server.send(c.server(), new byte[] {1, 2}, n)).as("non-overlapped send on an overlapped socket")
                .isZero();
        assertThat(blocking.get(10, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void overlapped_argumentIsIgnoredOnANonOverlappedSocket() {
        SpiNet.Connection c = net.connect(0, 0);
        net.client.nonBlocking(c.client(), true);
        Overlapped ov = new Overlapped();
        assertThat(net.client.provider.wspRecv(c.client(), new ByteBuffer[] {ByteBuffer.allocate(8)}, 1, n,
                new IntRef(), ov, net.client.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).as("behaves as a non-overlapped call").isEqualTo(WSAEWOULDBLOCK);
        assertThat(ov.sequence()).as("the WSAOVERLAPPED is not used").isZero();
        assertThat(ov.future()).isNull();
    }

    @Test
    void overlapped_WSAEINVAL_whenTheOverlappedIsStillInUse() {
        SpiNet.Connection c = net.connect(0, WSA_FLAG_OVERLAPPED);
        Overlapped ov = new Overlapped();
        assertThat(recv(net.client, c.client(), ByteBuffer.allocate(4), ov)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSA_IO_PENDING);
        assertThat(recv(net.client, c.client(), ByteBuffer.allocate(4), ov)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void overlapped_WSAEINPROGRESS_fromACompletionCallback() {
        SpiNet.Connection c = net.connect(0, WSA_FLAG_OVERLAPPED);
        Overlapped ov = new Overlapped();
        recv(net.client, c.client(), ByteBuffer.allocate(4), ov);
        AtomicInteger inCallback = new AtomicInteger();
        ov.future().thenRun(() -> {
            ErrnoRef e = new ErrnoRef();
            int r = net.client.provider.wspRecv(c.client(), new ByteBuffer[] {ByteBuffer.allocate(4)}, 1,
                    new IntRef(), new IntRef(), new Overlapped(), e);
            inCallback.set(r == SOCKET_ERROR ? e.get() : 0);
        });
        net.server.send(c.server(), new byte[] {1}, n);
        net.pump();
        assertThat(ov.future()).isCompleted();
        assertThat(inCallback.get()).isEqualTo(WSAEINPROGRESS);
    }

    @Test
    void overlapped_closesocketAbortsPendingOperationsWithWSA_OPERATION_ABORTED() {
        SpiNet.Connection c = net.connect(0, WSA_FLAG_OVERLAPPED);
        Overlapped ov = new Overlapped();
        recv(net.client, c.client(), ByteBuffer.allocate(4), ov);
        net.client.close(c.client());
        assertThat(ov.isComplete()).isTrue();
        assertThat(ov.error()).isEqualTo(WSA_OPERATION_ABORTED);
        assertThatThrownBy(() -> ov.future().join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(WsaException.class);
    }

    @Test
    void overlapped_aResetFailsPendingReceivesWithWSAECONNRESET() {
        SpiNet.Connection c = net.connect(0, WSA_FLAG_OVERLAPPED);
        Overlapped ov = new Overlapped();
        recv(net.client, c.client(), ByteBuffer.allocate(4), ov);
        net.server.check(net.server.provider.wspSetSockOpt(c.server(), SOL_SOCKET, SO_LINGER,
                OptionValue.ofLinger(true, 0), 4, net.server.errno));
        net.server.close(c.server());
        net.pump();
        assertThat(ov.error()).isEqualTo(WSAECONNRESET);
    }

    @Test
    void overlapped_closingTheStackFailsPendingOperationsWithWSAENETDOWN() {
        SpiNet.Connection c = net.connect(0, WSA_FLAG_OVERLAPPED);
        int u = net.client.socket(SOCK_DGRAM, WSA_FLAG_OVERLAPPED);
        net.client.bind(u, "0.0.0.0", 0);
        Overlapped tcp = new Overlapped();
        Overlapped udp = new Overlapped();
        recv(net.client, c.client(), ByteBuffer.allocate(4), tcp);
        recv(net.client, u, ByteBuffer.allocate(4), udp);
        net.client.stack.close();
        assertThat(tcp.isComplete()).isTrue();
        assertThat(tcp.error()).as("TCP aborts its connections first").isIn(WSAECONNABORTED, WSAENETDOWN);
        assertThat(udp.error()).isEqualTo(WSAENETDOWN);
        assertThat(net.client.provider.wspRecv(u, new ByteBuffer[] {ByteBuffer.allocate(4)}, 1, n, new IntRef(),
                null, net.client.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(net.client.errno.get()).isEqualTo(WSAENETDOWN);
    }

    @Test
    void overlapped_ioctlFIONREADCompletesWithTheCount() {
        SpiNet.Connection c = net.connect(0, WSA_FLAG_OVERLAPPED);
        net.server.send(c.server(), new byte[7], n);
        net.pump();
        byte[] out = new byte[4];
        Overlapped ov = new Overlapped();
        int r = net.client.provider.wspIoctl(c.client(), FIONREAD, null, 0, out, 4, null, ov, net.client.errno);
        assertThat(r).isZero();
        assertThat(ov.future()).isCompletedWithValue(4);
        assertThat(OptionValue.getInt(out, 0)).isEqualTo(7);
    }

    @Test
    void wspGetOverlappedResult_reportsIncompleteThenTheResult() {
        SpiNet.Connection c = net.connect(0, WSA_FLAG_OVERLAPPED);
        Overlapped ov = new Overlapped();
        recv(net.client, c.client(), ByteBuffer.allocate(4), ov);
        IntRef transferred = new IntRef();
        IntRef flags = new IntRef();
        assertThat(net.client.provider.wspGetOverlappedResult(c.client(), ov, transferred, false, flags,
                net.client.errno)).isFalse();
        assertThat(net.client.errno.get()).isEqualTo(WSA_IO_INCOMPLETE);
        net.server.send(c.server(), new byte[] {1, 2}, n);
        net.pump();
        assertThat(net.client.provider.wspGetOverlappedResult(c.client(), ov, transferred, false, flags,
                net.client.errno)).isTrue();
        assertThat(transferred.get()).isEqualTo(2);
        assertThat(net.client.provider.wspGetOverlappedResult(c.client(), new Overlapped(), transferred, false,
                flags, net.client.errno)).as("never used").isFalse();
        assertThat(net.client.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspGetOverlappedResult_waitsOnAnotherThread() throws Exception {
        SpiNet.Connection c = net.connect(0, WSA_FLAG_OVERLAPPED);
        Overlapped ov = new Overlapped();
        recv(net.client, c.client(), ByteBuffer.allocate(4), ov);
        assertThat(net.client.provider.wspGetOverlappedResult(c.client(), ov, n, true, new IntRef(),
                net.client.errno)).as("waiting on the engine thread").isFalse();
        assertThat(net.client.errno.get()).isEqualTo(WSAEINPROGRESS);
        net.startPumping();
        CompletableFuture<Integer> waited = CompletableFuture.supplyAsync(() -> {
            IntRef t = new IntRef();
            ErrnoRef e = new ErrnoRef();
            return net.client.provider.wspGetOverlappedResult(c.client(), ov, t, true, new IntRef(), e) ? t.get()
                    : -e.get();
        }, Thread::startVirtualThread);
        net.server.send(c.server(), new byte[] {1, 2, 3}, n);
        assertThat(waited.get(10, TimeUnit.SECONDS)).isEqualTo(3);
    }

    @Test
    void recvAsyncAndSendAsync_areFuturesOverTheOverlappedCalls() {
        SpiNet.Connection c = net.connect(WSA_FLAG_OVERLAPPED, WSA_FLAG_OVERLAPPED);
        ByteBuffer dst = ByteBuffer.allocate(4);
        CompletableFuture<Integer> r = net.client.provider.recvAsync(c.client(), new ByteBuffer[] {dst}, 1, 0);
        CompletableFuture<Integer> s = net.server.provider.sendAsync(c.server(),
                new ByteBuffer[] {ByteBuffer.wrap(new byte[] {4, 5})}, 1, 0);
        net.pump();
        assertThat(s).isCompletedWithValue(2);
        assertThat(r).isCompletedWithValue(2);
        assertThat(dst.get(1)).isEqualTo((byte) 5);
        int plain = net.client.tcp();
        CompletableFuture<Integer> refused = net.client.provider.recvAsync(plain,
                new ByteBuffer[] {ByteBuffer.allocate(1)}, 1, 0);
        assertThat(refused).as("not an overlapped socket").isCompletedExceptionally();
    }

    @Test
    void overlapped_sendToAndRecvFromOnDatagramSockets() {
        int r = net.server.socket(SOCK_DGRAM, WSA_FLAG_OVERLAPPED);
        net.server.bind(r, "0.0.0.0", 9);
        int s = net.client.socket(SOCK_DGRAM, WSA_FLAG_OVERLAPPED);
        byte[] from = new byte[16];
        IntRef fromLength = new IntRef(16);
        ByteBuffer dst = ByteBuffer.allocate(8);
        CompletableFuture<Integer> received = net.server.provider.recvFromAsync(r, new ByteBuffer[] {dst}, 1, 0, from,
                fromLength);
        assertThat(received).isNotDone();
        CompletableFuture<Integer> sent = net.client.provider.sendToAsync(s,
                new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1, 2, 3})}, 1, 0, SpiNet.addr(SpiNet.SERVER_IP, 9), 16);
        assertThat(sent).as("a datagram goes out during the call").isCompletedWithValue(3);
        net.pump();
        assertThat(received).isCompletedWithValue(3);
        assertThat(io.ustack.spi.SockAddr.port(from)).isEqualTo(net.client.localPort(s));
        assertThat(fromLength.get()).isEqualTo(16);
    }

    @Test
    void overlapped_postedFromManyThreadsAllCompleteOnce() throws Exception {
        SpiNet.Connection c = net.connect(0, WSA_FLAG_OVERLAPPED);
        net.startPumping();
        int threads = 8;
        int perThread = 50;
        List<Overlapped> all = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    Overlapped ov = new Overlapped();
                    ErrnoRef e = new ErrnoRef();
                    int r = net.client.provider.wspRecv(c.client(), new ByteBuffer[] {ByteBuffer.allocate(1)}, 1,
                            null, new IntRef(), ov, e);
                    if (r != 0 && e.get() != WSA_IO_PENDING) {
                        throw new AssertionError(e.toString());
                    }
                    all.add(ov);
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        net.server.send(c.server(), new byte[threads * perThread], n);
        for (Overlapped ov : all) {
            assertThat(ov.future().get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(all).hasSize(threads * perThread);
    }
}
