/*
 * ProtocolCatalog: the Winsock catalog of one stack: immutable WSAPROTOCOL_INFO entries in preference order, the
 * base entries of the ustack provider (TCP, UDP and raw over IPv4 and IPv6, and UDP with IP multicast multipoint),
 * entries registered later (extra base entries, layered entries, protocol chains), and the WSPSocket selection
 * rules: af and type 0 are wildcards, protocol 0 picks the entry's default, FROM_PROTOCOL_INFO takes the info's.
 */
package io.ustack.spi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The catalog. Reads are lock-free (an immutable array published through a volatile field); registration is
 * serialised. Entry ids are assigned from 1001 upwards in registration order.
 *
 * <p><b>Selection order</b> ({@link #select}, used by WSPSocket), given candidate entries in catalog order:
 * <ol>
 * <li>af not 0 and no candidate of that family: WSAEAFNOSUPPORT;</li>
 * <li>type not 0 and no candidate of that family (or any family if af is 0) and type: WSAESOCKTNOSUPPORT;</li>
 * <li>protocol 0: the first candidate of that family and type that matches protocol 0 (PFL_MATCHES_PROTOCOL_ZERO
 * or 0 in its iProtocol range), else WSAEPROTONOSUPPORT;</li>
 * <li>protocol not 0: the first candidate of that family and type whose iProtocol..iProtocol+iProtocolMaxOffset
 * range holds it; else WSAEPROTOTYPE if a candidate of that family but another type holds it (the protocol exists
 * but is the wrong type for this socket), else WSAEPROTONOSUPPORT.</li>
 * </ol>
 * Without an info, FROM_PROTOCOL_INFO is an ordinary value that no entry has, so it fails at its own step.
 */
public final class ProtocolCatalog {
    /** The first catalog entry id (as on Windows). */
    public static final int FIRST_ENTRY_ID = 1001;
    /** ProviderId of the ustack base provider (a name-based UUID of "io.ustack base provider"). */
    public static final UUID BASE_PROVIDER_ID =
            UUID.nameUUIDFromBytes("io.ustack base provider".getBytes(StandardCharsets.US_ASCII));

    private static final int STREAM_XP1 = ServiceFlags.XP1_GUARANTEED_DELIVERY | ServiceFlags.XP1_GUARANTEED_ORDER
            | ServiceFlags.XP1_GRACEFUL_CLOSE;
    private static final int DATAGRAM_XP1 = ServiceFlags.XP1_CONNECTIONLESS | ServiceFlags.XP1_MESSAGE_ORIENTED
            | ServiceFlags.XP1_SUPPORT_BROADCAST;
    /** IP multicast: multipoint with non-rooted control and data planes (neither plane flag set). */
    private static final int MULTICAST_XP1 = DATAGRAM_XP1 | ServiceFlags.XP1_SUPPORT_MULTIPOINT;

    private volatile ProtocolInfo[] entries = new ProtocolInfo[0];
    private int nextId = FIRST_ENTRY_ID;

    /** A catalog holding the ustack base entries. */
    public ProtocolCatalog() {
        int udpMulti = ServiceFlags.PFL_MULTIPLE_PROTO_ENTRIES;
        int udpMain = udpMulti | ServiceFlags.PFL_RECOMMENDED_PROTO_ENTRY | ServiceFlags.PFL_MATCHES_PROTOCOL_ZERO;
        // dwMessageSize: UDP payload limits of RFC 768 over IPv4 (65535 - 20 - 8) and IPv6 (65535 - 8, no
        // jumbograms); raw: the IPv4 payload (65535 - 20), the IPv6 payload length field maximum.
        registerBase("ustack TCP/IP", Winsock.AF_INET, Winsock.SOCK_STREAM, Winsock.IPPROTO_TCP, 0, STREAM_XP1,
                ServiceFlags.PFL_MATCHES_PROTOCOL_ZERO, ServiceFlags.MESSAGE_SIZE_STREAM);
        registerBase("ustack UDP/IP", Winsock.AF_INET, Winsock.SOCK_DGRAM, Winsock.IPPROTO_UDP, 0, DATAGRAM_XP1,
                udpMain, 65507);
        registerBase("ustack RAW/IP", Winsock.AF_INET, Winsock.SOCK_RAW, 0, 255, DATAGRAM_XP1, 0, 65515);
        registerBase("ustack TCP/IPv6", Winsock.AF_INET6, Winsock.SOCK_STREAM, Winsock.IPPROTO_TCP, 0, STREAM_XP1,
                ServiceFlags.PFL_MATCHES_PROTOCOL_ZERO, ServiceFlags.MESSAGE_SIZE_STREAM);
        registerBase("ustack UDP/IPv6", Winsock.AF_INET6, Winsock.SOCK_DGRAM, Winsock.IPPROTO_UDP, 0, DATAGRAM_XP1,
                udpMain, 65527);
        registerBase("ustack RAW/IPv6", Winsock.AF_INET6, Winsock.SOCK_RAW, 0, 255, DATAGRAM_XP1, 0, 65535);
        registerBase("ustack UDP/IP multicast", Winsock.AF_INET, Winsock.SOCK_DGRAM, Winsock.IPPROTO_UDP, 0,
                MULTICAST_XP1, udpMulti, 65507);
        registerBase("ustack UDP/IPv6 multicast", Winsock.AF_INET6, Winsock.SOCK_DGRAM, Winsock.IPPROTO_UDP, 0,
                MULTICAST_XP1, udpMulti, 65527);
    }

    /**
     * Registers a base protocol entry of the ustack base provider (ChainLen 1) at the end of the catalog.
     *
     * @return the entry as listed, with its assigned catalog id
     */
    public synchronized ProtocolInfo registerBase(String name, int af, int type, int protocol, int protocolMaxOffset,
            int serviceFlags1, int providerFlags, int messageSize) {
        int id = nextId;
        int sockAddr = SockAddr.lengthOf(af);
        ProtocolInfo e = new ProtocolInfo(serviceFlags1, providerFlags, BASE_PROVIDER_ID, id, ProtocolChain.base(id),
                2, af, sockAddr, sockAddr, type, protocol, protocolMaxOffset, ServiceFlags.BIGENDIAN,
                ServiceFlags.SECURITY_PROTOCOL_NONE, messageSize, null, name);
        return add(e);
    }

    /** Registers the layered entry (ChainLen 0) of a layered provider; its id goes into chains through it. */
    public synchronized ProtocolInfo registerLayer(String name, UUID providerId) {
        ProtocolInfo e = new ProtocolInfo(0, 0, providerId, nextId, ProtocolChain.LAYERED, 2, Winsock.AF_UNSPEC, 0,
                0, 0, 0, 0, ServiceFlags.BIGENDIAN, ServiceFlags.SECURITY_PROTOCOL_NONE, 0, null, name);
        return add(e);
    }

    /**
     * Registers a protocol chain: {@code layers} from the top down over {@code base}. The entry copies the base
     * entry's attributes; its ProviderId is the top layer's.
     */
    public synchronized ProtocolInfo registerChain(String name, List<ProtocolInfo> layers, ProtocolInfo base) {
        if (layers.isEmpty() || !base.isBase() || entry(base.catalogEntryId()) != base) {
            throw new IllegalArgumentException("a chain needs at least one layer over a listed base entry");
        }
        int[] ids = new int[layers.size() + 1];
        for (int i = 0; i < layers.size(); i++) {
            ProtocolInfo l = layers.get(i);
            if (!l.isLayered() || entry(l.catalogEntryId()) != l) {
                throw new IllegalArgumentException("not a listed layered entry: " + l);
            }
            ids[i] = l.catalogEntryId();
        }
        ids[layers.size()] = base.catalogEntryId();
        ProtocolInfo e = new ProtocolInfo(base.serviceFlags1(), base.providerFlags(), layers.getFirst().providerId(),
                nextId, ProtocolChain.of(ids), base.version(), base.addressFamily(), base.maxSockAddr(),
                base.minSockAddr(), base.socketType(), base.protocol(), base.protocolMaxOffset(),
                base.networkByteOrder(), base.securityScheme(), base.messageSize(), null, name);
        return add(e);
    }

    private ProtocolInfo add(ProtocolInfo e) {
        ProtocolInfo[] old = entries;
        ProtocolInfo[] grown = Arrays.copyOf(old, old.length + 1);
        grown[old.length] = e;
        nextId++;
        entries = grown;
        return e;
    }

    /** All entries in catalog order (what WSAEnumProtocols lists). */
    public List<ProtocolInfo> entries() {
        return List.of(entries);
    }

    /** The entry with this catalog id, or null. */
    public ProtocolInfo entry(int catalogEntryId) {
        ProtocolInfo[] es = entries;
        int i = catalogEntryId - FIRST_ENTRY_ID;
        if (i >= 0 && i < es.length && es[i].catalogEntryId() == catalogEntryId) {
            return es[i];
        }
        return null;
    }

    /** The base entries of the ustack base provider, in catalog order. */
    public List<ProtocolInfo> baseEntries() {
        List<ProtocolInfo> out = new ArrayList<>();
        for (ProtocolInfo e : entries) {
            if (isOwnBase(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /** True for a base entry of the ustack base provider. */
    public static boolean isOwnBase(ProtocolInfo e) {
        return e.isBase() && BASE_PROVIDER_ID.equals(e.providerId());
    }

    /**
     * Selects the entry for (af, type, protocol) among the entries {@code eligible} accepts (order and errors in
     * the class comment). Allocation-free when {@code eligible} is a constant.
     *
     * @return the entry, or null with the error in {@code errno}
     */
    public ProtocolInfo select(int af, int type, int protocol, Predicate<ProtocolInfo> eligible, ErrnoRef errno) {
        ProtocolInfo[] es = entries;
        boolean familyFound = af == 0;
        boolean typeFound = type == 0;
        boolean otherType = false;
        for (ProtocolInfo e : es) {
            if (!eligible.test(e) || (af != 0 && e.addressFamily() != af)) {
                continue;
            }
            familyFound = true;
            boolean protocolFits = protocol == 0 ? e.matchesProtocolZero() : e.acceptsProtocol(protocol);
            if (type != 0 && e.socketType() != type) {
                otherType |= protocol != 0 && protocolFits;
                continue;
            }
            typeFound = true;
            if (protocolFits) {
                return e; // everything before it held: no error to report
            }
        }
        if (!familyFound) {
            errno.set(WsaError.WSAEAFNOSUPPORT);
        } else if (!typeFound) {
            errno.set(WsaError.WSAESOCKTNOSUPPORT);
        } else {
            errno.set(otherType ? WsaError.WSAEPROTOTYPE : WsaError.WSAEPROTONOSUPPORT);
        }
        return null;
    }

    /**
     * Checks (af, type, protocol) against a given entry, after FROM_PROTOCOL_INFO and the wildcards were applied
     * by the caller: af must be the entry's family (WSAEAFNOSUPPORT), type its type (WSAESOCKTNOSUPPORT), protocol
     * in its range (else WSAEPROTOTYPE if an eligible entry of the family holds it, else WSAEPROTONOSUPPORT).
     *
     * @return NO_ERROR or the error
     */
    public int check(ProtocolInfo entry, int af, int type, int protocol, Predicate<ProtocolInfo> eligible) {
        if (af != entry.addressFamily()) {
            return WsaError.WSAEAFNOSUPPORT;
        }
        if (type != entry.socketType()) {
            return WsaError.WSAESOCKTNOSUPPORT;
        }
        if (entry.acceptsProtocol(protocol)) {
            return WsaError.NO_ERROR;
        }
        for (ProtocolInfo e : entries) {
            if (eligible.test(e) && e.addressFamily() == af && e.acceptsProtocol(protocol)) {
                return WsaError.WSAEPROTOTYPE;
            }
        }
        return WsaError.WSAEPROTONOSUPPORT;
    }

    /**
     * One effective argument of a WSPSocket call that names an entry: FROM_PROTOCOL_INFO and 0 (a wildcard for af
     * and type, "the default" for protocol) take the entry's value; anything else is kept for {@link #check}.
     */
    public static int effective(int requested, int fromEntry) {
        return requested == Winsock.FROM_PROTOCOL_INFO || requested == 0 ? fromEntry : requested;
    }

    @Override
    public String toString() {
        return "ProtocolCatalog" + Arrays.toString(entries);
    }
}
