/*
 * ConnectionEvents: the user notifications of one TCP connection (RFC 9293 3.9.1 "signals to the user"), gathered
 * while a segment or a call is processed and delivered afterwards, so a handler never runs in the middle of a state
 * change and may call back into the connection.
 */
package io.ustack.tcp;

/** Pending events of one connection, and their re-entrancy-safe delivery. Engine thread only. */
final class ConnectionEvents {
    private static final int CONNECTED = 1;
    private static final int READABLE = 2;
    private static final int WRITABLE = 4;
    private static final int CLOSED = 8;

    private int pending;
    private boolean dispatching;
    private boolean closeReported;
    private int closeError;

    void connected() {
        pending |= CONNECTED;
    }

    void readable() {
        pending |= READABLE;
    }

    void writable() {
        pending |= WRITABLE;
    }

    /** Records the end of the connection (once; later calls are ignored). */
    void closed(int wsaError) {
        if (!closeReported) {
            closeReported = true;
            closeError = wsaError;
            pending |= CLOSED;
        }
    }

    /**
     * Delivers pending events to {@code c}'s handler; re-entrant calls return at once (the outer loop picks up new
     * events). Readable and writable are not delivered once the user has closed.
     */
    void flush(TcpConnection c) {
        if (dispatching) {
            return;
        }
        dispatching = true;
        try {
            while (pending != 0) {
                int e = pending;
                pending = 0;
                TcpHandler h = c.handler();
                if ((e & CONNECTED) != 0) {
                    h.onConnected(c);
                }
                if ((e & READABLE) != 0 && !c.userClosed()) {
                    h.onReadable(c);
                }
                if ((e & WRITABLE) != 0 && !c.userClosed()) {
                    h.onWritable(c);
                }
                if ((e & CLOSED) != 0) {
                    h.onClosed(c, closeError);
                }
            }
        } finally {
            dispatching = false;
        }
    }
}
