/*
 * ServiceProvider: the Winsock 2 SPI (ws2spi.h) as a Java interface: the WSP functions in Winsock shape, with int
 * descriptors, int results and the error code in an ErrnoRef out-parameter (never an exception). Implemented by
 * the base provider (BaseProvider) and by layered providers (LayeredProvider), which call the next provider.
 */
package io.ustack.spi;

/**
 * A Winsock service provider.
 *
 * <p>Mapping from ws2spi.h: SOCKET is an int descriptor (INVALID_SOCKET = -1); LPINT lpErrno is an {@link ErrnoRef};
 * LPWSAPROTOCOL_INFO is a {@link ProtocolInfo} (null for a NULL pointer); LPSOCKADDR + length is a byte[] in
 * Winsock layout ({@link SockAddr}) + int; in/out lengths are {@link IntRef}s; the WSPPROC_TABLE is the provider
 * object itself. WSPStartup returns its error code (as in Winsock); the others return 0, a descriptor or a value
 * on success and SOCKET_ERROR / INVALID_SOCKET / null with the code in errno.
 *
 * <p>Data functions (WSPBind, WSPConnect, WSPSend, WSPRecv, WSPSendTo, WSPRecvFrom, WSPIoctl, ...) join this
 * interface with the engine: the non-overlapped form keeps this shape (int result, ErrnoRef), and the overlapped
 * form returns a {@code CompletableFuture} completed on the engine thread, failed with a {@link WsaException}.
 * They are not declared yet.
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
}
