/*
 * BaseProvider: the ustack base service provider (the provider at the bottom of every protocol chain, unaware of
 * chains). Implements WSPStartup/WSPCleanup, WSPSocket, WSPCloseSocket, WSPDuplicateSocket, WSPAddressToString
 * and WSPStringToAddress over a DescriptorTable, a pool of ProviderSockets and a SocketBackend (the engine); the data
 * functions (WSPBind ... WSPJoinLeaf) are checked in DataFunctions and carried out by the backend.
 */
package io.ustack.spi;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static io.ustack.spi.Winsock.INVALID_SOCKET;
import static io.ustack.spi.Winsock.SOCKET_ERROR;
import static io.ustack.spi.WsaError.*;

/**
 * The base provider.
 *
 * <p><b>WSPSocket checks, in this order</b> (the first failing one is reported):
 * <ol>
 * <li>WSAEINPROGRESS: a blocking call or an engine completion callback is in progress on the calling thread
 * ({@link BlockingCalls});</li>
 * <li>WSANOTINITIALISED: no WSPStartup is in effect;</li>
 * <li>WSAENETDOWN: the backend reports the stack's link down or closed;</li>
 * <li>WSAEINVAL: {@code protocolInfo} is not one of this provider's base entries as listed in the catalog
 * (a chain entry, a layered entry, a foreign or modified info);</li>
 * <li>the entry: with an info, FROM_PROTOCOL_INFO and 0 in af/type take the info's value and protocol
 * FROM_PROTOCOL_INFO or 0 takes its iProtocol, then WSAEAFNOSUPPORT, WSAESOCKTNOSUPPORT,
 * WSAEPROTOTYPE/WSAEPROTONOSUPPORT ({@link ProtocolCatalog#check}); without one, catalog selection with the same
 * errors in the same order ({@link ProtocolCatalog#select});</li>
 * <li>shared-socket info only (from WSPDuplicateSocket; g and flags are ignored): WSAEINVAL if the token is from
 * another provider, already redeemed, or its socket is gone; then WSAEMFILE;</li>
 * <li>WSAEINVAL: g is not 0;</li>
 * <li>WSAEINVAL: flags hold unknown bits, or multipoint bits that break the rules: exactly one of C_ROOT/C_LEAF and
 * exactly one of D_ROOT/D_LEAF; any of them only with XP1_SUPPORT_MULTIPOINT; C_ROOT only with a rooted control
 * plane (XP1_MULTIPOINT_CONTROL_PLANE), D_ROOT only with a rooted data plane (XP1_MULTIPOINT_DATA_PLANE);</li>
 * <li>WSAENOBUFS (or WSAENETDOWN) from {@link SocketBackend#open}: the buffer budget cannot cover the socket;</li>
 * <li>WSAEMFILE: the descriptor table is full.</li>
 * </ol>
 * The socket's resources are taken before its descriptor so that a descriptor is never visible before its socket
 * is complete; on WSAEMFILE they are given back.
 *
 * <p>Steady state (WSPSocket + WSPCloseSocket) allocates nothing: descriptors come from the table, socket objects
 * from a pool, the backend handle from the backend.
 */
public final class BaseProvider implements ServiceProvider {
    /** The socket flags this provider accepts. */
    public static final int KNOWN_FLAGS = Winsock.WSA_FLAG_OVERLAPPED | Winsock.WSA_FLAG_MULTIPOINT_MASK
            | Winsock.WSA_FLAG_ACCESS_SYSTEM_SECURITY | Winsock.WSA_FLAG_NO_HANDLE_INHERIT;
    public static final String DESCRIPTION = "ustack base provider (user-space TCP/UDP/IP)";

    private static final Predicate<ProtocolInfo> OWN_BASE = ProtocolCatalog::isOwnBase;
    private static final long PROCESS_ID = ProcessHandle.current().pid();

    private final ProtocolCatalog catalog;
    private final SocketBackend backend;
    private final DescriptorTable<ProviderSocket> table;
    private final SocketPool pool;
    private final AtomicInteger startups = new AtomicInteger();
    private final DataFunctions data;

