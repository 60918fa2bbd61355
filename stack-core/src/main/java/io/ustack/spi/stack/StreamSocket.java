/*
 * StreamSocket: a SOCK_STREAM provider socket over the TCP engine (RFC 9293 3.9.1 user interface: OPEN, SEND,
 * RECEIVE, CLOSE, ABORT): unbound, bound, listening, connecting or connected; accepts served in posting order; the
 * data of a connected socket (queued sends and receives, MSG_PEEK, shutdown) in its StreamTransfer; SO_LINGER,
 * TCP_NODELAY, SO_KEEPALIVE, SO_RCVBUF and SO_SNDBUF handed to the connection.
 */
package io.ustack.spi.stack;

import io.ustack.spi.IntRef;
import io.ustack.spi.OptionValue;
import io.ustack.spi.SocketOptions;
import io.ustack.spi.WsaException;
import io.ustack.tcp.TcpConnection;
import io.ustack.tcp.TcpHandler;
import io.ustack.tcp.TcpListenHandler;
import io.ustack.tcp.TcpListener;

import java.util.ArrayDeque;

import static io.ustack.spi.SocketOptions.*;
import static io.ustack.spi.WsaError.*;

/** A TCP socket. Engine thread only. Sends and receives: {@link StreamTransfer}. */
final class StreamSocket extends EngineSocket implements TcpHandler, TcpListenHandler {
    static final int UNBOUND = 0;
    static final int BOUND = 1;
    static final int LISTENING = 2;
    static final int CONNECTING = 3;
    static final int CONNECTED = 4;

    private int state;
    private int localIp;
    private int localPort;
    private boolean portTaken;
    private TcpListener listener;
    private TcpConnection conn;
    private final StreamOptions options;
    private final StreamTransfer transfer;
    private Request connecting;
    private ArrayDeque<Request> accepts;
    private boolean serving;
    private boolean serveAgain;

    StreamSocket(StackBackend backend, long reserved) {
        super(backend, reserved);
        options = new StreamOptions(backend.tcpDefaults());
        transfer = new StreamTransfer(this);
    }

    /** An accepted connection, with the listening socket's options. */
    StreamSocket(StackBackend backend, long reserved, StreamSocket parent, TcpConnection c) {
        super(backend, reserved);
        nonBlocking = parent.nonBlocking;
        reuseAddress = parent.reuseAddress;
        options = new StreamOptions(parent.options);
        transfer = new StreamTransfer(this);
        state = CONNECTED;
        conn = c;
        localIp = c.localAddress();
        localPort = c.localPort();
        c.handler(this);
        c.noDelay(options.noDelay);
        c.keepAlive(options.keepAlive);
    }

    // ------------------------------------------------------------------ bind, listen, accept, connect

    @Override
    int bind(int ip, int port) {
        if (state != UNBOUND) {
            return WSAEINVAL;
        }
        if (ip != 0 && ip != backend.localAddress()) {
            return WSAEADDRNOTAVAIL;
        }
        int p = backend.ports().take(this, ip, port, reuseAddress);
        if (p < 0) {
            return WSAEADDRINUSE;
        }
        localIp = ip;
        localPort = p;
        portTaken = true;
        state = BOUND;
        return NO_ERROR;
    }

    @Override
    int listen(int backlog) {
        switch (state) {
            case UNBOUND -> {
                return WSAEINVAL;
            }
            case CONNECTING, CONNECTED -> {
                return WSAEISCONN;
            }
            case LISTENING -> {
                return NO_ERROR; // Winsock: listen again on a listening socket succeeds
            }
            default -> {
            }
        }
        try {
            listener = backend.tcp().listen(localIp, localPort, Math.max(1, backlog), this, options.tcp);
        } catch (WsaException e) {
            return e.error();
        }
        state = LISTENING;
        accepts = new ArrayDeque<>(4);
        return NO_ERROR;
    }

    @Override
    void accept(Request r) {
        if (state != LISTENING) {
            r.fail(WSAEINVAL);
            return;
        }
        post(r, accepts);
    }

    @Override
    public void onAcceptable(TcpListener l) {
        serve();
    }

