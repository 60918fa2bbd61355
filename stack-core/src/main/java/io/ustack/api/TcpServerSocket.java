/*
 * TcpServerSocket: a listening TCP socket over a Stack (RFC 9293 3.9.1 passive OPEN); accept() returns a future per
 * connection, completed in the order posted.
 */
package io.ustack.api;

import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.tcp.TcpConnection;
import io.ustack.tcp.TcpListener;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/** A listening socket. Thread-safe; completions run on the engine thread. */
public final class TcpServerSocket implements AutoCloseable {
    private final Stack stack;
    private TcpListener listener;
    private final ArrayDeque<CompletableFuture<TcpSocket>> accepts = new ArrayDeque<>();
    private boolean closed;

    private TcpServerSocket(Stack stack) {
        this.stack = stack;
    }

    static CompletableFuture<TcpServerSocket> listen(Stack stack, int port, int backlog) {
        return stack.call(iface -> {
            TcpServerSocket s = new TcpServerSocket(stack);
            s.listener = iface.tcp().listen(0, port, backlog, l -> s.serve());
            return s;
        });
    }

    public int localPort() {
        return listener.localPort();
    }

    /** The next established connection. */
    public CompletableFuture<TcpSocket> accept() {
        CompletableFuture<TcpSocket> f = new CompletableFuture<>();
        TcpSocket.runOrFail(stack, f, () -> {
            if (closed) {
                f.completeExceptionally(new WsaException(WsaError.WSAENOTSOCK, "the listening socket is closed"));
                return;
            }
            accepts.add(f);
            serve();
        });
        return f;
    }

    private void serve() {
        while (!accepts.isEmpty()) {
            TcpConnection c = listener.accept();
            if (c == null) {
                return;
            }
            accepts.poll().complete(TcpSocket.accepted(stack, c));
        }
    }

    /** Stops listening; connections not yet accepted are reset; pending accepts fail. */
    @Override
    public void close() {
        stack.run(() -> {
            if (closed) {
                return;
            }
            closed = true;
            listener.close();
            CompletableFuture<TcpSocket> f;
            while ((f = accepts.poll()) != null) {
                f.completeExceptionally(new WsaException(WsaError.WSA_OPERATION_ABORTED, "the socket was closed"));
            }
        });
    }
}
