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

    @Test
    void reassemblyLimitsDefaultLikeLinuxAndAreReplaceable() {
        Ipv4Config c = Ipv4Config.parse("10.1.2.3/24", "10.1.2.1");
        assertThat(c.reassembly()).isEqualTo(ReassemblyConfig.DEFAULT);
        assertThat(c.reassembly().maxDatagrams()).isEqualTo(64);
        assertThat(c.reassembly().maxBytes()).isEqualTo(4L << 20);
        assertThat(c.reassembly().timeoutNanos()).isEqualTo(30_000_000_000L);
        ReassemblyConfig small = new ReassemblyConfig(4, 100_000, 5_000_000_000L);
        Ipv4Config d = c.withReassembly(small);
        assertThat(d.reassembly()).isEqualTo(small);
        assertThat(d.address()).isEqualTo(c.address());
        assertThat(d.gateway()).isEqualTo(c.gateway());
        assertThat(ReassemblyConfig.OFF.enabled()).isFalse();
        assertThat(small.enabled()).isTrue();
        assertThatThrownBy(() -> new ReassemblyConfig(-1, 1, 1)).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> new ReassemblyConfig(1, 1, 0)).hasMessageContaining("timeout positive");
        assertThatThrownBy(() -> c.withReassembly(null)).hasMessageContaining("ReassemblyConfig.DEFAULT");
    }

    @Test
    void theStackBuilderKeepsReassemblyLimitsWhenTheGatewayIsSet() {
        ReassemblyConfig small = new ReassemblyConfig(4, 100_000, 5_000_000_000L);
        io.ustack.link.InMemoryLink[] pair = io.ustack.link.InMemoryLink.pair(1500);
        try (io.ustack.api.Stack s = io.ustack.api.Stack.builder(pair[0])
                .ipv4(Ipv4Config.parse("10.1.2.3/24", null).withReassembly(small)).gateway("10.1.2.1").build()) {
            assertThat(s.ipv4().reassembly()).isEqualTo(small);
            assertThat(s.ipv4().gateway()).isEqualTo(ip("10.1.2.1"));
        } finally {
            pair[1].close();
        }
    }
}
