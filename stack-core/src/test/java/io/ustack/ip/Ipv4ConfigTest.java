package io.ustack.ip;

import io.ustack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Ipv4ConfigTest {
    static int ip(String s) {
        return Ipv4Address.parse(s);
    }

    @Test
    void parsesCidrAndGateway() {
        Ipv4Config c = Ipv4Config.parse("192.168.7.20/24", "192.168.7.1");
        assertThat(c.address()).isEqualTo(ip("192.168.7.20"));
        assertThat(c.prefixLength()).isEqualTo(24);
        assertThat(c.gateway()).isEqualTo(ip("192.168.7.1"));
        assertThat(c.toString()).isEqualTo("192.168.7.20/24 via 192.168.7.1");
    }

    @Test
    void nextHopIsTheDestinationOnLinkElseTheGateway() {
        Ipv4Config c = Ipv4Config.parse("10.1.2.3/16", "10.1.0.1");
        assertThat(c.nextHop(ip("10.1.200.9"))).isEqualTo(ip("10.1.200.9"));
        assertThat(c.nextHop(ip("10.2.0.1"))).isEqualTo(ip("10.1.0.1"));
        Ipv4Config noGw = Ipv4Config.parse("10.1.2.3/16", null);
        assertThat(noGw.nextHop(ip("10.2.0.1"))).isZero();
    }

    @Test
    void acceptsOwnAddressAndBroadcastsOnly() {
        Ipv4Config c = Ipv4Config.parse("10.1.2.3/24", "");
        assertThat(c.accepts(ip("10.1.2.3"))).isTrue();
        assertThat(c.accepts(ip("10.1.2.255"))).isTrue();
        assertThat(c.accepts(ip("255.255.255.255"))).isTrue();
        assertThat(c.accepts(ip("10.1.2.4"))).isFalse();
        Ipv4Config p31 = Ipv4Config.parse("10.1.2.3/31", "");
        assertThat(p31.subnetBroadcast()).isZero();
    }

    @Test
    void rejectsBadInputWithClearMessages() {
        assertThatThrownBy(() -> Ipv4Config.parse("10.0.0.1", null)).hasMessageContaining("A.B.C.D/N");
        assertThatThrownBy(() -> Ipv4Config.parse("10.0.0.1/33", null)).hasMessageContaining("0..32");
        assertThatThrownBy(() -> Ipv4Config.parse("10.0.0.1/x", null)).hasMessageContaining("prefix");
        assertThatThrownBy(() -> Ipv4Config.parse("10.0.0.1/24", "10.0.1.1")).hasMessageContaining("not on the subnet");
        assertThatThrownBy(() -> Ipv4Config.parse("224.0.0.1/24", null)).hasMessageContaining("unicast");
    }
}
