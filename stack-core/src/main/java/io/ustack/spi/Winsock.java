/*
 * Winsock: the numeric constants of the socket-creation surface with their real winsock2.h / ws2def.h values:
 * address families, socket types, protocols, the WSPSocket special values and dwFlags bits, socket groups and the
 * SPI version. Kept numerically identical to Windows so WSA-style code and tests read the same as on Windows.
 */
package io.ustack.spi;

/** Address families, socket types, protocols and WSPSocket flags (winsock2.h / ws2def.h values). */
public final class Winsock {
    private Winsock() {
    }

    // Address families (ws2def.h).
    public static final int AF_UNSPEC = 0;
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 23;

    // Socket types (winsock2.h).
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_RDM = 4;
    public static final int SOCK_SEQPACKET = 5;

    // Protocols (ws2def.h, IANA protocol numbers).
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_IGMP = 2;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPPROTO_ICMPV6 = 58;
    public static final int IPPROTO_RAW = 255;

    /** af, type or protocol: take the value from the WSAPROTOCOL_INFO (winsock2.h: (-1)). */
    public static final int FROM_PROTOCOL_INFO = -1;

    /** The failed-creation descriptor: (SOCKET)(~0), i.e. -1 as a Java int. Never a valid descriptor. */
    public static final int INVALID_SOCKET = ~0;
    /** The failure return of the int-valued WSP functions. */
    public static final int SOCKET_ERROR = -1;

    // WSPSocket dwFlags (winsock2.h).
    public static final int WSA_FLAG_OVERLAPPED = 0x01;
    public static final int WSA_FLAG_MULTIPOINT_C_ROOT = 0x02;
    public static final int WSA_FLAG_MULTIPOINT_C_LEAF = 0x04;
    public static final int WSA_FLAG_MULTIPOINT_D_ROOT = 0x08;
    public static final int WSA_FLAG_MULTIPOINT_D_LEAF = 0x10;
    public static final int WSA_FLAG_ACCESS_SYSTEM_SECURITY = 0x40;
    public static final int WSA_FLAG_NO_HANDLE_INHERIT = 0x80;
    /** All four multipoint role bits. */
    public static final int WSA_FLAG_MULTIPOINT_MASK = WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_C_LEAF
            | WSA_FLAG_MULTIPOINT_D_ROOT | WSA_FLAG_MULTIPOINT_D_LEAF;

    // Socket groups (winsock2.h); the g parameter is reserved, so these are rejected like any non-zero g.
    public static final int SG_UNCONSTRAINED_GROUP = 0x01;
    public static final int SG_CONSTRAINED_GROUP = 0x02;

    // WSPJoinLeaf dwFlags (winsock2.h): the role of the joining socket in the session.
    public static final int JL_SENDER_ONLY = 0x01;
    public static final int JL_RECEIVER_ONLY = 0x02;
    public static final int JL_BOTH = 0x04;

    /** MAKEWORD(2, 2): the SPI version this provider implements (low byte major, high byte minor). */
    public static final int WINSOCK_VERSION_2_2 = 0x0202;

    /** MAKEWORD(major, minor). */
    public static int makeWord(int major, int minor) {
        return (major & 0xff) | (minor & 0xff) << 8;
    }

    /** Low byte of a version word (the major version). */
    public static int lowByte(int word) {
        return word & 0xff;
    }

    /** High byte of a version word (the minor version). */
    public static int highByte(int word) {
        return word >>> 8 & 0xff;
    }
}
