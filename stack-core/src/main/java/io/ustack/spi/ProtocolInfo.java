/*
 * ProtocolInfo: the WSAPROTOCOL_INFO of one catalog entry, immutable. Field for field the Winsock structure
 * (dwServiceFlags2..4 are reserved and omitted); dwProviderReserved carries the shared-socket token that
 * WSPDuplicateSocket hands out.
 */
package io.ustack.spi;

import java.util.UUID;

/**
 * An immutable WSAPROTOCOL_INFO.
 *
 * @param serviceFlags1 dwServiceFlags1, XP1_* bits ({@link ServiceFlags})
 * @param providerFlags dwProviderFlags, PFL_* bits
 * @param providerId ProviderId, the GUID of the provider that serves this entry
 * @param catalogEntryId dwCatalogEntryId, unique in the catalog
 * @param protocolChain ProtocolChain: length 0 layered entry, 1 base entry, 2..7 a chain
 * @param version iVersion (2)
 * @param addressFamily iAddressFamily (AF_INET, AF_INET6)
 * @param maxSockAddr iMaxSockAddr, largest sockaddr in bytes
 * @param minSockAddr iMinSockAddr, smallest sockaddr in bytes
 * @param socketType iSocketType (SOCK_STREAM, SOCK_DGRAM, SOCK_RAW)
 * @param protocol iProtocol
 * @param protocolMaxOffset iProtocolMaxOffset: the entry accepts protocols iProtocol..iProtocol+offset
 * @param networkByteOrder iNetworkByteOrder (BIGENDIAN)
 * @param securityScheme iSecurityScheme
 * @param messageSize dwMessageSize (0 stream, 1 MTU dependent, 0xFFFFFFFF unlimited, otherwise the maximum)
 * @param shareToken dwProviderReserved: set only on an info returned by WSPDuplicateSocket, else null
 * @param protocolName szProtocol
 */
public record ProtocolInfo(
        int serviceFlags1,
        int providerFlags,
        UUID providerId,
        int catalogEntryId,
        ProtocolChain protocolChain,
        int version,
        int addressFamily,
        int maxSockAddr,
        int minSockAddr,
        int socketType,
        int protocol,
        int protocolMaxOffset,
        int networkByteOrder,
        int securityScheme,
        int messageSize,
        ShareToken shareToken,
        String protocolName) {

    public ProtocolInfo {
        if (providerId == null || protocolChain == null || protocolName == null) {
            throw new IllegalArgumentException("providerId, protocolChain and protocolName are required");
        }
        if (protocolName.length() > ServiceFlags.WSAPROTOCOL_LEN) {
            throw new IllegalArgumentException("szProtocol longer than WSAPROTOCOL_LEN: " + protocolName);
        }
    }

    /** True if every bit of {@code xp1} is set in dwServiceFlags1. */
    public boolean hasService(int xp1) {
        return (serviceFlags1 & xp1) == xp1;
    }

    /** True if every bit of {@code pfl} is set in dwProviderFlags. */
    public boolean hasProviderFlag(int pfl) {
        return (providerFlags & pfl) == pfl;
    }

    /** ChainLen 0: the entry of a layered provider itself (cannot create sockets). */
    public boolean isLayered() {
        return protocolChain.length() == ServiceFlags.LAYERED_PROTOCOL;
    }

    /** ChainLen 1: a base protocol. */
    public boolean isBase() {
        return protocolChain.length() == ServiceFlags.BASE_PROTOCOL;
    }

    /** ChainLen greater than 1: layers over a base protocol. */
    public boolean isChain() {
        return protocolChain.length() > ServiceFlags.BASE_PROTOCOL;
    }

    /** True if {@code p} lies in iProtocol..iProtocol+iProtocolMaxOffset. */
    public boolean acceptsProtocol(int p) {
        return p >= protocol && p <= protocol + protocolMaxOffset;
    }

    /** True if a protocol argument of 0 selects this entry (PFL_MATCHES_PROTOCOL_ZERO or 0 in the range). */
    public boolean matchesProtocolZero() {
        return hasProviderFlag(ServiceFlags.PFL_MATCHES_PROTOCOL_ZERO) || acceptsProtocol(0);
    }

    /** This info with dwProviderReserved set to a shared-socket token. */
    public ProtocolInfo withShareToken(ShareToken token) {
        return new ProtocolInfo(serviceFlags1, providerFlags, providerId, catalogEntryId, protocolChain, version,
                addressFamily, maxSockAddr, minSockAddr, socketType, protocol, protocolMaxOffset, networkByteOrder,
                securityScheme, messageSize, token, protocolName);
    }

    /** This info without a shared-socket token (the catalog entry as listed). */
    public ProtocolInfo withoutShareToken() {
        return shareToken == null ? this : withShareToken(null);
    }

    @Override
    public String toString() {
        return "ProtocolInfo[" + catalogEntryId + " \"" + protocolName + "\" af=" + addressFamily + " type="
                + socketType + " protocol=" + protocol + (protocolMaxOffset != 0 ? "+" + protocolMaxOffset : "")
                + " xp1=0x" + Integer.toHexString(serviceFlags1) + " " + protocolChain
                + (shareToken != null ? " shared" : "") + "]";
    }
}
