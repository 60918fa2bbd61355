/*
 * WinsockConstantsTest: the constants against Winsock's definitions: literal values from winsock2.h / ws2def.h,
 * the ioctl codes recomputed from the _IOR/_IOW macros, and the special descriptor values.
 */
package io.ustack.spi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WinsockConstantsTest {
    private static final int IOCPARM_MASK = 0x7f;
    private static final int IOC_OUT = 0x40000000;
    private static final int IOC_IN = 0x80000000;

    private static int ior(char x, int y, int size) {
        return IOC_OUT | ((size & IOCPARM_MASK) << 16) | (x << 8) | y;
    }

    private static int iow(char x, int y, int size) {
        return IOC_IN | ((size & IOCPARM_MASK) << 16) | (x << 8) | y;
    }

    @Test
    void families_typesAndProtocols() {
        assertThat(new int[] {Winsock.AF_UNSPEC, Winsock.AF_INET, Winsock.AF_INET6}).containsExactly(0, 2, 23);
        assertThat(new int[] {Winsock.SOCK_STREAM, Winsock.SOCK_DGRAM, Winsock.SOCK_RAW, Winsock.SOCK_RDM,
                Winsock.SOCK_SEQPACKET}).containsExactly(1, 2, 3, 4, 5);
        assertThat(new int[] {Winsock.IPPROTO_ICMP, Winsock.IPPROTO_TCP, Winsock.IPPROTO_UDP, Winsock.IPPROTO_IPV6,
                Winsock.IPPROTO_ICMPV6, Winsock.IPPROTO_RAW}).containsExactly(1, 6, 17, 41, 58, 255);
    }

    @Test
    void specialValues() {
        assertThat(Winsock.FROM_PROTOCOL_INFO).isEqualTo(-1);
        assertThat(Winsock.INVALID_SOCKET).isEqualTo(~0);
        assertThat(Winsock.SOCKET_ERROR).isEqualTo(-1);
        assertThat(Winsock.WINSOCK_VERSION_2_2).isEqualTo(Winsock.makeWord(2, 2));
        assertThat(Winsock.lowByte(Winsock.makeWord(2, 1))).isEqualTo(2);
        assertThat(Winsock.highByte(Winsock.makeWord(2, 1))).isEqualTo(1);
    }

    @Test
    void socketFlags() {
        assertThat(new int[] {Winsock.WSA_FLAG_OVERLAPPED, Winsock.WSA_FLAG_MULTIPOINT_C_ROOT,
                Winsock.WSA_FLAG_MULTIPOINT_C_LEAF, Winsock.WSA_FLAG_MULTIPOINT_D_ROOT,
                Winsock.WSA_FLAG_MULTIPOINT_D_LEAF}).containsExactly(0x01, 0x02, 0x04, 0x08, 0x10);
    }

    @Test
    void serviceFlags_xp1Bits() {
        assertThat(new int[] {ServiceFlags.XP1_CONNECTIONLESS, ServiceFlags.XP1_GUARANTEED_DELIVERY,
                ServiceFlags.XP1_GUARANTEED_ORDER, ServiceFlags.XP1_MESSAGE_ORIENTED,
                ServiceFlags.XP1_SUPPORT_MULTIPOINT, ServiceFlags.XP1_MULTIPOINT_CONTROL_PLANE,
                ServiceFlags.XP1_MULTIPOINT_DATA_PLANE, ServiceFlags.XP1_IFS_HANDLES})
                .containsExactly(0x1, 0x2, 0x4, 0x8, 0x400, 0x800, 0x1000, 0x20000);
        assertThat(ServiceFlags.PFL_MATCHES_PROTOCOL_ZERO).isEqualTo(0x8);
        assertThat(ServiceFlags.MAX_PROTOCOL_CHAIN).isEqualTo(7);
    }

    @Test
    void socketOptions_andIoctlsFromMacros() {
        assertThat(SocketOptions.SOL_SOCKET).isEqualTo(0xffff);
        assertThat(SocketOptions.SO_REUSEADDR).isEqualTo(4);
        assertThat(SocketOptions.SO_EXCLUSIVEADDRUSE).isEqualTo(~4);
        assertThat(SocketOptions.SO_SNDBUF).isEqualTo(0x1001);
        assertThat(SocketOptions.SO_RCVBUF).isEqualTo(0x1002);
        assertThat(SocketOptions.SO_ERROR).isEqualTo(0x1007);
        assertThat(SocketOptions.TCP_NODELAY).isEqualTo(1);
        assertThat(SocketOptions.FIONBIO).isEqualTo(iow('f', 126, 4));
        assertThat(SocketOptions.FIONREAD).isEqualTo(ior('f', 127, 4));
        assertThat(SocketOptions.SIOCATMARK).isEqualTo(ior('s', 7, 4));
    }

    @Test
    void wsaErrorNames() {
        assertThat(WsaError.name(10022)).isEqualTo("WSAEINVAL");
        assertThat(WsaError.name(10024)).isEqualTo("WSAEMFILE");
        assertThat(WsaError.name(10041)).isEqualTo("WSAEPROTOTYPE");
    }
}
