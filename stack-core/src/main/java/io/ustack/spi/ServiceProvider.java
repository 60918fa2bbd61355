/*
 * ServiceProvider: the Winsock 2 SPI (ws2spi.h) as a Java interface: the WSP functions in Winsock shape, with int
 * descriptors, int results and the error code in an ErrnoRef out-parameter (never an exception). Implemented by
 * the base provider (BaseProvider) and by layered providers (LayeredProvider), which call the next provider.
 */
package io.ustack.spi;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * A Winsock service provider.
 *
 * <p>Mapping from ws2spi.h: SOCKET is an int descriptor (INVALID_SOCKET = -1); LPINT lpErrno is an {@link ErrnoRef};
 * LPWSAPROTOCOL_INFO is a {@link ProtocolInfo} (null for a NULL pointer); LPSOCKADDR + length is a byte[] in
 * Winsock layout ({@link SockAddr}) + int; in/out lengths are {@link IntRef}s; the WSPPROC_TABLE is the provider
 * object itself. WSPStartup returns its error code (as in Winsock); the others return 0, a descriptor or a value
 * on success and SOCKET_ERROR / INVALID_SOCKET / null with the code in errno.
 *
 * <p><b>Data functions.</b> LPWSABUF + dwBufferCount is a {@code ByteBuffer[]} + count: each buffer's bytes from
 * its position to its limit are one WSABUF (buf, len); the provider reads or fills them without moving position or
 * limit (as a WSABUF is not changed), and reports the bytes moved in the {@code bytes...} out-parameter.
 * LPWSAOVERLAPPED is an {@link Overlapped}: on a socket created with WSA_FLAG_OVERLAPPED a non-null one makes the call
 * overlapped (many may be posted on one socket; each kind completes in the order posted); on other sockets it is
 * ignored and the call behaves as without it, as Winsock specifies. lpCompletionRoutine and lpThreadId are
 * represented by the Overlapped's future. Connect data and QOS (lpCallerData, lpCalleeData, lpSQOS, lpGQOS) do not
 * exist for TCP/UDP and are not modelled.
 *
 * <p>Non-overlapped calls block the calling thread (platform or virtual) until they can complete; after
 * WSPIoctl(FIONBIO) they fail with WSAEWOULDBLOCK instead. A call that would have to wait on the stack's engine
 * thread fails with WSAEINPROGRESS (the engine never blocks), and so does every call made inside a completion callback
 * ({@link BlockingCalls}). The {@code ...Async} default methods wrap the overlapped forms as futures.
 *
 * <p>Threading: every method may be called from any application thread, concurrently.
 */
public interface ServiceProvider {

    /**
     * WSPStartup: starts the provider for one client (calls nest; each needs a {@link #wspCleanup}).
     *
     * @param versionRequested MAKEWORD(major, minor) of the highest SPI version the client can use
     * @param wspData receives the version to use, the highest supported and a description
     * @param protocolInfo the catalog entry the provider is started for (propagated through layers)
     * @return NO_ERROR, or WSAEINPROGRESS, WSAEFAULT, WSAVERNOTSUPPORTED, WSAEINVAL, WSASYSNOTREADY
     */
    int wspStartup(int versionRequested, WspData wspData, ProtocolInfo protocolInfo);

    /**
     * WSPCleanup: ends one client's use of the provider; the last one closes every socket still open.
     *
     * @return 0, or SOCKET_ERROR with WSAEINPROGRESS or WSANOTINITIALISED
     */
    int wspCleanup(ErrnoRef errno);