    /**
     * @param catalog the stack's catalog (this provider serves its base entries)
     * @param backend the engine side
     * @param maxSockets the descriptor table capacity (beyond it: WSAEMFILE)
     */
    public BaseProvider(ProtocolCatalog catalog, SocketBackend backend, int maxSockets) {
        this.catalog = catalog;
        this.backend = backend;
        this.table = new DescriptorTable<>(maxSockets);
        this.pool = new SocketPool(maxSockets);
        this.data = new DataFunctions(this, backend);
    }

    public ProtocolCatalog catalog() {
        return catalog;
    }

    public SocketBackend backend() {
        return backend;
    }

    /** The descriptor table capacity. */
    public int maxSockets() {
        return table.capacity();
    }

    /** Descriptors open now. */
    public int openDescriptors() {
        return table.liveCount();
    }

    /**
     * The socket behind descriptor {@code s}, or null if {@code s} is not open (WSAENOTSOCK). Valid while the
     * caller holds {@code s} open; the object is reused after the socket's last descriptor closes.
     */
    public ProviderSocket socket(int s) {
        return table.get(s);
    }

    @Override
    public int wspStartup(int versionRequested, WspData wspData, ProtocolInfo protocolInfo) {
        if (BlockingCalls.inProgress()) {
            return WSAEINPROGRESS;
        }
        if (wspData == null || protocolInfo == null) {
            return WSAEFAULT;
        }
        int major = Winsock.lowByte(versionRequested);
        int minor = Winsock.highByte(versionRequested);
        if (major < 2) {
            return WSAVERNOTSUPPORTED;
        }
        if (ownEntry(protocolInfo.withoutShareToken()) == null) {
            return WSAEINVAL;
        }
        if (backend.status() != NO_ERROR) {
            return WSASYSNOTREADY;
        }
        wspData.version = major > 2 || minor >= 2 ? Winsock.WINSOCK_VERSION_2_2 : Winsock.makeWord(major, minor);
        wspData.highVersion = Winsock.WINSOCK_VERSION_2_2;
        wspData.description = DESCRIPTION;
        startups.incrementAndGet();
        return NO_ERROR;
    }

    @Override
    public int wspCleanup(ErrnoRef errno) {
        if (BlockingCalls.inProgress()) {
            return errno.fail(WSAEINPROGRESS, SOCKET_ERROR);
        }
        for (;;) {
            int n = startups.get();
            if (n == 0) {
                return errno.fail(WSANOTINITIALISED, SOCKET_ERROR);
            }
            if (startups.compareAndSet(n, n - 1)) {
                if (n == 1) {
                    table.forEachLive(this::closeDescriptor);
                }
                return 0;
            }
        }
    }

    /** True while at least one WSPStartup is in effect. */
    public boolean isStarted() {
        return startups.get() > 0;
    }

    @Override
    public int wspSocket(int af, int type, int protocol, ProtocolInfo protocolInfo, int g, int flags,
            ErrnoRef errno) {
        if (BlockingCalls.inProgress()) {
            return errno.fail(WSAEINPROGRESS, INVALID_SOCKET);
        }
        if (startups.get() == 0) {
            return errno.fail(WSANOTINITIALISED, INVALID_SOCKET);
        }
        int status = backend.status();
        if (status != NO_ERROR) {
            return errno.fail(status, INVALID_SOCKET);
        }
        ProtocolInfo entry;
        int p;
        if (protocolInfo == null) {
            entry = catalog.select(af, type, protocol, OWN_BASE, errno);
            if (entry == null) {
                return INVALID_SOCKET;
            }
            p = protocol == 0 ? entry.protocol() : protocol;
        } else {
            ShareToken token = protocolInfo.shareToken();
            entry = ownEntry(token == null ? protocolInfo : protocolInfo.withoutShareToken());
            if (entry == null) {
                return errno.fail(WSAEINVAL, INVALID_SOCKET);
            }
            p = ProtocolCatalog.effective(protocol, entry.protocol());
            int err = catalog.check(entry, ProtocolCatalog.effective(af, entry.addressFamily()),
                    ProtocolCatalog.effective(type, entry.socketType()), p, OWN_BASE);
            if (err != NO_ERROR) {
                return errno.fail(err, INVALID_SOCKET);
            }
            if (token != null) {
                return redeem(token, errno);
            }
        }
        if (g != 0) {
            return errno.fail(WSAEINVAL, INVALID_SOCKET);
        }
        if (!flagsValid(entry, flags)) {
            return errno.fail(WSAEINVAL, INVALID_SOCKET);
        }
        ProviderSocket socket = pool.take();
        Object handle = backend.open(entry, p, flags, errno);
        if (handle == null) {
            pool.give(socket);
            return INVALID_SOCKET;
        }
        socket.open(entry, entry.addressFamily(), entry.socketType(), p, flags, handle);
        int d = table.allocate(socket);
        if (d == INVALID_SOCKET) {
            releaseSocket(socket);
            return errno.fail(WSAEMFILE, INVALID_SOCKET);
        }
        return d;
    }

