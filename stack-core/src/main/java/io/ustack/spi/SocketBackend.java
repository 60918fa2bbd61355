/*
 * SocketBackend: what the base provider needs from the engine: the state of the stack (link up, buffer budget), an
 * opaque engine-side socket per provider socket, and the data path (bind, listen, accept, connect, send, receive,
 * shutdown, names, options, ioctls, multipoint join) on that socket. StackBackend (io.ustack.spi.stack) implements it
 * over a Stack; BudgetBackend is the engine-free implementation (buffer budget and link state only, no data path).
 */
package io.ustack.spi;

import java.nio.ByteBuffer;

/**
 * The engine side of the base provider. Called from any application thread, concurrently: implementations are
 * thread-safe.
 *
 * <p>The base provider has already checked, before any data-path method is called: no blocking call or callback in
 * progress on the thread, a WSPStartup in effect, {@link #status()} NO_ERROR, a live descriptor, and the
 * engine-independent arguments (lengths and families of sockaddrs, buffer arrays, flag bits, the socket type where a
 * function needs one). {@code overlapped} is non-null only on an overlapped socket, already {@link Overlapped#begin()
 * begun}; the backend then completes it exactly once, and returns 0 (completed during the call) or SOCKET_ERROR with
 * WSA_IO_PENDING, or SOCKET_ERROR with another code (then it settles it with that code too).
 *
 * <p>A backend without a data path keeps the defaults: every data-path method fails with WSAEOPNOTSUPP.
 */
public interface SocketBackend {

    /** NO_ERROR if sockets can be created, WSAENETDOWN if the stack's link is down or closed. */
    int status();

    /**
     * Creates the engine-side socket for a new provider socket (resources: buffer space, protocol control block).
     *
     * @param info the catalog entry (a base entry of the provider)
     * @param protocol the effective protocol
     * @param flags the WSPSocket dwFlags that were accepted
     * @param errno receives WSAENOBUFS (budget exhausted), WSAENETDOWN, or WSAEAFNOSUPPORT / WSAESOCKTNOSUPPORT when
     *        the engine cannot serve the entry's family or type
     * @return the handle, or null on failure
     */
    Object open(ProtocolInfo info, int protocol, int flags, ErrnoRef errno);

    /** True on the engine thread of the stack (where a call must never wait). */
    default boolean isEngineThread() {
        return false;
    }

    /** Releases the engine-side socket and its resources (called once, when the last descriptor closes). */
    void close(Object handle);

    /** Closes a socket with a reset (a connection refused by an accept condition). Defaults to {@link #close}. */
    default void abort(Object handle) {
        close(handle);
    }

    /** WSPBind: 0 or SOCKET_ERROR. */
    default int bind(Object socket, byte[] name, int nameLength, ErrnoRef errno) {
        return errno.fail(WsaError.WSAEOPNOTSUPP, Winsock.SOCKET_ERROR);
    }

    /** WSPListen: 0 or SOCKET_ERROR. */
    default int listen(Object socket, int backlog, ErrnoRef errno) {
        return errno.fail(WsaError.WSAEOPNOTSUPP, Winsock.SOCKET_ERROR);
    }

    /**
     * WSPAccept: the engine-side socket of the next connection (resources reserved as by {@link #open}), its remote
     * address written to {@code address} / {@code addressLength} when given; or null with the error in errno.
     */
    default Object accept(Object socket, byte[] address, IntRef addressLength, ErrnoRef errno) {
        errno.set(WsaError.WSAEOPNOTSUPP);
        return null;
    }

    /** WSPConnect: 0 or SOCKET_ERROR. */
    default int connect(Object socket, byte[] name, int nameLength, ErrnoRef errno) {
        return errno.fail(WsaError.WSAEOPNOTSUPP, Winsock.SOCKET_ERROR);
    }

    /**
     * WSPSend ({@code to} null, {@code toLength} -1) and WSPSendTo ({@code to} null on a stream socket, where it is
     * ignored, or when the caller gave none).
     */
    default int send(Object socket, ByteBuffer[] buffers, int bufferCount, IntRef bytesSent, int flags, byte[] to,
            int toLength, Overlapped overlapped, ErrnoRef errno) {
        return unsupported(overlapped, errno);
    }

    /** WSPRecv ({@code from} null) and WSPRecvFrom. */
    default int recv(Object socket, ByteBuffer[] buffers, int bufferCount, IntRef bytesReceived, IntRef flags,
            byte[] from, IntRef fromLength, Overlapped overlapped, ErrnoRef errno) {
        return unsupported(overlapped, errno);
    }

    /** WSPShutdown. */
    default int shutdown(Object socket, int how, ErrnoRef errno) {
        return errno.fail(WsaError.WSAEOPNOTSUPP, Winsock.SOCKET_ERROR);
    }

    /** WSPGetSockName ({@code peer} false) and WSPGetPeerName ({@code peer} true). */
    default int getName(Object socket, boolean peer, byte[] name, IntRef nameLength, ErrnoRef errno) {
        return errno.fail(WsaError.WSAEOPNOTSUPP, Winsock.SOCKET_ERROR);
    }

    /** WSPGetSockOpt for the options that need the engine. */
    default int getOption(Object socket, int level, int option, byte[] value, IntRef length, ErrnoRef errno) {
        return errno.fail(WsaError.WSAENOPROTOOPT, Winsock.SOCKET_ERROR);
    }

    /** WSPSetSockOpt for the options that need the engine. */
    default int setOption(Object socket, int level, int option, byte[] value, int length, ErrnoRef errno) {
        return errno.fail(WsaError.WSAENOPROTOOPT, Winsock.SOCKET_ERROR);
    }

    /** WSPIoctl. */
    default int ioctl(Object socket, int code, byte[] in, int inLength, byte[] out, int outLength,
            IntRef bytesReturned, Overlapped overlapped, ErrnoRef errno) {
        return unsupported(overlapped, errno);
    }

    /** WSPJoinLeaf on a c_leaf socket of a non-rooted control plane: 0 or SOCKET_ERROR. */
    default int joinLeaf(Object socket, byte[] name, int nameLength, int flags, ErrnoRef errno) {
        return errno.fail(WsaError.WSAEOPNOTSUPP, Winsock.SOCKET_ERROR);
    }

    private static int unsupported(Overlapped overlapped, ErrnoRef errno) {
        if (overlapped != null) {
            overlapped.settle(0, 0, WsaError.WSAEOPNOTSUPP);
        }
        return errno.fail(WsaError.WSAEOPNOTSUPP, Winsock.SOCKET_ERROR);
    }
}