    /**
     * WSPSocket: creates a socket, or another descriptor of a shared socket when {@code protocolInfo} came from
     * {@link #wspDuplicateSocket} (then {@code g} and {@code flags} are ignored).
     *
     * @param af address family, 0 (wildcard) or FROM_PROTOCOL_INFO
     * @param type socket type, 0 (wildcard) or FROM_PROTOCOL_INFO
     * @param protocol protocol, 0 (the default of the type) or FROM_PROTOCOL_INFO
     * @param protocolInfo the catalog entry to use, or null to select one from af, type and protocol
     * @param g socket group: reserved, must be 0
     * @param flags WSA_FLAG_* attributes (no overlapped attribute without WSA_FLAG_OVERLAPPED)
     * @return a descriptor, or INVALID_SOCKET with the error in {@code errno}
     */
    int wspSocket(int af, int type, int protocol, ProtocolInfo protocolInfo, int g, int flags, ErrnoRef errno);

    /**
     * WSPCloseSocket: closes a descriptor; the socket is destroyed when its last descriptor is closed.
     *
     * @return 0, or SOCKET_ERROR with WSAENOTSOCK, WSAEINPROGRESS or WSANOTINITIALISED
     */
    int wspCloseSocket(int s, ErrnoRef errno);

    /**
     * WSPDuplicateSocket: an info that WSPSocket turns into another descriptor of socket {@code s}. Sockets are
     * shared within this JVM only, so {@code processId} must be the current process.
     *
     * @return the info carrying a single-use {@link ShareToken}, or null with WSAENOTSOCK, WSAEINVAL, WSAENETDOWN,
     *         WSAEINPROGRESS or WSANOTINITIALISED in {@code errno}
     */
    ProtocolInfo wspDuplicateSocket(int s, long processId, ErrnoRef errno);

    /**
     * WSPAddressToString: the text of a sockaddr ("1.2.3.4:80", "[::1]:80"), NUL-terminated in
     * {@code addressString}.
     *
     * @param addressLength bytes of {@code address} to use
     * @param addressStringLength in: the buffer length in chars; out: the chars written, or needed on WSAEFAULT,
     *        including the NUL
     * @return 0, or SOCKET_ERROR with WSAEFAULT, WSAEINVAL or WSANOTINITIALISED
     */
    int wspAddressToString(byte[] address, int addressLength, ProtocolInfo protocolInfo, char[] addressString,
            IntRef addressStringLength, ErrnoRef errno);

    /**
     * WSPStringToAddress: parses text of family {@code addressFamily} into a sockaddr.
     *
     * @param addressLength in: the buffer length in bytes; out: the sockaddr length, or the length needed on
     *        WSAEFAULT
     * @return 0, or SOCKET_ERROR with WSAEFAULT, WSAEINVAL or WSANOTINITIALISED
     */
    int wspStringToAddress(String addressString, int addressFamily, ProtocolInfo protocolInfo, byte[] address,
            IntRef addressLength, ErrnoRef errno);

    // ================================================================== data functions

    /**
     * WSPBind: gives an unbound socket its local address (INADDR_ANY or the interface address; port 0 picks one).
     *
     * @return 0, or SOCKET_ERROR with WSAENETDOWN, WSAEADDRINUSE, WSAEADDRNOTAVAIL, WSAEFAULT, WSAEAFNOSUPPORT,
     *         WSAEINPROGRESS, WSAEINVAL (already bound), WSAENOBUFS, WSAENOTSOCK or WSANOTINITIALISED
     */
    int wspBind(int s, byte[] name, int nameLength, ErrnoRef errno);

    /**
     * WSPListen: puts a bound stream socket in the listening state.
     *
     * @return 0, or SOCKET_ERROR with WSAENETDOWN, WSAEADDRINUSE, WSAEINPROGRESS, WSAEINVAL (not bound), WSAEISCONN,
     *         WSAEOPNOTSUPP (not a stream socket), WSAENOTSOCK or WSANOTINITIALISED
     */
    int wspListen(int s, int backlog, ErrnoRef errno);