    /** True if descriptor {@code s} is open. */
    boolean isLive(int s) {
        return table.isLive(s);
    }

    /**
     * A descriptor for a new socket around an engine-side socket the backend already created (an accepted
     * connection): INVALID_SOCKET with WSAEMFILE (the connection is then reset) if the table is full.
     */
    int adopt(ProtocolInfo info, int af, int type, int protocol, int flags, Object handle, ErrnoRef errno) {
        ProviderSocket socket = pool.take();
        socket.open(info, af, type, protocol, flags, handle);
        int d = table.allocate(socket);
        if (d == INVALID_SOCKET) {
            socket.release();
            socket.clear();
            pool.give(socket);
            backend.abort(handle);
            return errno.fail(WSAEMFILE, INVALID_SOCKET);
        }
        return d;
    }

    /** The WSPSocket flag rules (step 8 of the class comment). */
    static boolean flagsValid(ProtocolInfo entry, int flags) {
        if ((flags & ~KNOWN_FLAGS) != 0) {
            return false;
        }
        int multipoint = flags & Winsock.WSA_FLAG_MULTIPOINT_MASK;
        if (multipoint == 0) {
            return true;
        }
        int c = multipoint & (Winsock.WSA_FLAG_MULTIPOINT_C_ROOT | Winsock.WSA_FLAG_MULTIPOINT_C_LEAF);
        int d = multipoint & (Winsock.WSA_FLAG_MULTIPOINT_D_ROOT | Winsock.WSA_FLAG_MULTIPOINT_D_LEAF);
        if (c != Winsock.WSA_FLAG_MULTIPOINT_C_ROOT && c != Winsock.WSA_FLAG_MULTIPOINT_C_LEAF) {
            return false;
        }
        if (d != Winsock.WSA_FLAG_MULTIPOINT_D_ROOT && d != Winsock.WSA_FLAG_MULTIPOINT_D_LEAF) {
            return false;
        }
        if (!entry.hasService(ServiceFlags.XP1_SUPPORT_MULTIPOINT)) {
            return false;
        }
        if (c == Winsock.WSA_FLAG_MULTIPOINT_C_ROOT && !entry.hasService(ServiceFlags.XP1_MULTIPOINT_CONTROL_PLANE)) {
            return false;
        }
        return d != Winsock.WSA_FLAG_MULTIPOINT_D_ROOT || entry.hasService(ServiceFlags.XP1_MULTIPOINT_DATA_PLANE);
    }

    /** Adds a descriptor to the socket a share token names (step 6 of the class comment). */
    private int redeem(ShareToken token, ErrnoRef errno) {
        if (token.owner != this || !token.claim()) {
            return errno.fail(WSAEINVAL, INVALID_SOCKET);
        }
        ProviderSocket socket = token.socket;
        if (!socket.retain(token.incarnation)) {
            return errno.fail(WSAEINVAL, INVALID_SOCKET);
        }
        int d = table.allocate(socket);
        if (d == INVALID_SOCKET) {
            releaseSocket(socket);
            token.unclaim();
            return errno.fail(WSAEMFILE, INVALID_SOCKET);
        }
        return d;
    }

    @Override
    public int wspCloseSocket(int s, ErrnoRef errno) {
        if (BlockingCalls.inProgress()) {
            return errno.fail(WSAEINPROGRESS, SOCKET_ERROR);
        }
        if (startups.get() == 0) {
            return errno.fail(WSANOTINITIALISED, SOCKET_ERROR);
        }
        ProviderSocket socket = table.free(s);
        if (socket == null) {
            return errno.fail(WSAENOTSOCK, SOCKET_ERROR);
        }
        releaseSocket(socket);
        return 0;
    }

