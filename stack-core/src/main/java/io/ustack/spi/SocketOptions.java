/*
 * SocketOptions: option levels, option names, ioctl codes and message/shutdown flags with their real Winsock values
 * (winsock2.h, ws2def.h, ws2ipdef.h). The option and ioctl functions (WSPSetSockOpt, WSPIoctl) come with the data
 * path; the numbers are fixed now so every layer agrees on them.
 */
package io.ustack.spi;

/** Levels, options, ioctls, MSG_* and SD_* values as in Winsock. */
public final class SocketOptions {
    private SocketOptions() {
    }

    // Levels.
    public static final int SOL_SOCKET = 0xffff;
    public static final int IPPROTO_IP = Winsock.IPPROTO_IP;
    public static final int IPPROTO_IPV6 = Winsock.IPPROTO_IPV6;
    public static final int IPPROTO_TCP = Winsock.IPPROTO_TCP;

    // SOL_SOCKET options (winsock2.h / ws2def.h).
    public static final int SO_DEBUG = 0x0001;
    public static final int SO_ACCEPTCONN = 0x0002;
    public static final int SO_REUSEADDR = 0x0004;
    public static final int SO_KEEPALIVE = 0x0008;
    public static final int SO_DONTROUTE = 0x0010;
    public static final int SO_BROADCAST = 0x0020;
    public static final int SO_USELOOPBACK = 0x0040;
    public static final int SO_LINGER = 0x0080;
    public static final int SO_OOBINLINE = 0x0100;
    public static final int SO_DONTLINGER = ~SO_LINGER;
    public static final int SO_EXCLUSIVEADDRUSE = ~SO_REUSEADDR;
    public static final int SO_SNDBUF = 0x1001;
    public static final int SO_RCVBUF = 0x1002;
    public static final int SO_SNDLOWAT = 0x1003;
    public static final int SO_RCVLOWAT = 0x1004;
    public static final int SO_SNDTIMEO = 0x1005;
    public static final int SO_RCVTIMEO = 0x1006;
    public static final int SO_ERROR = 0x1007;
    public static final int SO_TYPE = 0x1008;
    public static final int SO_GROUP_ID = 0x2001;
    public static final int SO_GROUP_PRIORITY = 0x2002;
    public static final int SO_MAX_MSG_SIZE = 0x2003;
    public static final int SO_PROTOCOL_INFOA = 0x2004;
    public static final int SO_PROTOCOL_INFOW = 0x2005;
    public static final int PVD_CONFIG = 0x3001;
    public static final int SO_CONDITIONAL_ACCEPT = 0x3002;

    // IPPROTO_TCP options.
    public static final int TCP_NODELAY = 0x0001;

    // IPPROTO_IP options (ws2ipdef.h).
    public static final int IP_OPTIONS = 1;
    public static final int IP_HDRINCL = 2;
    public static final int IP_TOS = 3;
    public static final int IP_TTL = 4;
    public static final int IP_MULTICAST_IF = 9;
    public static final int IP_MULTICAST_TTL = 10;
    public static final int IP_MULTICAST_LOOP = 11;
    public static final int IP_ADD_MEMBERSHIP = 12;
    public static final int IP_DROP_MEMBERSHIP = 13;

    // IPPROTO_IPV6 options (ws2ipdef.h).
    public static final int IPV6_UNICAST_HOPS = 4;
    public static final int IPV6_MULTICAST_IF = 9;
    public static final int IPV6_MULTICAST_HOPS = 10;
    public static final int IPV6_MULTICAST_LOOP = 11;
    public static final int IPV6_ADD_MEMBERSHIP = 12;
    public static final int IPV6_DROP_MEMBERSHIP = 13;
    public static final int IPV6_V6ONLY = 27;

    // ioctl codes: _IOW('f', 126, u_long), _IOR('f', 127, u_long), _IOR('s', 7, u_long) with IOC_IN 0x80000000,
    // IOC_OUT 0x40000000 and sizeof(u_long) = 4 in bits 16..22.
    public static final int FIONBIO = 0x8004667E;
    public static final int FIONREAD = 0x4004667F;
    public static final int SIOCATMARK = 0x40047307;

    // Message flags (ws2def.h / winsock2.h).
    public static final int MSG_OOB = 0x1;
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_DONTROUTE = 0x4;
    public static final int MSG_WAITALL = 0x8;
    public static final int MSG_PARTIAL = 0x8000;

    // WSPShutdown "how" values.
    public static final int SD_RECEIVE = 0;
    public static final int SD_SEND = 1;
    public static final int SD_BOTH = 2;

    /** Listen backlog meaning "the provider's maximum". */
    public static final int SOMAXCONN = 0x7fffffff;
}