    /**
     * WSPAccept: takes the next connection of a listening socket as a new descriptor (with the listening socket's
     * attributes). {@code address} / {@code addressLength} (optional) receive the peer's sockaddr.
     *
     * @param condition lpfnCondition (dwCallbackData is what it captures), or null to accept every connection
     * @return a descriptor, or INVALID_SOCKET with WSAENETDOWN, WSAECONNREFUSED (rejected by the condition),
     *         WSAEFAULT, WSAEINTR, WSAEINPROGRESS, WSAEINVAL (not listening), WSAEMFILE, WSAENOBUFS, WSAENOTSOCK,
     *         WSAEOPNOTSUPP (not a stream socket), WSAEWOULDBLOCK or WSANOTINITIALISED
     */
    int wspAccept(int s, byte[] address, IntRef addressLength, AcceptCondition condition, ErrnoRef errno);

    /**
     * WSPConnect: a stream socket opens a connection (blocking until established, or WSAEWOULDBLOCK after FIONBIO:
     * then WSAEALREADY while pending, WSAEISCONN once connected, the failure in SO_ERROR); a datagram socket fixes
     * its peer (INADDR_ANY and port 0 dissolve it).
     *
     * @return 0, or SOCKET_ERROR with WSAENETDOWN, WSAEADDRINUSE, WSAEINTR, WSAEINPROGRESS, WSAEALREADY,
     *         WSAEADDRNOTAVAIL, WSAEAFNOSUPPORT, WSAECONNREFUSED, WSAEFAULT, WSAEINVAL (listening), WSAEISCONN,
     *         WSAENETUNREACH, WSAENOBUFS, WSAENOTSOCK, WSAETIMEDOUT, WSAEWOULDBLOCK or WSANOTINITIALISED
     */
    int wspConnect(int s, byte[] name, int nameLength, ErrnoRef errno);

    /**
     * WSPSend: sends on a connected socket. A stream send completes when every byte is in the send buffer (a
     * non-blocking one takes what fits now); a datagram send is one datagram.
     *
     * @param bytesSent lpNumberOfBytesSent (may be null only with an overlapped call)
     * @param flags MSG_DONTROUTE (ignored); MSG_OOB and MSG_PARTIAL are not supported
     * @return 0, or SOCKET_ERROR with WSA_IO_PENDING (overlapped, started), WSAENETDOWN, WSAEACCES (broadcast without
     *         SO_BROADCAST), WSAEFAULT, WSAEINTR, WSAEINPROGRESS, WSAEINVAL, WSAENETRESET, WSAENOBUFS, WSAENOTCONN,
     *         WSAENOTSOCK, WSAEOPNOTSUPP, WSAESHUTDOWN, WSAEWOULDBLOCK, WSAEMSGSIZE, WSAECONNABORTED,
     *         WSAECONNRESET, WSAETIMEDOUT or WSANOTINITIALISED
     */
    int wspSend(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesSent, int flags, Overlapped overlapped,
            ErrnoRef errno);

    /**
     * WSPSendTo: sends a datagram to {@code to} (on a connected or stream socket {@code to} is ignored, as
     * WSPSend). Errors as {@link #wspSend}, plus WSAEADDRNOTAVAIL, WSAEAFNOSUPPORT, WSAEDESTADDRREQ and
     * WSAENETUNREACH.
     */
    int wspSendTo(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesSent, int flags, byte[] to, int toLength,
            Overlapped overlapped, ErrnoRef errno);

    /**
     * WSPRecv: receives on a connected socket (stream: at least one byte, 0 at the end of the stream; datagram: one
     * datagram from the peer; a datagram larger than the buffers fills them and fails with WSAEMSGSIZE, the rest
     * being discarded).
     *
     * @param bytesReceived lpNumberOfBytesRecvd (may be null only with an overlapped call)
     * @param flags in: MSG_PEEK, MSG_WAITALL (blocking stream sockets); out: 0
     * @return 0, or SOCKET_ERROR with WSA_IO_PENDING, WSAENETDOWN, WSAENOTCONN, WSAEINTR, WSAEINPROGRESS, WSAENETRESET,
     *         WSAENOTSOCK, WSAEFAULT, WSAEOPNOTSUPP, WSAESHUTDOWN, WSAEWOULDBLOCK, WSAEMSGSIZE, WSAEINVAL (unbound),
     *         WSAECONNABORTED, WSAECONNRESET, WSAETIMEDOUT or WSANOTINITIALISED
     */
    int wspRecv(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesReceived, IntRef flags,
            Overlapped overlapped, ErrnoRef errno);

