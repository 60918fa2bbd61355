package io.ustack.api;

import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.link.ImpairedLink;
import io.ustack.testing.StackPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The idiomatic API end to end: two stacks, in-memory link, manual clock. */
class StackSocketsTest {
    final StackPair net = new StackPair(1500);
    final InetSocketAddress server7 = new InetSocketAddress("10.0.0.1", 7);

    @AfterEach
    void close() {
        net.close();
    }

    @Test
    void anErrorThrownByACallCompletesItsFutureAndTheStackGoesOn() {
        CompletableFuture<Integer> bad = net.client.call(iface -> {
            throw new NoSuchFieldError("outOfOrderDrops"); // what a stale jar on the class path gives
        });
        assertThatThrownBy(() -> net.await(bad)).hasRootCauseInstanceOf(NoSuchFieldError.class);
        int answer = net.await(net.client.call(iface -> 42));
        assertThat(answer).isEqualTo(42);
        udpDatagramsGoBothWays();
    }

    @Test
    void udpDatagramsGoBothWays() {
        UdpSocket s = net.await(net.server.openUdp(7));
        UdpSocket c = net.await(net.client.openUdp(0));
        CompletableFuture<Datagram> atServer = s.receive();
        net.await(c.sendTo(ByteBuffer.wrap(new byte[] {4, 5, 6}), server7));
        Datagram d = net.await(atServer);
        assertThat(d.data().remaining()).isEqualTo(3);
        CompletableFuture<Datagram> atClient = c.receive();
        net.await(s.sendTo(d.data(), d.source()));
        assertThat(net.await(atClient).data().get(2)).isEqualTo((byte) 6);
    }

    @Test
    void tcpMovesOneMebibyteEachWayIntact() {
        TcpServerSocket listener = net.await(net.server.listen(7, 16));
        CompletableFuture<TcpSocket> accepted = listener.accept();
        TcpSocket c = net.await(net.client.connect(server7));
        TcpSocket s = net.await(accepted);
        byte[] up = random(1 << 20, 1);
        byte[] down = random(1 << 20, 2);
        CompletableFuture<Integer> w1 = c.write(ByteBuffer.wrap(up));
        CompletableFuture<Integer> w2 = s.write(ByteBuffer.wrap(down));
        ByteBuffer gotUp = ByteBuffer.allocate(up.length);
        ByteBuffer gotDown = ByteBuffer.allocate(down.length);
        while (gotUp.hasRemaining() || gotDown.hasRemaining()) {
            if (gotUp.hasRemaining()) {
                net.await(s.read(gotUp));
            }
            if (gotDown.hasRemaining()) {
                net.await(c.read(gotDown));
            }
        }
        assertThat(net.await(w1)).isEqualTo(up.length);
        assertThat(net.await(w2)).isEqualTo(down.length);
        assertThat(gotUp.array()).isEqualTo(up);
        assertThat(gotDown.array()).isEqualTo(down);
        c.close();
        assertThat(net.await(s.read(ByteBuffer.allocate(10)))).isEqualTo(-1);
        s.close();
        net.await(c.closeFuture());
        net.await(s.closeFuture());
        assertThat(c.error()).isZero();
    }

    /**
     * Writes posted as an application posts them (two in flight, the next when the older completed, sizes all different) while
     * the send ring auto-grows: TcpConnection.write delivers onWritable (the ring grew) before it returns, which
     * re-entered the socket's write service and completed the op still in progress (a NullPointerException on the
     * engine thread, seen in bin/run). Each write must complete once, with its own length, and the bytes arrive
     * intact.
     */
    @Test
    void writesPostedWhileTheSendRingGrowsCompleteOnceWithTheirLengths() {
        // 2 ms each way: a bandwidth-delay product the send ring must auto-grow for
        try (StackPair slow = new StackPair(1500, (link, clock) -> ImpairedLink.of(link, clock, "delay=2ms"))) {
            TcpServerSocket listener = slow.await(slow.server.listen(7, 16));
            CompletableFuture<TcpSocket> accepted = listener.accept();
            TcpSocket c = slow.await(slow.client.connect(server7));
            TcpSocket s = slow.await(accepted);
            int n = 160;
            int[] sizes = new int[n];
            int total = 0;
            for (int i = 0; i < n; i++) {
                sizes[i] = 40_000 + 1_009 * i; // all different, so completing the wrong op shows
                total += sizes[i];
            }
            byte[] all = random(total, 3);
            ByteBuffer got = ByteBuffer.allocate(all.length);
            List<CompletableFuture<Integer>> reads = new ArrayList<>(List.of(s.read(got)));
            java.util.function.BooleanSupplier keepReading = () -> {
                if (reads.getLast().isDone() && got.hasRemaining()) {
                    reads.add(s.read(got)); // the application reads as data comes
                }
                return false;
            };
            List<CompletableFuture<Integer>> writes = new ArrayList<>();
            for (int i = 0, off = 0; i < n; off += sizes[i], i++) {
                if (i >= 2) { // two writes in flight, as the HTTP service keeps them
                    CompletableFuture<Integer> older = writes.get(i - 2);
                    assertThat(slow.pumpUntil(() -> keepReading.getAsBoolean() || older.isDone(), 100_000L,
                            60_000_000_000L)).as("write " + (i - 2) + " done").isTrue();
                }
                writes.add(c.write(ByteBuffer.wrap(all, off, sizes[i])));
            }
            assertThat(slow.pumpUntil(() -> keepReading.getAsBoolean() || !got.hasRemaining(), 100_000L,
                    60_000_000_000L)).isTrue();
            assertThat(got.array()).isEqualTo(all);
            long growths = slow.await(slow.client.call(iface -> iface.tcp().extCounters().sendBufferGrowths));
            assertThat(growths).as("send ring growths during the writes").isGreaterThan(1);
            for (int i = 0; i < n; i++) {
                assertThat(slow.await(writes.get(i))).as("write " + i).isEqualTo(sizes[i]);
            }
            assertThat(c.error()).isZero();
            c.close();
            s.close();
            slow.await(c.closeFuture());
        }
    }

