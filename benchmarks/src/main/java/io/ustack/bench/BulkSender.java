/*
 * BulkSender: the sending application of the bulk TCP benchmarks, written at the engine level (a TcpHandler on the
 * engine thread, like a Netty handler): it keeps the connection's send buffer full (RFC 9293 3.10.2 SEND) until the
 * bytes it was asked to move are all queued.
 */
package io.ustack.bench;

import io.netty.buffer.ByteBuf;
import io.ustack.tcp.TcpConnection;
import io.ustack.tcp.TcpHandler;

/** Engine thread only, except {@link #isConnected()} and {@link #closedError()}. Allocates nothing per write. */
final class BulkSender implements TcpHandler {
    private final ByteBuf chunk;
    private TcpConnection connection;
    private long remaining;
    private volatile boolean connected;
    private volatile int closedError = -1;

    /** {@code chunk}: the bytes written over and over (its readable bytes, from index 0). Not released here. */
    BulkSender(ByteBuf chunk) {
        this.chunk = chunk;
    }

    /** Queues {@code bytes} more for sending and writes as much as the send buffer takes now. */
    void send(long bytes) {
        remaining = Math.min(remaining + bytes, Long.MAX_VALUE / 2);
        if (connection != null) {
            fill(connection);
        }
    }

    /** Sends without end (until the connection closes): the steady state of a bulk transfer. */
    void stream() {
        send(Long.MAX_VALUE / 2);
    }

    boolean isConnected() {
        return connected;
    }

    /** -1 while open; else the onClosed error code. */
    int closedError() {
        return closedError;
    }

    @Override
    public void onConnected(TcpConnection c) {
        connection = c;
        connected = true;
        fill(c);
    }

    @Override
    public void onWritable(TcpConnection c) {
        fill(c);
    }

    @Override
    public void onClosed(TcpConnection c, int wsaError) {
        closedError = wsaError;
    }

    private void fill(TcpConnection c) {
        int size = chunk.writerIndex();
        while (remaining > 0) {
            chunk.readerIndex(0);
            int want = (int) Math.min(remaining, size);
            int n = c.write(chunk, want);
            remaining -= n;
            if (n < want) {
                return; // send buffer full: onWritable follows
            }
        }
    }
}