    private void serveAccepts() {
        Request r;
        while (accepts != null && (r = accepts.peek()) != null) {
            if (!r.claim()) {
                accepts.poll();
                continue;
            }
            TcpConnection c = listener.accept();
            if (c == null) {
                return;
            }
            accepts.poll();
            StreamSocket child = backend.adopt(this, c);
            if (child == null) {
                c.abort();
                r.fail(WSAENOBUFS);
                continue;
            }
            if (r.address != null) {
                writeName(r.address, r.addressOut, c.remoteAddress(), c.remotePort());
            }
            r.accepted = child;
            r.complete(0);
        }
    }

    @Override
    void connect(Request r, int ip, int port) {
        switch (state) {
            case LISTENING -> {
                r.fail(WSAEINVAL);
                return;
            }
            case CONNECTED -> {
                r.fail(WSAEISCONN);
                return;
            }
            case CONNECTING -> {
                r.fail(WSAEALREADY);
                return;
            }
            default -> {
            }
        }
        if (ip == 0 || port == 0) {
            r.fail(WSAEADDRNOTAVAIL);
            return;
        }
        if (!nonBlocking && !r.mayWait(false)) {
            r.fail(WSAEINPROGRESS); // a blocking connect on the engine thread could only wait
            return;
        }
        TcpConnection c;
        try {
            c = backend.tcp().connect(localIp, localPort, ip, port, this, backend.now(), options.tcp);
        } catch (WsaException e) {
            r.fail(e.error());
            return;
        }
        conn = c;
        if (!portTaken) {
            localPort = c.localPort();
            backend.ports().add(this, 0, localPort);
            portTaken = true;
        }
        state = CONNECTING;
        c.noDelay(options.noDelay);
        c.keepAlive(options.keepAlive); // armed when the connection is established
        if (nonBlocking) {
            r.fail(WSAEWOULDBLOCK); // the connection goes on; WSAEALREADY / WSAEISCONN / SO_ERROR tell the rest
            return;
        }
        connecting = r;
    }

    @Override
    public void onConnected(TcpConnection c) {
        if (closed || c != conn) {
            return;
        }
        state = CONNECTED;
        Request r = connecting;
        connecting = null;
        if (r != null) {
            r.complete(0);
        }
        serve();
    }

    @Override
    public void onClosed(TcpConnection c, int wsaError) {
        if (closed || c != conn) {
            return;
        }
        if (state == CONNECTING) {
            int code = wsaError != NO_ERROR ? wsaError : WSAECONNREFUSED;
            conn = null;
            state = BOUND; // the failed attempt leaves the socket bound; connect may be called again
            pendingError = code;
            Request r = connecting;
            connecting = null;
            if (r != null) {
                r.fail(code);
            }
            return;
        }
        transfer.end(wsaError);
        if (wsaError != NO_ERROR) {
            pendingError = wsaError;
        }
        serve();
    }

    @Override
    public void onReadable(TcpConnection c) {
        if (!closed && c == conn) {
            serve();
        }
    }

    @Override
    public void onWritable(TcpConnection c) {
        if (!closed && c == conn) {
            serve();
        }
    }

    // ------------------------------------------------------------------ data

    @Override
    void send(Request r) {
        if (state != CONNECTED) {
            r.fail(WSAENOTCONN);
        } else {
            transfer.send(r);
        }
    }

    @Override
    void recv(Request r) {
        if (state != CONNECTED) {
            r.fail(WSAENOTCONN);
        } else {
            transfer.recv(r, conn);
        }
    }

    /** Serves the queues until nothing moves; re-entrant calls (events raised while serving) loop once more. */
    @Override
    void serve() {
        if (serving) {
            serveAgain = true;
            return;
        }
        serving = true;
        try {
            do {
                serveAgain = false;
                transfer.serve(conn);
                serveAccepts();
            } while (serveAgain);
        } finally {
            serving = false;
        }
    }

    @Override
    int readable() {
        if (state != CONNECTED) {
            return 0;
        }
        return transfer.readable(conn);
    }

    @Override
    int shutdown(int how) {
        if (state != CONNECTED) {
            return WSAENOTCONN;
        }
        transfer.shutdown(how, conn);
        serve();
        return NO_ERROR;
    }

    // ------------------------------------------------------------------ names, options

