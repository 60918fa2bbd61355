/*
 * BulkStacks: the fixture of the bulk TCP benchmarks: two stacks (server 10.0.0.1, client 10.0.0.2) joined by an
 * in-memory Ethernet link, one long-lived TCP connection from client to server (RFC 9293 3.5 three-way handshake,
 * done once in setup), an engine-level sender on the client and an engine-level receiver on the server.
 */
package io.ustack.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ustack.api.Stack;
import io.ustack.link.InMemoryLink;
import io.ustack.tcp.CongestionAlgorithm;
import io.ustack.tcp.TcpConfig;
import io.ustack.tcp.TcpConnection;
import io.ustack.wire.Ipv4Address;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Built on one thread; either started (each stack on its own engine thread) or driven by hand with {@link #pump}. */
final class BulkStacks implements AutoCloseable {
    static final int CHUNK = 64 * 1024;
    static final int PORT = 5001;

    final Stack server;
    final Stack client;
    final BulkSender sender;
    final BulkReceiver receiver;
    private final ByteBuf chunk;
    private final ByteBuf scratch;
    private final boolean threaded;

    /**
     * @param bufferSize SO_SNDBUF / SO_RCVBUF of both ends (the receive window, with window scaling)
     * @param threaded true: start both engine threads; false: the caller drives both with {@link #pump}
     */
    BulkStacks(int mtu, int bufferSize, boolean threaded) {
        this(mtu, bufferSize, threaded, CongestionAlgorithm.CUBIC);
    }

    /** As above, with the TCP congestion control {@code cc} on both ends (the sender's is the one that matters). */
    BulkStacks(int mtu, int bufferSize, boolean threaded, CongestionAlgorithm cc) {
        this(mtu, bufferSize, threaded, cc, false);
    }

    /**
     * As above; with {@code offload} the in-memory link carries TCP super-segments of up to 64 KiB whole (TSO and
     * GRO, as a veth with offloads), so the sender builds them and the receiver takes them as one segment.
     */
    BulkStacks(int mtu, int bufferSize, boolean threaded, CongestionAlgorithm cc, boolean offload) {
        this.threaded = threaded;
        PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        chunk = alloc.directBuffer(CHUNK, CHUNK);
        for (int i = 0; i < CHUNK; i++) {
            chunk.writeByte((i * 31 + 7) & 0xff);
        }
        scratch = alloc.directBuffer(CHUNK, CHUNK);
        sender = new BulkSender(chunk);
        receiver = new BulkReceiver(scratch);
        InMemoryLink[] pair = InMemoryLink.pair(mtu, offload);
        TcpConfig tcp = new TcpConfig().sendBufferSize(bufferSize).receiveBufferSize(bufferSize).congestionControl(cc);
        server = Stack.builder(pair[0]).name("bench-server").ipv4("10.0.0.1/24").tcp(tcp).allocator(alloc).build();
        client = Stack.builder(pair[1]).name("bench-client").ipv4("10.0.0.2/24").tcp(new TcpConfig(tcp))
                .allocator(alloc).build();
        if (threaded) {
            server.start();
            client.start();
        }
        CompletableFuture<?> listening = server.call(iface -> iface.tcp().listen(0, PORT, 4, l -> {
            TcpConnection c = l.accept();
            if (c != null) {
                c.handler(receiver);
            }
        }));
        await(listening);
        int serverIp = Ipv4Address.parse("10.0.0.1");
        CompletableFuture<?> connecting = client.call(iface -> iface.tcp().connect(0, 0, serverIp, PORT, sender,
                client.loop().now()));
        await(connecting);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!sender.isConnected()) {
            if (sender.closedError() >= 0) {
                throw new IllegalStateException("connect failed with WSA error " + sender.closedError());
            }
            step();
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no connection after 10 s: " + client.counters());
            }
        }
    }

    /** One engine turn of each stack (manual driving only); returns the work done. */
    int pump() {
        return server.runOnce() + client.runOnce();
    }

    private void step() {
        if (threaded) {
            Thread.onSpinWait();
        } else {
            pump();
        }
    }

    private void await(CompletableFuture<?> f) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!f.isDone()) {
            step();
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("setup step not done after 10 s");
            }
        }
        f.join();
    }

    /** A one-line account of what the link carried (printed at the end of a trial: drops and retransmits show). */
    String summary(long bytesMoved) {
        long segs = client.counters().tcpSegmentsOut;
        return String.format("moved %d MiB; client: %s%n  server: %s%n  data+ack frames: %.1f client->server and"
                        + " %.1f server->client per MiB", bytesMoved >> 20, client.counters(), server.counters(),
                segs * (double) (1 << 20) / Math.max(1, bytesMoved),
                server.counters().tcpSegmentsOut * (double) (1 << 20) / Math.max(1, bytesMoved));
    }

    @Override
    public void close() {
        client.close();
        server.close();
        chunk.release();
        scratch.release();
    }
}