    private void closeDescriptor(int s) {
        ProviderSocket socket = table.free(s);
        if (socket != null) {
            releaseSocket(socket);
        }
    }

    /** Drops one descriptor's reference; the last one closes the backend socket and pools the object. */
    private void releaseSocket(ProviderSocket socket) {
        if (socket.release()) {
            Object handle = socket.backendHandle();
            socket.clear();
            backend.close(handle);
            pool.give(socket);
        }
    }

    @Override
    public ProtocolInfo wspDuplicateSocket(int s, long processId, ErrnoRef errno) {
        if (BlockingCalls.inProgress()) {
            errno.set(WSAEINPROGRESS);
            return null;
        }
        if (startups.get() == 0) {
            errno.set(WSANOTINITIALISED);
            return null;
        }
        int status = backend.status();
        if (status != NO_ERROR) {
            errno.set(status);
            return null;
        }
        ProviderSocket socket = table.get(s);
        if (socket == null) {
            errno.set(WSAENOTSOCK);
            return null;
        }
        if (processId != PROCESS_ID) {
            errno.set(WSAEINVAL);
            return null;
        }
        ProtocolInfo info = socket.protocolInfo();
        int incarnation = socket.incarnation();
        if (!table.isLive(s)) { // closed meanwhile: info and incarnation may belong to a reused object
            errno.set(WSAENOTSOCK);
            return null;
        }
        return info.withShareToken(new ShareToken(this, socket, incarnation));
    }

    @Override
    public int wspAddressToString(byte[] address, int addressLength, ProtocolInfo protocolInfo,
            char[] addressString, IntRef addressStringLength, ErrnoRef errno) {
        if (startups.get() == 0) {
            return errno.fail(WSANOTINITIALISED, SOCKET_ERROR);
        }
        if (address == null || addressStringLength == null || addressLength < 2 || addressLength > address.length) {
            return errno.fail(WSAEFAULT, SOCKET_ERROR);
        }
        int family = SockAddr.family(address);
        int need = SockAddr.lengthOf(family);
        if (need == 0 || !infoServes(protocolInfo, family)) {
            return errno.fail(WSAEINVAL, SOCKET_ERROR);
        }
        if (addressLength < need) {
            return errno.fail(WSAEFAULT, SOCKET_ERROR);
        }
        String text = AddressText.format(address);
        int chars = text.length() + 1;
        if (addressString == null || addressStringLength.get() < chars || addressString.length < chars) {
            addressStringLength.set(chars);
            return errno.fail(WSAEFAULT, SOCKET_ERROR);
        }
        text.getChars(0, text.length(), addressString, 0);
        addressString[text.length()] = 0;
        addressStringLength.set(chars);
        return 0;
    }

    @Override
    public int wspStringToAddress(String addressString, int addressFamily, ProtocolInfo protocolInfo, byte[] address,
            IntRef addressLength, ErrnoRef errno) {
        if (startups.get() == 0) {
            return errno.fail(WSANOTINITIALISED, SOCKET_ERROR);
        }
        if (addressString == null || addressLength == null) {
            return errno.fail(WSAEFAULT, SOCKET_ERROR);
        }
        int need = SockAddr.lengthOf(addressFamily);
        if (need == 0 || !infoServes(protocolInfo, addressFamily)) {
            return errno.fail(WSAEINVAL, SOCKET_ERROR);
        }
        byte[] parsed = new byte[need];
        if (!AddressText.parse(addressString, addressFamily, parsed)) {
            return errno.fail(WSAEINVAL, SOCKET_ERROR);
        }
        if (address == null || addressLength.get() < need || address.length < need) {
            addressLength.set(need);
            return errno.fail(WSAEFAULT, SOCKET_ERROR);
        }
        System.arraycopy(parsed, 0, address, 0, need);
        addressLength.set(need);
        return 0;
    }

    /** A null info, or one of this provider's base entries of {@code family}. */
    private boolean infoServes(ProtocolInfo info, int family) {
        return info == null || (ownEntry(info.withoutShareToken()) != null && info.addressFamily() == family);
    }

