/*
 * PolicyLayerTest: the policy layer: allow/deny by protocol at WSPSocket (refusing with the rule's WSA error and
 * creating nothing below), first match wins, defaults, and endpoint rules by address prefix and port evaluated by
 * checkEndpoint (the check bind/connect/sendto will run).
 */
package io.ustack.spi;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyLayerTest {
    private final SpiFixture f = new SpiFixture(64, 1L << 30, false);
    private final ProtocolInfo layerEntry = f.catalog.registerLayer("policy", UUID.randomUUID());
    private final ProtocolInfo tcp = f.catalog.registerChain("policy TCP", List.of(layerEntry), f.tcp4());
    private final ProtocolInfo udp = f.catalog.registerChain("policy UDP", List.of(layerEntry), f.udp4());
    private final ProtocolInfo raw = f.catalog.registerChain("policy RAW", List.of(layerEntry), f.raw4());
    private final ProtocolInfo tcp6 = f.catalog.registerChain("policy TCP6", List.of(layerEntry), f.tcp6());
    private final ErrnoRef errno = new ErrnoRef();

    private PolicyLayer layer(List<PolicyRule> rules, boolean defaultAllow) {
        PolicyLayer p = new PolicyLayer(f.catalog, layerEntry, f.provider, 64, rules, defaultAllow, WSAEACCES);
        assertThat(p.wspStartup(WINSOCK_VERSION_2_2, new WspData(), tcp)).isZero();
        return p;
    }

    private static byte[] v4(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    @Test
    void policy_denyByProtocolRefusesSocketWithWSAEACCES() {
        PolicyLayer p = layer(List.of(PolicyRule.deny().withProtocol(IPPROTO_UDP)), true);
        assertThat(p.wspSocket(0, 0, 0, udp, 0, 0, errno)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEACCES);
        assertThat(p.wspSocket(AF_INET, SOCK_DGRAM, 0, null, 0, 0, errno)).as("protocol 0 resolves to UDP")
                .isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEACCES);
        assertThat(f.backend.openSockets()).as("nothing created below").isZero();
        assertThat(p.wspSocket(0, 0, 0, tcp, 0, 0, errno)).isPositive();
    }

    @Test
    void policy_denyRefusesWithTheRulesOwnError() {
        PolicyLayer p = layer(List.of(PolicyRule.deny().withType(SOCK_RAW).withError(WSAEPROTONOSUPPORT)), true);
        assertThat(p.wspSocket(AF_INET, SOCK_RAW, IPPROTO_ICMP, raw, 0, 0, errno)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEPROTONOSUPPORT);
    }

    @Test
    void policy_firstMatchingRuleWins() {
        PolicyLayer p = layer(List.of(
                PolicyRule.allow().withType(SOCK_RAW).withProtocol(IPPROTO_ICMP),
                PolicyRule.deny().withType(SOCK_RAW)), true);
        assertThat(p.wspSocket(AF_INET, SOCK_RAW, IPPROTO_ICMP, raw, 0, 0, errno)).isPositive();
        assertThat(p.wspSocket(AF_INET, SOCK_RAW, IPPROTO_UDP, raw, 0, 0, errno)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEACCES);
    }

    @Test
    void policy_defaultDenyAllowsOnlyListed() {
        PolicyLayer p = layer(List.of(PolicyRule.allow().withFamily(AF_INET6).withProtocol(IPPROTO_TCP)), false);
        assertThat(p.wspSocket(0, 0, 0, tcp6, 0, 0, errno)).isPositive();
        assertThat(p.wspSocket(0, 0, 0, tcp, 0, 0, errno)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEACCES);
    }

    @Test
    void policy_argumentErrorsComeBeforePolicy() {
        PolicyLayer p = layer(List.of(PolicyRule.deny()), true);
        assertThat(p.wspSocket(AF_INET6, SOCK_STREAM, 0, tcp, 0, 0, errno)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEAFNOSUPPORT);
        assertThat(p.wspSocket(0, 0, 0, tcp, 0, 0, errno)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEACCES);
    }

    @Test
    void policy_endpointRulesDoNotDecideSocketCreation() {
        PolicyLayer p = layer(List.of(PolicyRule.deny().withPorts(25, 25)), true);
        assertThat(p.wspSocket(0, 0, 0, tcp, 0, 0, errno)).as("needs an endpoint to apply").isPositive();
    }

    @Test
    void checkEndpoint_denyByPortRange() {
        PolicyLayer p = layer(List.of(PolicyRule.deny().withProtocol(IPPROTO_TCP).withPorts(25, 26)), true);
        int s = p.wspSocket(0, 0, 0, tcp, 0, 0, errno);
        assertThat(p.checkEndpoint(s, SockAddr.inet4(0x01020304, 25), 16)).isEqualTo(WSAEACCES);
        assertThat(p.checkEndpoint(s, SockAddr.inet4(0x01020304, 26), 16)).isEqualTo(WSAEACCES);
        assertThat(p.checkEndpoint(s, SockAddr.inet4(0x01020304, 24), 16)).isEqualTo(NO_ERROR);
        assertThat(p.checkEndpoint(s, SockAddr.inet4(0x01020304, 27), 16)).isEqualTo(NO_ERROR);
        int u = p.wspSocket(0, 0, 0, udp, 0, 0, errno);
        assertThat(p.checkEndpoint(u, SockAddr.inet4(0x01020304, 25), 16)).as("UDP not covered").isEqualTo(0);
    }

    @Test
    void checkEndpoint_denyByIpv4Prefix() {
        PolicyLayer p = layer(List.of(
                PolicyRule.allow().withPrefix(v4(10, 1, 0, 0), 16),
                PolicyRule.deny().withPrefix(v4(10, 0, 0, 0), 8).withError(WSAENETUNREACH),
                PolicyRule.deny().withPrefix(v4(172, 16, 0, 0), 12)), true);
        int s = p.wspSocket(0, 0, 0, udp, 0, 0, errno);
        assertThat(p.checkEndpoint(s, SockAddr.inet4(v4(10, 2, 3, 4), 53), 16)).isEqualTo(WSAENETUNREACH);
        assertThat(p.checkEndpoint(s, SockAddr.inet4(v4(10, 1, 200, 4), 53), 16)).isEqualTo(NO_ERROR);
        assertThat(p.checkEndpoint(s, SockAddr.inet4(v4(11, 0, 0, 1), 53), 16)).isEqualTo(NO_ERROR);
        assertThat(p.checkEndpoint(s, SockAddr.inet4(v4(172, 31, 255, 255), 1), 16)).isEqualTo(WSAEACCES);
        assertThat(p.checkEndpoint(s, SockAddr.inet4(v4(172, 32, 0, 0), 1), 16)).as("outside /12").isEqualTo(0);
    }

    @Test
    void checkEndpoint_denyByIpv6Prefix() {
        byte[] docPrefix = java.util.HexFormat.of().parseHex("20010db8000000000000000000000000");
        PolicyLayer p = layer(List.of(PolicyRule.deny().withPrefix(docPrefix, 32)), true);
        int s = p.wspSocket(0, 0, 0, tcp6, 0, 0, errno);
        byte[] in = java.util.HexFormat.of().parseHex("20010db8ffff00000000000000000001");
        byte[] out = java.util.HexFormat.of().parseHex("20010db9000000000000000000000001");
        assertThat(p.checkEndpoint(s, SockAddr.inet6(in, 443, 0), 28)).isEqualTo(WSAEACCES);
        assertThat(p.checkEndpoint(s, SockAddr.inet6(out, 443, 0), 28)).isEqualTo(NO_ERROR);
    }

    @Test
    void checkEndpoint_errors() {
        PolicyLayer p = layer(List.of(), true);
        int s = p.wspSocket(0, 0, 0, tcp, 0, 0, errno);
        assertThat(p.checkEndpoint(s + 1, SockAddr.inet4(1, 1), 16)).isEqualTo(WSAENOTSOCK);
        assertThat(p.checkEndpoint(s, SockAddr.inet4(1, 1), 8)).isEqualTo(WSAEFAULT);
        assertThat(p.checkEndpoint(s, null, 16)).isEqualTo(WSAEFAULT);
        assertThat(p.checkEndpoint(s, SockAddr.inet6(new byte[16], 1, 0), 28)).isEqualTo(WSAEAFNOSUPPORT);
    }

    @Test
    void policyRule_validatesItsFields() {
        assertThatThrownBy(() -> PolicyRule.deny().withPrefix(new byte[5], 8))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PolicyRule.deny().withPrefix(new byte[4], 33))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PolicyRule.deny().withPorts(10, 9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PolicyRule.deny().withPorts(0, 65536)).isInstanceOf(IllegalArgumentException.class);
        byte[] prefix = v4(10, 0, 0, 0);
        PolicyRule r = PolicyRule.deny().withPrefix(prefix, 8);
        prefix[0] = 11;
        assertThat(r.prefix()[0]).as("defensive copy").isEqualTo((byte) 10);
        assertThat(r).isEqualTo(PolicyRule.deny().withPrefix(v4(10, 0, 0, 0), 8));
    }
}