    /**
     * WSPRecvFrom: receives a datagram and its source ({@code from} / {@code fromLength} optional; ignored on stream
     * sockets). Errors as {@link #wspRecv}.
     */
    int wspRecvFrom(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesReceived, IntRef flags, byte[] from,
            IntRef fromLength, Overlapped overlapped, ErrnoRef errno);

    /**
     * WSPShutdown: disables sends (SD_SEND: a FIN follows the queued data), receives (SD_RECEIVE) or both.
     *
     * @return 0, or SOCKET_ERROR with WSAENETDOWN, WSAEINPROGRESS, WSAEINVAL (bad how), WSAENOTCONN (stream not
     *         connected), WSAENOTSOCK or WSANOTINITIALISED
     */
    int wspShutdown(int s, int how, ErrnoRef errno);

    /**
     * WSPGetSockName: the local sockaddr.
     *
     * @return 0, or SOCKET_ERROR with WSAENETDOWN, WSAEFAULT, WSAEINPROGRESS, WSAENOTSOCK, WSAEINVAL (not bound) or
     *         WSANOTINITIALISED
     */
    int wspGetSockName(int s, byte[] name, IntRef nameLength, ErrnoRef errno);

    /**
     * WSPGetPeerName: the peer's sockaddr.
     *
     * @return 0, or SOCKET_ERROR with WSAENETDOWN, WSAEFAULT, WSAEINPROGRESS, WSAENOTCONN, WSAENOTSOCK or
     *         WSANOTINITIALISED
     */
    int wspGetPeerName(int s, byte[] name, IntRef nameLength, ErrnoRef errno);

    /**
     * WSPGetSockOpt ({@link OptionValue} layouts).
     *
     * @return 0, or SOCKET_ERROR with WSAENETDOWN, WSAEFAULT, WSAEINPROGRESS, WSAEINVAL (unknown level),
     *         WSAENOPROTOOPT, WSAENOTSOCK or WSANOTINITIALISED
     */
    int wspGetSockOpt(int s, int level, int optName, byte[] optVal, IntRef optLength, ErrnoRef errno);

    /**
     * WSPSetSockOpt ({@link OptionValue} layouts).
     *
     * @return 0, or SOCKET_ERROR with WSAENETDOWN, WSAEFAULT, WSAEINPROGRESS, WSAEINVAL, WSAENETRESET,
     *         WSAENOPROTOOPT, WSAENOTCONN, WSAENOBUFS, WSAENOTSOCK or WSANOTINITIALISED
     */
    int wspSetSockOpt(int s, int level, int optName, byte[] optVal, int optLength, ErrnoRef errno);

    /**
     * WSPIoctl: FIONBIO (in: u_long), FIONREAD (out: u_long; stream: bytes readable, datagram: size of the next
     * datagram), SIOCATMARK (out: BOOL). Overlapped on an overlapped socket.
     *
     * @return 0, or SOCKET_ERROR with WSA_IO_PENDING, WSAENETDOWN, WSAEFAULT, WSAEINVAL (unknown code), WSAEINPROGRESS,
     *         WSAENOTSOCK, WSAEOPNOTSUPP or WSANOTINITIALISED
     */
    int wspIoctl(int s, int ioControlCode, byte[] inBuffer, int inBufferLength, byte[] outBuffer,
            int outBufferLength, IntRef bytesReturned, Overlapped overlapped, ErrnoRef errno);