    /** The listed base entry {@code info} names, if it is this provider's and unmodified; else null. */
    private ProtocolInfo ownEntry(ProtocolInfo info) {
        ProtocolInfo e = catalog.entry(info.catalogEntryId());
        if (e == null || !ProtocolCatalog.isOwnBase(e) || (e != info && !e.equals(info))) {
            return null;
        }
        return e;
    }

    @Override
    public String toString() {
        return "BaseProvider[descriptors=" + table.liveCount() + "/" + table.capacity() + " startups="
                + startups.get() + "]";
    }

    // ================================================================== data functions (DataFunctions)

    @Override
    public int wspBind(int s, byte[] name, int nameLength, ErrnoRef errno) {
        return data.bind(s, name, nameLength, errno);
    }

    @Override
    public int wspListen(int s, int backlog, ErrnoRef errno) {
        return data.listen(s, backlog, errno);
    }

    @Override
    public int wspAccept(int s, byte[] address, IntRef addressLength, AcceptCondition condition, ErrnoRef errno) {
        return data.accept(s, address, addressLength, condition, errno);
    }

    @Override
    public int wspConnect(int s, byte[] name, int nameLength, ErrnoRef errno) {
        return data.connect(s, name, nameLength, errno);
    }

    @Override
    public int wspSend(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesSent, int flags,
            Overlapped overlapped, ErrnoRef errno) {
        return data.send(s, buffers, bufferCount, bytesSent, flags, null, 0, false, overlapped, errno);
    }

    @Override
    public int wspSendTo(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesSent, int flags, byte[] to,
            int toLength, Overlapped overlapped, ErrnoRef errno) {
        return data.send(s, buffers, bufferCount, bytesSent, flags, to, toLength, true, overlapped, errno);
    }

    @Override
    public int wspRecv(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesReceived, IntRef flags,
            Overlapped overlapped, ErrnoRef errno) {
        return data.recv(s, buffers, bufferCount, bytesReceived, flags, null, null, overlapped, errno);
    }

    @Override
    public int wspRecvFrom(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesReceived, IntRef flags,
            byte[] from, IntRef fromLength, Overlapped overlapped, ErrnoRef errno) {
        return data.recv(s, buffers, bufferCount, bytesReceived, flags, from, fromLength, overlapped, errno);
    }

    @Override
    public int wspShutdown(int s, int how, ErrnoRef errno) {
        return data.shutdown(s, how, errno);
    }

    @Override
    public int wspGetSockName(int s, byte[] name, IntRef nameLength, ErrnoRef errno) {
        return data.name(s, false, name, nameLength, errno);
    }

    @Override
    public int wspGetPeerName(int s, byte[] name, IntRef nameLength, ErrnoRef errno) {
        return data.name(s, true, name, nameLength, errno);
    }

    @Override
    public int wspGetSockOpt(int s, int level, int optName, byte[] optVal, IntRef optLength, ErrnoRef errno) {
        return data.getSockOpt(s, level, optName, optVal, optLength, errno);
    }

    @Override
    public int wspSetSockOpt(int s, int level, int optName, byte[] optVal, int optLength, ErrnoRef errno) {
        return data.setSockOpt(s, level, optName, optVal, optLength, errno);
    }

    @Override
    public int wspIoctl(int s, int ioControlCode, byte[] inBuffer, int inBufferLength, byte[] outBuffer,
            int outBufferLength, IntRef bytesReturned, Overlapped overlapped, ErrnoRef errno) {
        return data.ioctl(s, ioControlCode, inBuffer, inBufferLength, outBuffer, outBufferLength, bytesReturned,
                overlapped, errno);
    }

    @Override
    public int wspJoinLeaf(int s, byte[] name, int nameLength, int flags, ErrnoRef errno) {
        return data.joinLeaf(s, name, nameLength, flags, errno);
    }

    @Override
    public boolean wspGetOverlappedResult(int s, Overlapped overlapped, IntRef transferred, boolean wait,
            IntRef flags, ErrnoRef errno) {
        return data.getOverlappedResult(s, overlapped, transferred, wait, flags, errno);
    }
}
