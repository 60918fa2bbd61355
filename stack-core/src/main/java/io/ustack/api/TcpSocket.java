/*
 * TcpSocket: a thread-safe TCP connection over a Stack (RFC 9293 user interface, section 3.9.1: OPEN, SEND, RECEIVE,
 * CLOSE, ABORT) as CompletableFutures. Many reads and writes may be posted at once; each kind completes in the
 * order posted.
 */
package io.ustack.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.tcp.TcpConnection;
import io.ustack.tcp.TcpHandler;
import io.ustack.wire.Ipv4Address;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A TCP connection. {@link #read} completes with at least one byte (or -1 at end of stream; with a receive low
 * watermark, with at least that many bytes, see {@link #receiveLowWatermark}); {@link #write} completes
 * when every remaining byte of its buffer has been taken into the send buffer. Buffers handed to a pending operation
 * must not be touched until it completes; their position is advanced by the bytes moved. Blocking use is
 * {@code read(b).join()}. Completions run on the stack's engine thread.
 */
public final class TcpSocket implements AutoCloseable {
    private final Stack stack;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** SO_RCVLOWAT (any thread writes, the engine thread reads). */
    private volatile int receiveLowWatermark = 1;
    // engine thread only
    private TcpConnection conn;
    private CompletableFuture<TcpSocket> connecting;
    private final ArrayDeque<Op> reads = new ArrayDeque<>();
    private final ArrayDeque<Op> writes = new ArrayDeque<>();
    private int error;
    private boolean done;
    /**
     * serveWrites is running: TcpConnection.write delivers events (onWritable when the send ring grew, onClosed) before
     * it returns, which would re-enter serveWrites and complete the op the outer call is still working on.
     */
    private boolean servingWrites;
    /** serveWrites was asked again while running: the running call goes round once more. */
    private boolean writesAgain;

    /** A posted read or write: the user's buffer, a netty view of it, and the future. */
    private static final class Op {
        final ByteBuffer user;
        final ByteBuf view;
        final CompletableFuture<Integer> future = new CompletableFuture<>();
        int moved;

        Op(ByteBuffer user, ByteBuf view) {
            this.user = user;
            this.view = view;
        }

        void complete(int result) {
            if (moved > 0) {
                user.position(user.position() + moved);
            }
            future.complete(result);
        }
    }

    private final TcpHandler handler = new TcpHandler() {
        @Override
        public void onConnected(TcpConnection c) {
            CompletableFuture<TcpSocket> f = connecting;
            connecting = null;
            if (f != null) {
                f.complete(TcpSocket.this);
            }
        }

        @Override
        public void onReadable(TcpConnection c) {
            serveReads();
        }

        @Override
        public void onWritable(TcpConnection c) {
            serveWrites();
        }

        @Override
        public void onClosed(TcpConnection c, int wsaError) {
            finish(wsaError);
        }
    };

    private TcpSocket(Stack stack) {
        this.stack = stack;
    }

    /** Wraps an accepted connection (engine thread). */
    static TcpSocket accepted(Stack stack, TcpConnection c) {
        TcpSocket s = new TcpSocket(stack);
        s.conn = c;
        c.handler(s.handler);
        return s;
    }

    static CompletableFuture<TcpSocket> connect(Stack stack, InetSocketAddress remote) {
        int ip = UdpSocket.address(remote);
        CompletableFuture<TcpSocket> f = new CompletableFuture<>();
        runOrFail(stack, f, () -> {
            TcpSocket s = new TcpSocket(stack);
            s.connecting = f;
            try {
                s.conn = stack.iface().tcp().connect(0, 0, ip, remote.getPort(), s.handler, stack.loop().now());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** The engine-side connection (engine thread only). */
    public TcpConnection connection() {
        return conn;
    }

    public InetSocketAddress localAddress() {
        return new InetSocketAddress(Ipv4Address.toInetAddress(conn.localAddress()), conn.localPort());
    }

    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress(Ipv4Address.toInetAddress(conn.remoteAddress()), conn.remotePort());
    }

    /** Reads at least one byte into {@code dst}; completes with the count, or -1 at end of stream. */
    public CompletableFuture<Integer> read(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read into a read-only buffer");
        }
        Op op = new Op(dst, dst.hasRemaining() ? Unpooled.wrappedBuffer(dst).clear() : Unpooled.EMPTY_BUFFER);
        runOrFail(stack, op.future, () -> {
            if (failIfDone(op)) {
                return;
            }
            reads.add(op);
            serveReads();
        });
        return op.future;
    }

    /** Queues every remaining byte of {@code src}; completes with the count once all are in the send buffer. */
    public CompletableFuture<Integer> write(ByteBuffer src) {
        Op op = new Op(src, src.hasRemaining() ? Unpooled.wrappedBuffer(src) : Unpooled.EMPTY_BUFFER);
        runOrFail(stack, op.future, () -> {
            if (failIfDone(op)) {
                return;
            }
            writes.add(op);
            serveWrites();
        });
        return op.future;
    }

    /**
     * SO_RCVLOWAT, as Linux has it for TCP: a read completes only once at least {@code bytes} are readable, or as many
     * as its buffer has room for, or half the receive buffer (more could never arrive while the window is closed),
     * whichever is least; at the end of the stream or on an error it completes with what there is. 1 (the default)
     * completes a read as soon as any byte is there. A reader that streams with large buffers wakes up less often
     * with a higher mark (each completed read is a hand-off from the engine thread to the reader's).
     *
     * @throws IllegalArgumentException if {@code bytes} is below 1
     */
    public void receiveLowWatermark(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("receive low watermark " + bytes + " is below 1");
        }
        receiveLowWatermark = bytes;
        stack.run(this::serveReads); // a lower mark may complete a pending read now; nothing to do if closed
    }

    /** The current SO_RCVLOWAT. */
    public int receiveLowWatermark() {
        return receiveLowWatermark;
    }

    /** Sends FIN after the queued data (half-close); reads still work. */
    public CompletableFuture<Void> shutdownOutput() {
        return stack.call(iface -> {
            if (!done) {
                conn.shutdownOutput();
            }
            return null;
        });
    }

    /** Orderly close of both directions; {@link #closeFuture()} completes when the connection is gone. */
    @Override
    public void close() {
        stack.run(() -> {
            if (!done) {
                conn.close();
            }
        });
    }

    /** Resets the connection at once (SO_LINGER 0). */
    public void abort() {
        stack.run(() -> {
            if (!done) {
                conn.abort();
            }
        });
    }

    /** Completes when the connection has ended (normally, by reset, or by timeout). */
    public CompletableFuture<Void> closeFuture() {
        return closed;
    }

    /** The error that ended the connection (0 if none or still open). Engine thread for an exact answer. */
    public int error() {
        return error;
    }

    /** Runs {@code action} on the engine thread, or fails {@code f} if the stack is closed. */
    static void runOrFail(Stack stack, CompletableFuture<?> f, Runnable action) {
        if (!stack.run(action)) {
            f.completeExceptionally(Stack.closedError());
        }
    }

    private boolean failIfDone(Op op) {
        if (connecting != null) {
            op.future.completeExceptionally(new WsaException(WsaError.WSAENOTCONN, "the socket is not connected"));
            return true;
        }
        if (done && error != 0) {
            op.future.completeExceptionally(new WsaException(error, "the connection has ended"));
            return true;
        }
        return false;
    }

    private void serveReads() {
        Op op;
        while ((op = reads.peek()) != null) {
            if (op.future.isDone()) {
                reads.poll(); // the caller gave up on it (timeout, cancel): its buffer gets nothing
                continue;
            }
            if (!op.view.isWritable()) {
                reads.poll().complete(0);
                continue;
            }
            int avail = conn.available();
            boolean ending = conn.finReceived() || done; // no more bytes will come: the mark no longer applies
            if (avail > 0 && (ending || avail >= readThreshold(op))) {
                int n = conn.read(op.view, Math.min(avail, op.view.writableBytes()));
                op.moved = n;
                reads.poll().complete(n);
            } else if (avail > 0) {
                return; // below the low watermark: wait for more
            } else if (conn.isInputShutdown() || (done && error == 0)) {
                reads.poll().complete(-1);
            } else if (done) {
                reads.poll().future.completeExceptionally(new WsaException(error, "the connection has ended"));
            } else {
                return;
            }
        }
    }

    /** Bytes that must be readable before {@code op} completes (SO_RCVLOWAT, capped as it describes). */
    private int readThreshold(Op op) {
        int mark = receiveLowWatermark;
        if (mark == 1) {
            return 1;
        }
        return Math.max(1, Math.min(mark, Math.min(op.view.writableBytes(), conn.receiveBufferSize() / 2)));
    }

    private void serveWrites() {
        if (servingWrites) {
            writesAgain = true;
            return;
        }
        servingWrites = true;
        try {
            do {
                writesAgain = false;
                serveWritesOnce();
            } while (writesAgain);
        } finally {
            servingWrites = false;
        }
    }

    private void serveWritesOnce() {
        Op op;
        while ((op = writes.peek()) != null) {
            if (op.future.isDone() && op.moved == 0) {
                writes.poll(); // abandoned before any of it was queued: send nothing of it
                continue;
            }
            if (done) {
                writes.poll().future.completeExceptionally(new WsaException(error != 0 ? error
                        : WsaError.WSAESHUTDOWN, "the connection has ended"));
                continue;
            }
            int n;
            try {
                n = op.view.isReadable() ? conn.write(op.view, op.view.readableBytes()) : 0;
            } catch (WsaException e) { // WSAESHUTDOWN after shutdownOutput or close: this write fails, not the engine
                writes.poll().future.completeExceptionally(e);
                continue;
            }
            op.moved += n;
            if (op.view.isReadable()) {
                return; // send buffer full: onWritable resumes
            }
            writes.poll().complete(op.moved);
        }
    }

    private void finish(int wsaError) {
        done = true;
        error = wsaError;
        CompletableFuture<TcpSocket> f = connecting;
        connecting = null;
        if (f != null) {
            f.completeExceptionally(new WsaException(wsaError != 0 ? wsaError : WsaError.WSAECONNREFUSED,
                    "connect failed"));
        }
        serveReads();
        serveWrites();
        closed.complete(null);
    }
}
