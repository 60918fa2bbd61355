/*
 * EngineSocket: the engine-side state of one provider socket (what a Winsock base provider keeps per socket): the
 * non-blocking mode (FIONBIO), the options every type has (SO_REUSEADDR, SO_RCVBUF, SO_SNDBUF, SO_ERROR), the
 * buffer-budget reservation, and the dispatch of requests to the type's operations. StreamSocket (TCP) and
 * DatagramSocket (UDP) fill in the rest.
 */
package io.ustack.spi.stack;

import io.ustack.spi.IntRef;
import io.ustack.spi.OptionValue;
import io.ustack.spi.SockAddr;
import io.ustack.spi.SocketOptions;

import java.util.ArrayDeque;

import static io.ustack.spi.SocketOptions.*;
import static io.ustack.spi.WsaError.*;

/** Engine thread only (created on a caller thread, then touched only by the engine). */
abstract class EngineSocket {
    final StackBackend backend;
    /** Budget bytes this socket holds (SO_SNDBUF + SO_RCVBUF of its type). */
    private long reserved;
    private boolean released;
    boolean closed;
    /** Known to the backend's socket set (it has engine state to sweep when the stack closes). */
    boolean registered;
    /** FIONBIO. */
    boolean nonBlocking;
    boolean reuseAddress;
    /** SO_ERROR: the last asynchronous error, cleared by reading it. */
    int pendingError;

    EngineSocket(StackBackend backend, long reserved) {
        this.backend = backend;
        this.reserved = reserved;
    }

    // ------------------------------------------------------------------ dispatch

    /** Runs one request on the engine thread. */
    final void execute(Request r) {
        if (closed) {
            r.fail(WSAENOTSOCK);
            return;
        }
        backend.register(this);
        switch (r.op) {
            case Request.BIND -> r.finish(0, bind(SockAddr.inet4Address(r.address), SockAddr.port(r.address)));
            case Request.LISTEN -> r.finish(0, listen(r.intArg));
            case Request.ACCEPT -> accept(r);
            case Request.CONNECT -> connect(r, SockAddr.inet4Address(r.address), SockAddr.port(r.address));
            case Request.SEND -> send(r);
            case Request.RECV -> recv(r);
            case Request.SHUTDOWN -> r.finish(0, shutdown(r.intArg));
            case Request.NAME -> r.finish(0, name(r.intArg != 0, r.address, r.addressOut));
            case Request.GET_OPTION -> r.finish(0, getOption(r.level, r.option, r.out, r.lengthOut));
            case Request.SET_OPTION -> r.finish(0, setOption(r.level, r.option, r.in, r.inLength));
            case Request.IOCTL -> ioctl(r);
            case Request.JOIN -> r.finish(0, join(SockAddr.inet4Address(r.address), SockAddr.port(r.address),
                    r.intArg));
            case Request.CLOSE, Request.ABORT -> {
                close(r.op == Request.ABORT);
                closed = true;
                releaseBudget();
                backend.unregister(this);
                r.complete(0);
            }
            default -> r.fail(WSAEOPNOTSUPP);
        }
    }

    // ------------------------------------------------------------------ per type

    abstract int bind(int ip, int port);

    int listen(int backlog) {
        return WSAEOPNOTSUPP;
    }

    void accept(Request r) {
        r.fail(WSAEOPNOTSUPP);
    }

    abstract void connect(Request r, int ip, int port);

    abstract void send(Request r);

    abstract void recv(Request r);

    abstract int shutdown(int how);

    /** Writes the local (or peer) sockaddr; an error code if there is none. */
    abstract int name(boolean peer, byte[] dst, IntRef length);

    int join(int group, int port, int flags) {
        return WSAEOPNOTSUPP;
    }

    /** Bytes a receive could take now (FIONREAD). */
    abstract int readable();

    /** SIOCATMARK: an error code, or NO_ERROR having written the BOOL. */
    abstract int atMark(byte[] out);

    /** Releases engine resources; fails queued requests (closesocket cancels them). */
    abstract void close(boolean abort);

    /** The stack closed: fails every queued request with {@code code} and drops engine-side buffers. */
    abstract void abortAll(int code);

    /** Removes {@code target} from the socket's queues and fails it (an interrupted blocking call). */
    abstract void cancel(Request target, int code);

    abstract boolean isListening();

    abstract int receiveBufferSize();

    abstract int sendBufferSize();

    /** Applies SO_RCVBUF / SO_SNDBUF after the budget took them: NO_ERROR or an error code. */
    abstract int applyBufferSizes(int receive, int send);

    /** Options of the type (other levels, type-specific SOL_SOCKET options). */
    abstract int typeGetOption(int level, int option, byte[] value, IntRef length);

    abstract int typeSetOption(int level, int option, byte[] value, int length);

    /** Serves the socket's queues: completes or fails what can be finished now. */
    abstract void serve();

    // ------------------------------------------------------------------ queues

    /** The code of a request that cannot complete now and may not wait. */
    final int wouldBlock() {
        return nonBlocking ? WSAEWOULDBLOCK : WSAEINPROGRESS;
    }

    /**
     * Queues {@code r} behind earlier requests of its kind. One that may not wait cannot overtake them: it fails at
     * once if the queue is not empty. Returns false if it failed.
     */
    private boolean enqueue(Request r, ArrayDeque<Request> q) {
        if (!r.mayWait(nonBlocking) && !q.isEmpty()) {
            r.fail(wouldBlock());
            return false;
        }
        q.add(r);
        return true;
    }

    /** After serving: a request that may not wait and is still queued fails with WSAEWOULDBLOCK / WSAEINPROGRESS. */
    private void noWait(Request r, ArrayDeque<Request> q) {
        if (!r.isDone() && !r.mayWait(nonBlocking) && q.removeLastOccurrence(r)) {
            r.fail(wouldBlock());
        }
    }

