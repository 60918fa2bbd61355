/*
 * LayeredProvider: the base of a layered service provider: it implements the provider interface, hands out its own
 * descriptors and calls the next provider in the protocol chain, following the WSPSocket propagation policy: to a
 * next layer it passes the same unmodified WSAPROTOCOL_INFO (same chain); to the base provider (the last chain
 * element) it substitutes the base entry's own info. The same holds for WSPStartup, WSPDuplicateSocket,
 * WSPAddressToString and WSPStringToAddress.
 */
package io.ustack.spi;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static io.ustack.spi.Winsock.INVALID_SOCKET;
import static io.ustack.spi.Winsock.SOCKET_ERROR;
import static io.ustack.spi.WsaError.*;

/**
 * A layer over a next provider (another layer or the base provider).
 *
 * <p>The layer serves the protocol chain entries that contain its layered entry ({@link #layerEntry()}); the next
 * provider object is the one at the following chain position. Subclasses override the WSP methods and call
 * {@code super}, or use the hooks {@link #admitSocket} and {@link #attach}.
 *
 * <p><b>WSPSocket order in a layer:</b> WSAEINPROGRESS, WSANOTINITIALISED (this layer not started), WSAEINVAL
 * (info not a listed chain entry through this layer), WSAEAFNOSUPPORT / WSAESOCKTNOSUPPORT / WSAEPROTOTYPE /
 * WSAEPROTONOSUPPORT against the chain entry (or selection among such entries when info is null), then
 * {@link #admitSocket} (a layer's own refusal), then the next provider's checks, then WSAEMFILE for the layer's
 * own descriptor table.
 *
 * <p><b>WSPDuplicateSocket:</b> the Winsock call fills one WSAPROTOCOL_INFO buffer that is handed down the chain;
 * here the info travels back up as the return value. The base returns its base entry with the share token; each
 * layer returns the chain entry its socket was created through with that token, so the info the application gets
 * names the chain again and, passed to WSPSocket, is propagated like any other (the token rides along in
 * dwProviderReserved when the base entry is substituted).
 *
 * <p>Descriptors: each layer socket maps to one descriptor of the next provider; a duplicate gets its own layer
 * socket (per-socket state is per descriptor).
 *
 * <p><b>Data functions</b> check WSAEINPROGRESS, WSANOTINITIALISED and WSAENOTSOCK (the layer's own descriptor), then
 * pass every other argument unchanged to the next provider with its descriptor. A new socket coming back up
 * (WSPAccept; WSPJoinLeaf when it returns another descriptor) gets a layer descriptor of the same chain entry.
 * WSPGetSockOpt(SO_PROTOCOL_INFO) answers with the chain entry the socket was created through, as
 * WSPDuplicateSocket does: the info travelling back up names the chain, never the base entry below it.
 */
public abstract class LayeredProvider implements ServiceProvider {
    protected final ProtocolCatalog catalog;
    private final ProtocolInfo layerEntry;
    private final ServiceProvider next;
    private final DescriptorTable<LayerSocket> table;
    private final Predicate<ProtocolInfo> throughThisLayer;
    private final AtomicInteger startups = new AtomicInteger();

    /**
     * @param catalog the catalog listing this layer's entry and its chains
     * @param layerEntry this layer's layered entry (ChainLen 0)
     * @param next the provider at the next chain position
     * @param maxSockets this layer's descriptor table capacity
     */
    protected LayeredProvider(ProtocolCatalog catalog, ProtocolInfo layerEntry, ServiceProvider next,
            int maxSockets) {
        if (!layerEntry.isLayered() || catalog.entry(layerEntry.catalogEntryId()) != layerEntry) {
            throw new IllegalArgumentException("not a listed layered entry: " + layerEntry);
        }
        this.catalog = catalog;
        this.layerEntry = layerEntry;
        this.next = next;
        this.table = new DescriptorTable<>(maxSockets);
        int id = layerEntry.catalogEntryId();
        this.throughThisLayer = e -> e.isChain() && e.protocolChain().indexOf(id) >= 0
                && e.protocolChain().indexOf(id) < e.protocolChain().length() - 1;
    }

