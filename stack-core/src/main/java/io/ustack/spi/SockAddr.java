/*
 * SockAddr: the Winsock sockaddr_in (16 bytes) and sockaddr_in6 (28 bytes) memory layouts over a byte[], as the
 * WSP functions take them (LPSOCKADDR + length). The family and sin6_scope_id are in host order, little-endian as
 * on Windows x86/x64; port, address and sin6_flowinfo are in network order (RFC 3493 section 3.3).
 */
package io.ustack.spi;

/** Static accessors for Winsock socket address structures in a byte[]. */
public final class SockAddr {
    private SockAddr() {
    }

    public static final int FAMILY_OFFSET = 0;
    public static final int PORT_OFFSET = 2;
    /** sockaddr_in: sin_addr. */
    public static final int IN_ADDR_OFFSET = 4;
    /** sizeof(SOCKADDR_IN). */
    public static final int SOCKADDR_IN_LENGTH = 16;
    /** sockaddr_in6: sin6_flowinfo. */
    public static final int IN6_FLOWINFO_OFFSET = 4;
    /** sockaddr_in6: sin6_addr. */
    public static final int IN6_ADDR_OFFSET = 8;
    /** sockaddr_in6: sin6_scope_id. */
    public static final int IN6_SCOPE_ID_OFFSET = 24;
    /** sizeof(SOCKADDR_IN6). */
    public static final int SOCKADDR_IN6_LENGTH = 28;

    /** sizeof the sockaddr of {@code family}, or 0 for a family without one here. */
    public static int lengthOf(int family) {
        return switch (family) {
            case Winsock.AF_INET -> SOCKADDR_IN_LENGTH;
            case Winsock.AF_INET6 -> SOCKADDR_IN6_LENGTH;
            default -> 0;
        };
    }

    /**
     * Checks a sockaddr argument of a socket of family {@code af}: WSAEFAULT if it is null, too short to hold a
     * family or longer than its array; WSAEAFNOSUPPORT for another family; WSAEFAULT if shorter than that family's
     * sockaddr; else NO_ERROR.
     */
    public static int check(byte[] sa, int length, int af) {
        if (sa == null || length < 2 || length > sa.length) {
            return WsaError.WSAEFAULT;
        }
        if (family(sa) != af) {
            return WsaError.WSAEAFNOSUPPORT;
        }
        return length < lengthOf(af) ? WsaError.WSAEFAULT : WsaError.NO_ERROR;
    }

    /** The address family (u16, little-endian). Needs 2 bytes. */
    public static int family(byte[] sa) {
        return sa[FAMILY_OFFSET] & 0xff | (sa[FAMILY_OFFSET + 1] & 0xff) << 8;
    }

    /** The port (u16, network order). */
    public static int port(byte[] sa) {
        return (sa[PORT_OFFSET] & 0xff) << 8 | sa[PORT_OFFSET + 1] & 0xff;
    }

    /** The IPv4 address as a big-endian int (sockaddr_in only). */
    public static int inet4Address(byte[] sa) {
        return getIntBe(sa, IN_ADDR_OFFSET);
    }

    /** sin6_flowinfo (network order). */
    public static int flowInfo(byte[] sa) {
        return getIntBe(sa, IN6_FLOWINFO_OFFSET);
    }

    /** sin6_scope_id (little-endian). */
    public static int scopeId(byte[] sa) {
        return sa[IN6_SCOPE_ID_OFFSET] & 0xff | (sa[IN6_SCOPE_ID_OFFSET + 1] & 0xff) << 8
                | (sa[IN6_SCOPE_ID_OFFSET + 2] & 0xff) << 16 | (sa[IN6_SCOPE_ID_OFFSET + 3] & 0xff) << 24;
    }

    /** Writes a sockaddr_in (all 16 bytes, sin_zero cleared). */
    public static void writeInet4(byte[] dst, int address, int port) {
        java.util.Arrays.fill(dst, 0, SOCKADDR_IN_LENGTH, (byte) 0);
        putFamily(dst, Winsock.AF_INET);
        putPort(dst, port);
        putIntBe(dst, IN_ADDR_OFFSET, address);
    }

    /** Writes a sockaddr_in6 (all 28 bytes); {@code address} is 16 bytes from {@code addressOffset}. */
    public static void writeInet6(byte[] dst, byte[] address, int addressOffset, int port, int flowInfo,
            int scopeId) {
        putFamily(dst, Winsock.AF_INET6);
        putPort(dst, port);
        putIntBe(dst, IN6_FLOWINFO_OFFSET, flowInfo);
        System.arraycopy(address, addressOffset, dst, IN6_ADDR_OFFSET, 16);
        dst[IN6_SCOPE_ID_OFFSET] = (byte) scopeId;
        dst[IN6_SCOPE_ID_OFFSET + 1] = (byte) (scopeId >>> 8);
        dst[IN6_SCOPE_ID_OFFSET + 2] = (byte) (scopeId >>> 16);
        dst[IN6_SCOPE_ID_OFFSET + 3] = (byte) (scopeId >>> 24);
    }

    /** A new sockaddr_in for a.b.c.d:port given as a big-endian int. */
    public static byte[] inet4(int address, int port) {
        byte[] sa = new byte[SOCKADDR_IN_LENGTH];
        writeInet4(sa, address, port);
        return sa;
    }

    /** A new sockaddr_in for the 4 bytes of {@code address}. */
    public static byte[] inet4(byte[] address, int port) {
        return inet4(getIntBe(address, 0), port);
    }

    /** A new sockaddr_in6 (flow info 0). */
    public static byte[] inet6(byte[] address, int port, int scopeId) {
        byte[] sa = new byte[SOCKADDR_IN6_LENGTH];
        writeInet6(sa, address, 0, port, 0, scopeId);
        return sa;
    }

    private static void putFamily(byte[] dst, int family) {
        dst[FAMILY_OFFSET] = (byte) family;
        dst[FAMILY_OFFSET + 1] = (byte) (family >>> 8);
    }

    private static void putPort(byte[] dst, int port) {
        dst[PORT_OFFSET] = (byte) (port >>> 8);
        dst[PORT_OFFSET + 1] = (byte) port;
    }

    static int getIntBe(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | b[off + 3] & 0xff;
    }

    static void putIntBe(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
