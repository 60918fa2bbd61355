/*
 * PolicyRule: one allow/deny rule of the PolicyLayer. It matches by address family, socket type and protocol
 * (checked when a socket is created) and optionally by remote or local address prefix and port range (checked
 * when an endpoint is given: bind, connect, sendto). A denying rule names the WSA error to refuse with.
 */
package io.ustack.spi;

/**
 * An immutable rule; build with {@link #allow()} / {@link #deny()} and the {@code with...} methods.
 *
 * @param allows true to allow, false to deny
 * @param addressFamily AF_* or {@link #ANY}
 * @param socketType SOCK_* or {@link #ANY}
 * @param protocol IPPROTO_* or {@link #ANY}
 * @param prefix address prefix (4 or 16 bytes, network order) or null for any address
 * @param prefixLength bits of {@code prefix} that must match
 * @param lowPort lowest matching port
 * @param highPort highest matching port
 * @param error the WSA error a deny refuses with (WSAEACCES by default)
 */
public record PolicyRule(boolean allows, int addressFamily, int socketType, int protocol, byte[] prefix,
        int prefixLength, int lowPort, int highPort, int error) {
    /** Matches any value of a field. */
    public static final int ANY = Integer.MIN_VALUE;

    public PolicyRule {
        if (prefix != null) {
            if (prefix.length != 4 && prefix.length != 16) {
                throw new IllegalArgumentException("prefix must be 4 or 16 bytes");
            }
            if (prefixLength < 0 || prefixLength > prefix.length * 8) {
                throw new IllegalArgumentException("prefix length out of range: " + prefixLength);
            }
            prefix = prefix.clone();
        }
        if (lowPort < 0 || highPort > 65535 || lowPort > highPort) {
            throw new IllegalArgumentException("bad port range " + lowPort + ".." + highPort);
        }
    }

    /** A rule that allows everything (narrow it with the {@code with...} methods). */
    public static PolicyRule allow() {
        return new PolicyRule(true, ANY, ANY, ANY, null, 0, 0, 65535, WsaError.NO_ERROR);
    }

    /** A rule that denies everything with WSAEACCES (narrow it with the {@code with...} methods). */
    public static PolicyRule deny() {
        return new PolicyRule(false, ANY, ANY, ANY, null, 0, 0, 65535, WsaError.WSAEACCES);
    }

    public PolicyRule withFamily(int af) {
        return new PolicyRule(allows, af, socketType, protocol, prefix, prefixLength, lowPort, highPort, error);
    }

    public PolicyRule withType(int type) {
        return new PolicyRule(allows, addressFamily, type, protocol, prefix, prefixLength, lowPort, highPort, error);
    }

    public PolicyRule withProtocol(int p) {
        return new PolicyRule(allows, addressFamily, socketType, p, prefix, prefixLength, lowPort, highPort, error);
    }

    /** Restricts the rule to addresses in {@code address}/{@code bits} (4 bytes: IPv4, 16: IPv6). */
    public PolicyRule withPrefix(byte[] address, int bits) {
        return new PolicyRule(allows, addressFamily, socketType, protocol, address, bits, lowPort, highPort, error);
    }

    public PolicyRule withPorts(int low, int high) {
        return new PolicyRule(allows, addressFamily, socketType, protocol, prefix, prefixLength, low, high, error);
    }

    /** The WSA error a deny refuses with. */
    public PolicyRule withError(int code) {
        return new PolicyRule(allows, addressFamily, socketType, protocol, prefix, prefixLength, lowPort, highPort,
                code);
    }

    /** True if the rule looks at an endpoint (address or port), so it can only decide once one is given. */
    public boolean hasEndpointCondition() {
        return prefix != null || lowPort != 0 || highPort != 65535;
    }

    /** True if family, type and protocol match. */
    public boolean matchesSocket(int af, int type, int p) {
        return (addressFamily == ANY || addressFamily == af) && (socketType == ANY || socketType == type)
                && (protocol == ANY || protocol == p);
    }

    /** True if the endpoint in a valid sockaddr (sockaddr_in / sockaddr_in6) matches the address and port. */
    public boolean matchesEndpoint(byte[] sa) {
        int port = SockAddr.port(sa);
        if (port < lowPort || port > highPort) {
            return false;
        }
        if (prefix == null) {
            return true;
        }
        int family = SockAddr.family(sa);
        int offset;
        if (family == Winsock.AF_INET && prefix.length == 4) {
            offset = SockAddr.IN_ADDR_OFFSET;
        } else if (family == Winsock.AF_INET6 && prefix.length == 16) {
            offset = SockAddr.IN6_ADDR_OFFSET;
        } else {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (sa[offset + i] != prefix[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (sa[offset + full] & mask) == (prefix[full] & mask);
    }

    @Override
    public String toString() {
        return (allows ? "allow" : "deny " + WsaError.name(error)) + " af=" + any(addressFamily) + " type="
                + any(socketType) + " protocol=" + any(protocol)
                + (prefix != null ? " prefix=" + java.util.HexFormat.of().formatHex(prefix) + "/" + prefixLength : "")
                + (lowPort != 0 || highPort != 65535 ? " ports=" + lowPort + ".." + highPort : "");
    }

    private static String any(int v) {
        return v == ANY ? "*" : Integer.toString(v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyRule r && allows == r.allows && addressFamily == r.addressFamily
                && socketType == r.socketType && protocol == r.protocol
                && java.util.Arrays.equals(prefix, r.prefix) && prefixLength == r.prefixLength
                && lowPort == r.lowPort && highPort == r.highPort && error == r.error;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(allows, addressFamily, socketType, protocol, java.util.Arrays.hashCode(prefix),
                prefixLength, lowPort, highPort, error);
    }

    @Override
    public byte[] prefix() {
        return prefix == null ? null : prefix.clone();
    }
}