    /**
     * WSPJoinLeaf: joins a c_leaf socket to a multipoint session of a non-rooted control plane (IP multicast: the
     * group address and port); the returned descriptor is {@code s} itself. JL_RECEIVER_ONLY / JL_BOTH receive the
     * group's datagrams on the socket's port, JL_SENDER_ONLY / JL_BOTH make WSPSend send to the group.
     *
     * @return {@code s}, or INVALID_SOCKET with WSAENETDOWN, WSAEADDRINUSE, WSAEINPROGRESS, WSAEADDRNOTAVAIL (not a
     *         multicast group), WSAEAFNOSUPPORT, WSAEFAULT, WSAEINVAL (not a multipoint socket, bad flags), WSAEISCONN
     *         (already joined), WSAENOBUFS, WSAENOTSOCK, WSAEOPNOTSUPP or WSANOTINITIALISED
     */
    int wspJoinLeaf(int s, byte[] name, int nameLength, int flags, ErrnoRef errno);

    /**
     * WSPGetOverlappedResult: the outcome of an overlapped operation on {@code s}.
     *
     * @param wait true to wait for completion (WSAEINPROGRESS on the engine thread or in a callback)
     * @return true with cbTransfer and flags set on success; false with WSA_IO_INCOMPLETE (pending, not waiting), the
     *         operation's error, WSAEINVAL (never begun), WSAENOTSOCK or WSANOTINITIALISED in errno
     */
    boolean wspGetOverlappedResult(int s, Overlapped overlapped, IntRef transferred, boolean wait, IntRef flags,
            ErrnoRef errno);

    // ================================================================== futures over the overlapped forms

    /** Overlapped WSPRecv as a future of the bytes received (the socket must be overlapped). */
    default CompletableFuture<Integer> recvAsync(int s, ByteBuffer[] buffers, int bufferCount, int flags) {
        Overlapped ov = new Overlapped();
        ErrnoRef errno = new ErrnoRef();
        return Overlapped.started(ov, wspRecv(s, buffers, bufferCount, null, new IntRef(flags), ov, errno), errno);
    }

    /** Overlapped WSPRecvFrom; {@code from} / {@code fromLength} are filled when the future completes. */
    default CompletableFuture<Integer> recvFromAsync(int s, ByteBuffer[] buffers, int bufferCount, int flags,
            byte[] from, IntRef fromLength) {
        Overlapped ov = new Overlapped();
        ErrnoRef errno = new ErrnoRef();
        return Overlapped.started(ov, wspRecvFrom(s, buffers, bufferCount, null, new IntRef(flags), from, fromLength,
                ov, errno), errno);
    }

    /** Overlapped WSPSend as a future of the bytes sent. */
    default CompletableFuture<Integer> sendAsync(int s, ByteBuffer[] buffers, int bufferCount, int flags) {
        Overlapped ov = new Overlapped();
        ErrnoRef errno = new ErrnoRef();
        return Overlapped.started(ov, wspSend(s, buffers, bufferCount, null, flags, ov, errno), errno);
    }

    /** Overlapped WSPSendTo as a future of the bytes sent. */
    default CompletableFuture<Integer> sendToAsync(int s, ByteBuffer[] buffers, int bufferCount, int flags, byte[] to,
            int toLength) {
        Overlapped ov = new Overlapped();
        ErrnoRef errno = new ErrnoRef();
        return Overlapped.started(ov, wspSendTo(s, buffers, bufferCount, null, flags, to, toLength, ov, errno),
                errno);
    }

    /** Overlapped WSPIoctl as a future of cbBytesReturned ({@code out} is filled when it completes). */
    default CompletableFuture<Integer> ioctlAsync(int s, int code, byte[] in, int inLength, byte[] out,
            int outLength) {
        Overlapped ov = new Overlapped();
        ErrnoRef errno = new ErrnoRef();
        return Overlapped.started(ov, wspIoctl(s, code, in, inLength, out, outLength, null, ov, errno), errno);
    }
}
