/*
 * AddressStringTest: WSPAddressToString / WSPStringToAddress of the base provider (IPv4 and IPv6 with ports, RFC
 * 5952 text), their WSA errors (WSAEFAULT for short buffers with the needed length reported, WSAEINVAL for
 * unparsable text or an unsupported family, WSANOTINITIALISED), and the sockaddr byte layouts.
 */
package io.ustack.spi;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.Random;

import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

class AddressStringTest {
    private final SpiFixture f = new SpiFixture();

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private String toText(byte[] sa) {
        char[] buf = new char[80];
        IntRef len = new IntRef(buf.length);
        assertThat(f.provider.wspAddressToString(sa, sa.length, null, buf, len, f.errno)).as("%s", f.errno).isZero();
        assertThat(buf[len.get() - 1]).as("NUL terminated").isEqualTo('\0');
        return new String(buf, 0, len.get() - 1);
    }

    private byte[] parse(String text, int family) {
        byte[] sa = new byte[28];
        IntRef len = new IntRef(sa.length);
        assertThat(f.provider.wspStringToAddress(text, family, null, sa, len, f.errno)).as("%s: %s", text, f.errno)
                .isZero();
        return java.util.Arrays.copyOf(sa, len.get());
    }

    private void assertUnparsable(String text, int family) {
        byte[] sa = new byte[28];
        IntRef len = new IntRef(sa.length);
        assertThat(f.provider.wspStringToAddress(text, family, null, sa, len, f.errno)).as(text)
                .isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).as(text).isEqualTo(WSAEINVAL);
    }

    @Test
    void sockaddrIn_layoutIsWinsockMemoryLayout() {
        // family 2 little-endian, port 80 big-endian, 1.2.3.4, 8 zero bytes.
        assertThat(SockAddr.inet4(0x01020304, 80)).isEqualTo(hex("0200 0050 01020304 0000000000000000"));
        byte[] a6 = hex("20010db8000000000000000000000001");
        assertThat(SockAddr.inet6(a6, 443, 4))
                .isEqualTo(hex("1700 01bb 00000000 20010db8000000000000000000000001 04000000"));
    }

    @Test
    void wspAddressToString_ipv4WithPort() {
        assertThat(toText(SockAddr.inet4(0x01020304, 80))).isEqualTo("1.2.3.4:80");
        assertThat(toText(SockAddr.inet4(0xffffffff, 65535))).isEqualTo("255.255.255.255:65535");
    }

    @Test
    void wspAddressToString_ipv4WithoutPortWhenPortZero() {
        assertThat(toText(SockAddr.inet4(0x7f000001, 0))).isEqualTo("127.0.0.1");
        assertThat(toText(SockAddr.inet4(0, 0))).isEqualTo("0.0.0.0");
    }

    @Test
    void wspAddressToString_ipv6WithPortInBrackets() {
        assertThat(toText(SockAddr.inet6(hex("00000000000000000000000000000001"), 80, 0))).isEqualTo("[::1]:80");
        assertThat(toText(SockAddr.inet6(hex("fe800000000000000000000000000001"), 8080, 4)))
                .isEqualTo("[fe80::1%4]:8080");
    }

    @Test
    void wspAddressToString_ipv6Rfc5952Canonical() {
        assertThat(toText(SockAddr.inet6(hex("00000000000000000000000000000000"), 0, 0))).isEqualTo("::");
        assertThat(toText(SockAddr.inet6(hex("20010db8000000000000000000000001"), 0, 0))).isEqualTo("2001:db8::1");
        // Section 4.2.2: a single zero group is not shortened.
        assertThat(toText(SockAddr.inet6(hex("20010db8000000010001000100010001"), 0, 0)))
                .isEqualTo("2001:db8:0:1:1:1:1:1");
        // Section 4.2.3: the longest run; the first of equal runs.
        assertThat(toText(SockAddr.inet6(hex("20010db8000000000001000000000001"), 0, 0)))
                .isEqualTo("2001:db8::1:0:0:1");
        assertThat(toText(SockAddr.inet6(hex("20010000000000010000000000000001"), 0, 0)))
                .isEqualTo("2001:0:0:1::1");
        // Section 4.3: lowercase; 4.1: no leading zeros.
        assertThat(toText(SockAddr.inet6(hex("20010DB800AB0CDE0000000000000000"), 0, 0)))
                .isEqualTo("2001:db8:ab:cde::");
        // Section 5: IPv4-mapped in mixed notation.
        assertThat(toText(SockAddr.inet6(hex("00000000000000000000ffffc0000201"), 0, 0)))
                .isEqualTo("::ffff:192.0.2.1");
    }

    @Test
    void wspAddressToString_WSAEFAULT_whenStringBufferTooSmall() {
        byte[] sa = SockAddr.inet4(0x01020304, 80);
        char[] buf = new char[10];
        IntRef len = new IntRef(10); // "1.2.3.4:80" needs 10 + NUL
        assertThat(f.provider.wspAddressToString(sa, sa.length, null, buf, len, f.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(len.get()).as("needed length, with NUL").isEqualTo(11);
        assertThat(f.provider.wspAddressToString(sa, sa.length, null, null, new IntRef(100), f.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSAEFAULT);
        char[] big = new char[11];
        IntRef ok = new IntRef(11);
        assertThat(f.provider.wspAddressToString(sa, sa.length, null, big, ok, f.errno)).isZero();
        assertThat(ok.get()).isEqualTo(11);
    }

    @Test
    void wspAddressToString_WSAEFAULT_whenAddressLengthTooSmall() {
        byte[] sa = SockAddr.inet6(new byte[16], 1, 0);
        IntRef len = new IntRef(80);
        assertThat(f.provider.wspAddressToString(sa, 16, null, new char[80], len, f.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(f.provider.wspAddressToString(sa, 1, null, new char[80], len, f.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(f.provider.wspAddressToString(sa, 40, null, new char[80], len, f.errno)).as("beyond the array")
                .isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSAEFAULT);
    }

    @Test
    void wspAddressToString_WSAEINVAL_forUnsupportedFamilyOrMismatchedInfo() {
        byte[] sa = SockAddr.inet4(0x01020304, 80);
        sa[0] = AF_UNIX;
        IntRef len = new IntRef(80);
        assertThat(f.provider.wspAddressToString(sa, sa.length, null, new char[80], len, f.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
        byte[] v4 = SockAddr.inet4(0x01020304, 80);
        assertThat(f.provider.wspAddressToString(v4, v4.length, f.tcp6(), new char[80], len, f.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
        assertThat(f.provider.wspAddressToString(v4, v4.length, f.tcp4(), new char[80], len, f.errno)).isZero();
    }

    @Test
    void wspAddressToString_WSANOTINITIALISED_withoutStartup() {
        SpiFixture cold = new SpiFixture(4, 1 << 20, false);
        byte[] sa = SockAddr.inet4(1, 1);
        assertThat(cold.provider.wspAddressToString(sa, 16, null, new char[40], new IntRef(40), cold.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(cold.errno.get()).isEqualTo(WSANOTINITIALISED);
    }

    @Test
    void wspStringToAddress_ipv4WithAndWithoutPort() {
        assertThat(parse("1.2.3.4:80", AF_INET)).isEqualTo(SockAddr.inet4(0x01020304, 80));
        assertThat(parse("10.0.0.255", AF_INET)).isEqualTo(SockAddr.inet4(0x0a0000ff, 0));
        assertThat(parse("0.0.0.0:65535", AF_INET)).isEqualTo(SockAddr.inet4(0, 65535));
    }

    @Test
    void wspStringToAddress_ipv6Forms() {
        assertThat(parse("[::1]:80", AF_INET6)).isEqualTo(SockAddr.inet6(hex("00000000000000000000000000000001"),
                80, 0));
        assertThat(parse("::1", AF_INET6)).isEqualTo(SockAddr.inet6(hex("00000000000000000000000000000001"), 0, 0));
        assertThat(parse("[::1]", AF_INET6)).isEqualTo(parse("::1", AF_INET6));
        assertThat(parse("::", AF_INET6)).isEqualTo(SockAddr.inet6(new byte[16], 0, 0));
        assertThat(parse("2001:DB8:0:0:8:800:200C:417A", AF_INET6))
                .isEqualTo(SockAddr.inet6(hex("20010db80000000000080800200c417a"), 0, 0));
        assertThat(parse("ff01::101", AF_INET6)).isEqualTo(SockAddr.inet6(hex("ff010000000000000000000000000101"),
                0, 0));
        assertThat(parse("1::", AF_INET6)).isEqualTo(SockAddr.inet6(hex("00010000000000000000000000000000"), 0, 0));
        assertThat(parse("::ffff:129.144.52.38", AF_INET6))
                .isEqualTo(SockAddr.inet6(hex("00000000000000000000ffff81903426"), 0, 0));
        assertThat(parse("0:0:0:0:0:0:13.1.68.3", AF_INET6))
                .isEqualTo(SockAddr.inet6(hex("0000000000000000000000000d014403"), 0, 0));
        assertThat(parse("[fe80::1%4]:8080", AF_INET6)).isEqualTo(SockAddr.inet6(
                hex("fe800000000000000000000000000001"), 8080, 4));
        assertThat(parse("fe80::1%4294967295", AF_INET6)).isEqualTo(SockAddr.inet6(
                hex("fe800000000000000000000000000001"), 0, -1));
    }

    @Test
    void wspStringToAddress_WSAEINVAL_forUnparsableText() {
        for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4:", "1.2.3.4:65536",
                "1.2.3.4:-1", "01.2.3.4", "1..2.3", "a.b.c.d", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4:80:1", "::1",
                "1.2.3.4:0x50"}) {
            assertUnparsable(bad, AF_INET);
        }
        for (String bad : new String[] {"", ":", ":::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", "12345::",
                "g::1", "[::1", "[::1]80", "[::1]:", "[::1]:65536", "::1]", ":1::", "1::2:", "::1%", "::1%x",
                "::1.2.3", "::1.2.3.4.5", "1:2:3:4:5:6:7:1.2.3.4", "1.2.3.4", "::ffff:256.0.0.1", "[1.2.3.4]:80",
                "::1%99999999999"}) {
            assertUnparsable(bad, AF_INET6);
        }
    }

    @Test
    void wspStringToAddress_WSAEFAULT_whenAddressBufferTooSmall() {
        IntRef len = new IntRef(16);
        assertThat(f.provider.wspStringToAddress("::1", AF_INET6, null, new byte[16], len, f.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(len.get()).as("needed length").isEqualTo(28);
        IntRef len4 = new IntRef(15);
        assertThat(f.provider.wspStringToAddress("1.2.3.4", AF_INET, null, new byte[16], len4, f.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSAEFAULT);
        assertThat(len4.get()).isEqualTo(16);
        assertThat(f.provider.wspStringToAddress(null, AF_INET, null, new byte[16], new IntRef(16), f.errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSAEFAULT);
    }

    @Test
    void wspStringToAddress_WSAEINVAL_forUnsupportedFamilyOrMismatchedInfo() {
        for (int family : new int[] {AF_UNSPEC, AF_UNIX, FROM_PROTOCOL_INFO, 99}) {
            assertThat(f.provider.wspStringToAddress("1.2.3.4", family, null, new byte[28], new IntRef(28),
                    f.errno)).isEqualTo(SOCKET_ERROR);
            assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
        }
        assertThat(f.provider.wspStringToAddress("1.2.3.4", AF_INET, f.udp6(), new byte[28], new IntRef(28),
                f.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspStringToAddress_WSANOTINITIALISED_withoutStartup() {
        SpiFixture cold = new SpiFixture(4, 1 << 20, false);
        assertThat(cold.provider.wspStringToAddress("1.2.3.4", AF_INET, null, new byte[16], new IntRef(16),
                cold.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(cold.errno.get()).isEqualTo(WSANOTINITIALISED);
    }

    @Test
    void addressText_roundTripsRandomAddresses() {
        Random rnd = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] a = new byte[16];
            rnd.nextBytes(a);
            for (int j = 0; j < 16; j += 2) { // many zero groups, so "::" placement gets exercised
                if (rnd.nextInt(3) == 0) {
                    a[j] = 0;
                    a[j + 1] = 0;
                }
            }
            byte[] sa6 = SockAddr.inet6(a, rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(65536), rnd.nextInt(3) == 0 ? 0
                    : rnd.nextInt(1000));
            assertThat(parse(toText(sa6), AF_INET6)).as(toText(sa6)).isEqualTo(sa6);
            byte[] sa4 = SockAddr.inet4(rnd.nextInt(), rnd.nextInt(65536));
            assertThat(parse(toText(sa4), AF_INET)).as(toText(sa4)).isEqualTo(sa4);
        }
    }
}
