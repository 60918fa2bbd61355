/*
 * AddressTest: MacAddress and Ipv4Address helpers (formatting, parsing, special ranges, byte order).
 */
package io.ustack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressTest extends BufferTest {

    @Test
    void macGetSetIsBigEndian() {
        ByteBuf b = hex("aa 02 00 00 00 00 01 bb");
        assertThat(MacAddress.get(b, 1)).isEqualTo(0x0200_0000_0001L);
        MacAddress.set(b, 1, 0xfedc_ba98_7654L | 0xffff_0000_0000_0000L); // high bits ignored
        assertThat(copy(b, 0, 8)).isEqualTo(bytes("aa fe dc ba 98 76 54 bb"));
    }

    @Test
    void macFormatsAndParses() {
        assertThat(MacAddress.toString(0x0200_0000_0001L)).isEqualTo("02:00:00:00:00:01");
        assertThat(MacAddress.toString(MacAddress.BROADCAST)).isEqualTo("ff:ff:ff:ff:ff:ff");
        assertThat(MacAddress.parse("02:00:00:00:00:01")).isEqualTo(0x0200_0000_0001L);
        assertThat(MacAddress.parse("AA-bb-CC-dd-EE-0f")).isEqualTo(0xaabb_ccdd_ee0fL);
        assertThatThrownBy(() -> MacAddress.parse("02:00:00:00:00")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MacAddress.parse("02:00:00:00:00:0g")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MacAddress.parse("02:00:00:00:00.01x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void macMulticastAndRandom() {
        assertThat(MacAddress.isMulticast(MacAddress.BROADCAST)).isTrue();
        assertThat(MacAddress.isMulticast(MacAddress.parse("01:00:5e:00:00:01"))).isTrue();
        assertThat(MacAddress.isMulticast(MacAddress.parse("02:00:00:00:00:01"))).isFalse();
        for (int i = 0; i < 50; i++) {
            long m = MacAddress.random();
            assertThat(m >>> 48).isZero();
            assertThat(MacAddress.isMulticast(m)).isFalse();
            assertThat(MacAddress.isLocallyAdministered(m)).isTrue();
        }
        assertThat(MacAddress.random()).isNotEqualTo(MacAddress.random());
    }

    @Test
    void ipv4ParsesAndFormats() {
        assertThat(Ipv4Address.parse("10.0.0.1")).isEqualTo(0x0a00_0001);
        assertThat(Ipv4Address.parse("255.255.255.255")).isEqualTo(-1);
        assertThat(Ipv4Address.parse("0.0.0.0")).isZero();
        assertThat(Ipv4Address.toString(0xc0a8_01fe)).isEqualTo("192.168.1.254");
        assertThat(Ipv4Address.toString(-1)).isEqualTo("255.255.255.255");
        for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.4.", ".1.2.3",
            "a.b.c.d", "1.2.3.4 ", "1.2.3.0004", "-1.2.3.4"}) {
            assertThatThrownBy(() -> Ipv4Address.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv4");
        }
        assertThatThrownBy(() -> Ipv4Address.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ipv4Classes() {
        assertThat(Ipv4Address.isMulticast(Ipv4Address.parse("224.0.0.1"))).isTrue();
        assertThat(Ipv4Address.isMulticast(Ipv4Address.parse("239.255.255.255"))).isTrue();
        assertThat(Ipv4Address.isMulticast(Ipv4Address.parse("240.0.0.0"))).isFalse();
        assertThat(Ipv4Address.isMulticast(Ipv4Address.parse("223.255.255.255"))).isFalse();
        assertThat(Ipv4Address.isBroadcast(-1)).isTrue();
        assertThat(Ipv4Address.isBroadcast(Ipv4Address.parse("10.0.0.255"))).isFalse();
        assertThat(Ipv4Address.isLoopback(Ipv4Address.parse("127.1.2.3"))).isTrue();
    }

    @Test
    void prefixMasks() {
        assertThat(Ipv4Address.prefixMask(0)).isZero();
        assertThat(Ipv4Address.prefixMask(8)).isEqualTo(0xff00_0000);
        assertThat(Ipv4Address.prefixMask(24)).isEqualTo(0xffff_ff00);
        assertThat(Ipv4Address.prefixMask(31)).isEqualTo(0xffff_fffe);
        assertThat(Ipv4Address.prefixMask(32)).isEqualTo(-1);
        assertThatThrownBy(() -> Ipv4Address.prefixMask(33)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4Address.prefixMask(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void inetAddressConversion() throws Exception {
        assertThat(Ipv4Address.fromInetAddress(InetAddress.getByName("192.0.2.200"))).isEqualTo(0xc000_02c8);
        assertThat(Ipv4Address.toInetAddress(0xc000_02c8).getHostAddress()).isEqualTo("192.0.2.200");
        assertThatThrownBy(() -> Ipv4Address.fromInetAddress(InetAddress.getByName("::1")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