    /** This layer's layered catalog entry. */
    public ProtocolInfo layerEntry() {
        return layerEntry;
    }

    /** The provider at the next chain position. */
    public ServiceProvider next() {
        return next;
    }

    /** The layer socket behind descriptor {@code s}, or null (WSAENOTSOCK). */
    public LayerSocket socket(int s) {
        return table.get(s);
    }

    /** Descriptors of this layer open now. */
    public int openDescriptors() {
        return table.liveCount();
    }

    /**
     * The propagation policy: the info to pass to the next provider for {@code info}, a chain entry through this
     * layer. The same unmodified info if the next is a layer; the base entry's own info (keeping a share token)
     * if the next is the base protocol; null if {@code info} is not a listed chain entry through this layer.
     */
    public final ProtocolInfo nextInfo(ProtocolInfo info) {
        ProtocolInfo listed = catalog.entry(info.catalogEntryId());
        ProtocolInfo bare = info.withoutShareToken();
        if (listed == null || !throughThisLayer.test(listed) || (listed != bare && !listed.equals(bare))) {
            return null;
        }
        ProtocolChain chain = info.protocolChain();
        if (chain.indexOf(layerEntry.catalogEntryId()) + 1 < chain.length() - 1) {
            return info;
        }
        ProtocolInfo base = catalog.entry(chain.baseEntryId());
        return info.shareToken() == null ? base : base.withShareToken(info.shareToken());
    }

    /**
     * A layer's own admission check of a socket about to be created, with the effective family, type and
     * protocol. Returns NO_ERROR to go on, or the WSA error to refuse with.
     */
    protected int admitSocket(ProtocolInfo chainEntry, int af, int type, int protocol) {
        return NO_ERROR;
    }

    /** The layer's per-socket state for a new socket (called once per layer descriptor); null by default. */
    protected Object attach(ProtocolInfo chainEntry, int lower) {
        return null;
    }