    @Test
    void manyReadsPostedAtOnceCompleteInPostingOrder() {
        TcpServerSocket listener = net.await(net.server.listen(7, 16));
        CompletableFuture<TcpSocket> accepted = listener.accept();
        TcpSocket c = net.await(net.client.connect(server7));
        TcpSocket s = net.await(accepted);
        List<CompletableFuture<Integer>> reads = new ArrayList<>();
        List<ByteBuffer> bufs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ByteBuffer b = ByteBuffer.allocate(1);
            bufs.add(b);
            reads.add(s.read(b));
        }
        net.await(c.write(ByteBuffer.wrap(new byte[] {0, 1, 2, 3, 4, 5, 6, 7})));
        for (int i = 0; i < 8; i++) {
            assertThat(net.await(reads.get(i))).isEqualTo(1);
            assertThat(bufs.get(i).get(0)).isEqualTo((byte) i);
        }
    }

    @Test
    void aWriteAfterShutdownOrCloseFailsItsFutureWithWsaeshutdown() {
        // found by ReceivePathFuzzTest (templatedFrames/write_after_shutdown_output): the connection's WSAESHUTDOWN
        // escaped the engine command, so the write threw on the engine thread and never completed from any other
        TcpServerSocket listener = net.await(net.server.listen(7, 16));
        CompletableFuture<TcpSocket> accepted = listener.accept();
        TcpSocket c = net.await(net.client.connect(server7));
        net.await(accepted);
        net.await(c.shutdownOutput());
        CompletableFuture<Integer> afterShutdown = c.write(ByteBuffer.wrap(new byte[] {1}));
        c.close();
        CompletableFuture<Integer> afterClose = c.write(ByteBuffer.wrap(new byte[] {2}));
        for (CompletableFuture<Integer> w : List.of(afterShutdown, afterClose)) {
            assertThatThrownBy(() -> net.await(w)).hasRootCauseInstanceOf(WsaException.class)
                    .rootCause().satisfies(e -> assertThat(((WsaException) e).error())
                            .isEqualTo(WsaError.WSAESHUTDOWN));
        }
    }

    @Test
    void connectToAClosedPortIsRefused() {
        CompletableFuture<TcpSocket> f = net.client.connect(new InetSocketAddress("10.0.0.1", 4444));
        net.pumpUntil(f::isDone, 1_000_000L, 5_000_000_000L);
        assertThat(f).isCompletedExceptionally();
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(WsaException.class)
                .satisfies(e -> assertThat(((WsaException) e).error()).isEqualTo(WsaError.WSAECONNREFUSED));
    }

    @Test
    void anAbandonedReceiveOrReadDoesNotSwallowLaterData() {
        UdpSocket s = net.await(net.server.openUdp(7));
        UdpSocket c = net.await(net.client.openUdp(0));
        CompletableFuture<Datagram> abandoned = s.receive();
        abandoned.cancel(false);
        CompletableFuture<Datagram> live = s.receive();
        net.await(c.sendTo(ByteBuffer.wrap(new byte[] {42}), server7));
        assertThat(net.await(live).data().get(0)).isEqualTo((byte) 42);

        TcpServerSocket listener = net.await(net.server.listen(8, 4));
        CompletableFuture<TcpSocket> accepted = listener.accept();
        TcpSocket tc = net.await(net.client.connect(new InetSocketAddress("10.0.0.1", 8)));
        TcpSocket ts = net.await(accepted);
        CompletableFuture<Integer> gaveUp = ts.read(ByteBuffer.allocate(8));
        net.pump();
        gaveUp.cancel(false);
        ByteBuffer into = ByteBuffer.allocate(8);
        CompletableFuture<Integer> read = ts.read(into);
        net.await(tc.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        assertThat(net.await(read)).isEqualTo(3);
        assertThat(into.get(2)).isEqualTo((byte) 3);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