    @Override
    int name(boolean peer, byte[] dst, IntRef length) {
        if (peer) {
            if (state != CONNECTED || transfer.ended()) {
                return WSAENOTCONN;
            }
            return writeName(dst, length, conn.remoteAddress(), conn.remotePort());
        }
        if (state == UNBOUND) {
            return WSAEINVAL;
        }
        if (conn != null) {
            return writeName(dst, length, conn.localAddress(), conn.localPort());
        }
        return writeName(dst, length, localIp, localPort);
    }

    @Override
    int atMark(byte[] out) {
        OptionValue.putInt(out, 0, 1); // TRUE: no urgent (OOB) data is ever pending here
        return NO_ERROR;
    }

    @Override
    boolean isListening() {
        return state == LISTENING;
    }

    @Override
    int receiveBufferSize() {
        return options.receiveBufferSize(backend.tcpDefaults());
    }

    @Override
    int sendBufferSize() {
        return options.sendBufferSize(backend.tcpDefaults());
    }

    /** A connection that is there to take options (connecting or established, not ended). */
    private boolean live() {
        return conn != null && !transfer.ended() && (state == CONNECTING || state == CONNECTED);
    }

    @Override
    int applyBufferSizes(int receive, int send) {
        int oldReceive = receiveBufferSize();
        int oldSend = sendBufferSize();
        int err = options.applyBufferSizes(receive, send, backend.tcpDefaults());
        if (err == NO_ERROR && live()) {
            // an established connection resizes its rings (and stops auto-sizing the one that was set)
            if (receive != oldReceive) {
                conn.receiveBufferSize(receive);
            }
            if (send != oldSend) {
                conn.sendBufferSize(send);
            }
        }
        return err;
    }

    @Override
    int typeGetOption(int level, int option, byte[] value, IntRef length) {
        if (StreamOptions.handles(level, option)) {
            return options.get(level, option, value, length);
        }
        return level == SOL_SOCKET ? WSAENOPROTOOPT : unknownOption(level);
    }

    @Override
    int typeSetOption(int level, int option, byte[] value, int length) {
        if (!StreamOptions.handles(level, option)) {
            return level == SOL_SOCKET ? WSAENOPROTOOPT : unknownOption(level);
        }
        int err = options.set(level, option, value, length);
        if (err == NO_ERROR && live()) {
            if (level == SocketOptions.IPPROTO_TCP) {
                conn.noDelay(options.noDelay);
            } else if (option == SO_KEEPALIVE) {
                conn.keepAlive(options.keepAlive);
            }
        }
        return err;
    }

    // ------------------------------------------------------------------ close

    /** Fails the queued receives, sends and accepts, and a blocking connect (with {@code blockingCode}). */
    private void failQueued(int overlappedCode, int blockingCode) {
        transfer.failAll(overlappedCode, blockingCode);
        if (accepts != null) {
            failAll(accepts, overlappedCode, blockingCode);
        }
        if (connecting != null) {
            Request r = connecting;
            connecting = null;
            r.fail(blockingCode);
        }
    }

    @Override
    void close(boolean abort) {
        failQueued(WSA_OPERATION_ABORTED, WSAEINTR);
        closed = true;
        if (listener != null) {
            listener.close();
            listener = null;
        }
        if (conn != null) {
            TcpConnection c = conn;
            c.handler(TcpHandler.NONE);
            if (abort || options.resetOnClose()) {
                c.abort(); // SO_LINGER {1, 0}: a reset, and the connection is gone at once
            } else {
                c.close(); // graceful: queued data, then FIN, in the background
            }
        }
        transfer.release();
        if (portTaken) {
            backend.ports().remove(this, localPort);
            portTaken = false;
        }
    }

    @Override
    void abortAll(int code) {
        failQueued(code, code);
        transfer.release();
    }

    @Override
    void cancel(Request target, int code) {
        if (target == connecting) {
            connecting = null;
            TcpConnection c = conn;
            conn = null;
            state = BOUND;
            c.handler(TcpHandler.NONE);
            c.abort();
            target.fail(code);
            return;
        }
        if (transfer.remove(target) || (accepts != null && accepts.remove(target))) {
            target.fail(code);
        }
    }

    @Override
    public String toString() {
        return "StreamSocket[state=" + state + " port=" + localPort + (conn != null ? " " + conn : "") + "]";
    }
}