    @Override
    public int wspStartup(int versionRequested, WspData wspData, ProtocolInfo protocolInfo) {
        if (BlockingCalls.inProgress()) {
            return WSAEINPROGRESS;
        }
        if (wspData == null || protocolInfo == null) {
            return WSAEFAULT;
        }
        ProtocolInfo below = nextInfo(protocolInfo);
        if (below == null) {
            return WSAEINVAL;
        }
        int r = next.wspStartup(versionRequested, wspData, below);
        if (r == NO_ERROR) {
            startups.incrementAndGet();
        }
        return r;
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
                    ErrnoRef ignored = new ErrnoRef();
                    table.forEachLive(d -> {
                        LayerSocket ls = table.free(d);
                        if (ls != null) {
                            next.wspCloseSocket(ls.lower(), ignored);
                        }
                    });
                }
                return next.wspCleanup(errno);
            }
        }
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
        ProtocolInfo chainEntry = protocolInfo;
        if (chainEntry == null) {
            chainEntry = catalog.select(af, type, protocol, throughThisLayer, errno);
            if (chainEntry == null) {
                return INVALID_SOCKET;
            }
        }
        ProtocolInfo below = nextInfo(chainEntry);
        if (below == null) {
            return errno.fail(WSAEINVAL, INVALID_SOCKET);
        }
        int a = ProtocolCatalog.effective(af, chainEntry.addressFamily());
        int t = ProtocolCatalog.effective(type, chainEntry.socketType());
        int p = ProtocolCatalog.effective(protocol, chainEntry.protocol());
        int err = catalog.check(chainEntry, a, t, p, throughThisLayer);
        if (err == NO_ERROR) {
            err = admitSocket(chainEntry, a, t, p);
        }
        if (err != NO_ERROR) {
            return errno.fail(err, INVALID_SOCKET);
        }
        int lower = next.wspSocket(af, type, protocol, below, g, flags, errno);
        if (lower == INVALID_SOCKET) {
            return INVALID_SOCKET;
        }
        ProtocolInfo listed = chainEntry.withoutShareToken();
        int d = table.allocate(new LayerSocket(lower, listed, a, t, p, attach(listed, lower)));
        if (d == INVALID_SOCKET) {
            next.wspCloseSocket(lower, new ErrnoRef());
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
        LayerSocket ls = table.free(s);
        if (ls == null) {
            return errno.fail(WSAENOTSOCK, SOCKET_ERROR);
        }
        return next.wspCloseSocket(ls.lower(), errno);
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
        LayerSocket ls = table.get(s);
        if (ls == null) {
            errno.set(WSAENOTSOCK);
            return null;
        }
        ProtocolInfo fromBelow = next.wspDuplicateSocket(ls.lower(), processId, errno);
        if (fromBelow == null) {
            return null;
        }
        return ls.protocolInfo().withShareToken(fromBelow.shareToken());
    }

    @Override
    public int wspAddressToString(byte[] address, int addressLength, ProtocolInfo protocolInfo,
            char[] addressString, IntRef addressStringLength, ErrnoRef errno) {
        ProtocolInfo below = protocolInfo;
        if (protocolInfo != null && (below = nextInfo(protocolInfo)) == null) {
            return errno.fail(WSAEINVAL, SOCKET_ERROR);
        }
        return next.wspAddressToString(address, addressLength, below, addressString, addressStringLength, errno);
    }

    @Override
    public int wspStringToAddress(String addressString, int addressFamily, ProtocolInfo protocolInfo,
            byte[] address, IntRef addressLength, ErrnoRef errno) {
        ProtocolInfo below = protocolInfo;
        if (protocolInfo != null && (below = nextInfo(protocolInfo)) == null) {
            return errno.fail(WSAEINVAL, SOCKET_ERROR);
        }
        return next.wspStringToAddress(addressString, addressFamily, below, address, addressLength, errno);
    }

    // ================================================================== data functions

    /** The data-function prologue: the layer socket behind {@code s}, or null with the error in errno. */
    protected final LayerSocket enter(int s, ErrnoRef errno) {
        if (BlockingCalls.inProgress()) {
            errno.set(WSAEINPROGRESS);
            return null;
        }
        if (startups.get() == 0) {
            errno.set(WSANOTINITIALISED);
            return null;
        }
        LayerSocket ls = table.get(s);
        if (ls == null) {
            errno.set(WSAENOTSOCK);
        }
        return ls;
    }

    /** A layer descriptor for a new lower socket of the same chain entry as {@code like}; WSAEMFILE if full. */
    private int adopt(LayerSocket like, int lower, ErrnoRef errno) {
        ProtocolInfo info = like.protocolInfo();
        int d = table.allocate(new LayerSocket(lower, info, like.addressFamily(), like.socketType(), like.protocol(),
                attach(info, lower)));
        if (d == INVALID_SOCKET) {
            next.wspCloseSocket(lower, new ErrnoRef());
            return errno.fail(WSAEMFILE, INVALID_SOCKET);
        }
        return d;
    }

    @Override
    public int wspBind(int s, byte[] name, int nameLength, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        return ls == null ? SOCKET_ERROR : next.wspBind(ls.lower(), name, nameLength, errno);
    }

    @Override
    public int wspListen(int s, int backlog, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        return ls == null ? SOCKET_ERROR : next.wspListen(ls.lower(), backlog, errno);
    }

    @Override
    public int wspAccept(int s, byte[] address, IntRef addressLength, AcceptCondition condition, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        if (ls == null) {
            return INVALID_SOCKET;
        }
        int lower = next.wspAccept(ls.lower(), address, addressLength, condition, errno);
        return lower == INVALID_SOCKET ? INVALID_SOCKET : adopt(ls, lower, errno);
    }

    @Override
    public int wspConnect(int s, byte[] name, int nameLength, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        return ls == null ? SOCKET_ERROR : next.wspConnect(ls.lower(), name, nameLength, errno);
    }

    @Override
    public int wspSend(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesSent, int flags,
            Overlapped overlapped, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        return ls == null ? SOCKET_ERROR
                : next.wspSend(ls.lower(), buffers, bufferCount, bytesSent, flags, overlapped, errno);
    }

    @Override
    public int wspSendTo(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesSent, int flags, byte[] to,
            int toLength, Overlapped overlapped, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        return ls == null ? SOCKET_ERROR
                : next.wspSendTo(ls.lower(), buffers, bufferCount, bytesSent, flags, to, toLength, overlapped, errno);
    }

    @Override
    public int wspRecv(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesReceived, IntRef flags,
            Overlapped overlapped, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        return ls == null ? SOCKET_ERROR
                : next.wspRecv(ls.lower(), buffers, bufferCount, bytesReceived, flags, overlapped, errno);
    }

    @Override
    public int wspRecvFrom(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesReceived, IntRef flags,
            byte[] from, IntRef fromLength, Overlapped overlapped, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        return ls == null ? SOCKET_ERROR : next.wspRecvFrom(ls.lower(), buffers, bufferCount, bytesReceived, flags,
                from, fromLength, overlapped, errno);
    }

    @Override
    public int wspShutdown(int s, int how, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        return ls == null ? SOCKET_ERROR : next.wspShutdown(ls.lower(), how, errno);
    }

    @Override
    public int wspGetSockName(int s, byte[] name, IntRef nameLength, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        return ls == null ? SOCKET_ERROR : next.wspGetSockName(ls.lower(), name, nameLength, errno);
    }

    @Override
    public int wspGetPeerName(int s, byte[] name, IntRef nameLength, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        return ls == null ? SOCKET_ERROR : next.wspGetPeerName(ls.lower(), name, nameLength, errno);
    }

    @Override
    public int wspGetSockOpt(int s, int level, int optName, byte[] optVal, IntRef optLength, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        if (ls == null) {
            return SOCKET_ERROR;
        }
        int r = next.wspGetSockOpt(ls.lower(), level, optName, optVal, optLength, errno);
        if (r == 0 && level == SocketOptions.SOL_SOCKET && (optName == SocketOptions.SO_PROTOCOL_INFOW
                || optName == SocketOptions.SO_PROTOCOL_INFOA)) {
            ProtocolInfoLayout.write(ls.protocolInfo(), optName == SocketOptions.SO_PROTOCOL_INFOW, optVal);
        }
        return r;
    }

    @Override
    public int wspSetSockOpt(int s, int level, int optName, byte[] optVal, int optLength, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        return ls == null ? SOCKET_ERROR : next.wspSetSockOpt(ls.lower(), level, optName, optVal, optLength, errno);
    }

    @Override
    public int wspIoctl(int s, int ioControlCode, byte[] inBuffer, int inBufferLength, byte[] outBuffer,
            int outBufferLength, IntRef bytesReturned, Overlapped overlapped, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        return ls == null ? SOCKET_ERROR : next.wspIoctl(ls.lower(), ioControlCode, inBuffer, inBufferLength,
                outBuffer, outBufferLength, bytesReturned, overlapped, errno);
    }

    @Override
    public int wspJoinLeaf(int s, byte[] name, int nameLength, int flags, ErrnoRef errno) {
        LayerSocket ls = enter(s, errno);
        if (ls == null) {
            return INVALID_SOCKET;
        }
        int lower = next.wspJoinLeaf(ls.lower(), name, nameLength, flags, errno);
        if (lower == INVALID_SOCKET) {
            return INVALID_SOCKET;
        }
        return lower == ls.lower() ? s : adopt(ls, lower, errno);
    }

    @Override
    public boolean wspGetOverlappedResult(int s, Overlapped overlapped, IntRef transferred, boolean wait,
            IntRef flags, ErrnoRef errno) {
        if (startups.get() == 0) {
            errno.set(WSANOTINITIALISED);
            return false;
        }
        LayerSocket ls = table.get(s);
        if (ls == null) {
            errno.set(WSAENOTSOCK);
            return false;
        }
        return next.wspGetOverlappedResult(ls.lower(), overlapped, transferred, wait, flags, errno);
    }
}