    /** Posts {@code r} to queue {@code q}: enqueues it, serves, then fails it if it may not wait and is still queued. */
    final void post(Request r, ArrayDeque<Request> q) {
        if (enqueue(r, q)) {
            serve();
            noWait(r, q);
        }
    }

    /** Fails every request of {@code q}: overlapped ones with {@code overlappedCode}, blocking ones with the other. */
    static void failAll(ArrayDeque<Request> q, int overlappedCode, int blockingCode) {
        Request r;
        while ((r = q.poll()) != null) {
            r.fail(r.overlapped != null ? overlappedCode : blockingCode);
        }
    }

    // ------------------------------------------------------------------ ioctl and options

    private void ioctl(Request r) {
        int returned;
        int err = NO_ERROR;
        switch (r.intArg) {
            case FIONBIO -> {
                if (r.in == null || r.inLength < OptionValue.INT_LENGTH) {
                    err = WSAEFAULT;
                } else {
                    nonBlocking = OptionValue.getInt(r.in, 0) != 0;
                }
                returned = 0;
            }
            case FIONREAD -> {
                if (r.out == null || r.outLength < OptionValue.INT_LENGTH) {
                    err = WSAEFAULT;
                } else {
                    OptionValue.putInt(r.out, 0, readable());
                }
                returned = OptionValue.INT_LENGTH;
            }
            case SIOCATMARK -> {
                err = r.out == null || r.outLength < OptionValue.INT_LENGTH ? WSAEFAULT : atMark(r.out);
                returned = OptionValue.INT_LENGTH;
            }
            default -> {
                err = WSAEINVAL;
                returned = 0;
            }
        }
        if (err != NO_ERROR) {
            r.fail(err);
            return;
        }
        if (r.lengthOut != null) {
            r.lengthOut.set(returned);
        }
        r.complete(returned);
    }

    static int putInt(byte[] value, IntRef length, int v) {
        if (length.get() < OptionValue.INT_LENGTH) {
            return WSAEFAULT;
        }
        OptionValue.putInt(value, 0, v);
        length.set(OptionValue.INT_LENGTH);
        return NO_ERROR;
    }

    static int putBool(byte[] value, IntRef length, boolean v) {
        return putInt(value, length, v ? 1 : 0);
    }

    /** A level this provider knows (an unknown option there is WSAENOPROTOOPT, an unknown level WSAEINVAL). */
    static int unknownOption(int level) {
        return level == SOL_SOCKET || level == SocketOptions.IPPROTO_TCP || level == SocketOptions.IPPROTO_IP
                || level == SocketOptions.IPPROTO_IPV6 ? WSAENOPROTOOPT : WSAEINVAL;
    }

    private int getOption(int level, int option, byte[] value, IntRef length) {
        if (level == SOL_SOCKET) {
            switch (option) {
                case SO_REUSEADDR -> {
                    return putBool(value, length, reuseAddress);
                }
                case SO_ERROR -> {
                    int err = putInt(value, length, pendingError);
                    if (err == NO_ERROR) {
                        pendingError = NO_ERROR;
                    }
                    return err;
                }
                case SO_RCVBUF -> {
                    return putInt(value, length, receiveBufferSize());
                }
                case SO_SNDBUF -> {
                    return putInt(value, length, sendBufferSize());
                }
                case SO_ACCEPTCONN -> {
                    return putBool(value, length, isListening());
                }
                default -> {
                }
            }
        }
        return typeGetOption(level, option, value, length);
    }

    private int setOption(int level, int option, byte[] value, int length) {
        if (level == SOL_SOCKET) {
            switch (option) {
                case SO_REUSEADDR -> {
                    if (length < OptionValue.INT_LENGTH) {
                        return WSAEFAULT;
                    }
                    reuseAddress = OptionValue.getInt(value, 0) != 0;
                    return NO_ERROR;
                }
                case SO_RCVBUF, SO_SNDBUF -> {
                    if (length < OptionValue.INT_LENGTH) {
                        return WSAEFAULT;
                    }
                    int v = OptionValue.getInt(value, 0);
                    if (v < 0) {
                        return WSAEINVAL;
                    }
                    return option == SO_RCVBUF ? resize(v, sendBufferSize()) : resize(receiveBufferSize(), v);
                }
                case SO_ERROR, SO_ACCEPTCONN -> {
                    return WSAENOPROTOOPT; // read-only
                }
                default -> {
                }
            }
        }
        return typeSetOption(level, option, value, length);
    }

    /** New buffer sizes: the budget must cover them (WSAENOBUFS), then the type applies them. */
    private int resize(int receive, int send) {
        long want = (long) receive + send;
        long delta = want - reserved;
        if (delta > 0 && !backend.budget().tryReserve(delta)) {
            return WSAENOBUFS;
        }
        int err = applyBufferSizes(receive, send);
        if (err != NO_ERROR) {
            if (delta > 0) {
                backend.budget().release(delta);
            }
            return err;
        }
        if (delta < 0) {
            backend.budget().release(-delta);
        }
        reserved = want;
        return NO_ERROR;
    }

    /** Gives the socket's budget back (once). Any thread, after the engine is done with the socket. */
    final void releaseBudget() {
        if (!released) {
            released = true;
            backend.budget().release(reserved);
        }
    }

    /** Writes a sockaddr_in. */
    static int writeName(byte[] dst, IntRef length, int ip, int port) {
        SockAddr.writeInet4(dst, ip, port);
        length.set(SockAddr.SOCKADDR_IN_LENGTH);
        return NO_ERROR;
    }
}
