/*
 * ProtocolCatalogTest: the catalog's base entries and their WSAPROTOCOL_INFO fields, registration of extra base,
 * layered and chain entries, immutability, and the selection rules with their error order.
 */
package io.ustack.spi;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.ustack.spi.ServiceFlags.*;
import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProtocolCatalogTest {
    private final ProtocolCatalog catalog = new ProtocolCatalog();
    private final ErrnoRef errno = new ErrnoRef();

    private ProtocolInfo named(String name) {
        return catalog.entries().stream().filter(e -> e.protocolName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void baseEntries_tcpUdpRawForBothFamiliesAndMulticastUdp() {
        assertThat(catalog.baseEntries()).extracting(e -> e.addressFamily() + "/" + e.socketType() + "/"
                + e.protocol()).containsExactly("2/1/6", "2/2/17", "2/3/0", "23/1/6", "23/2/17", "23/3/0", "2/2/17",
                "23/2/17");
        assertThat(catalog.baseEntries()).allSatisfy(e -> {
            assertThat(e.isBase()).isTrue();
            assertThat(e.protocolChain().length()).isEqualTo(BASE_PROTOCOL);
            assertThat(e.protocolChain().entry(0)).isEqualTo(e.catalogEntryId());
            assertThat(e.providerId()).isEqualTo(ProtocolCatalog.BASE_PROVIDER_ID);
            assertThat(e.version()).isEqualTo(2);
            assertThat(e.networkByteOrder()).isEqualTo(BIGENDIAN);
            assertThat(e.shareToken()).isNull();
            assertThat(e.hasService(XP1_IFS_HANDLES)).isFalse();
        });
        assertThat(catalog.baseEntries()).extracting(ProtocolInfo::catalogEntryId)
                .containsExactly(1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008);
    }

    @Test
    void tcpEntry_streamServiceFlags() {
        ProtocolInfo tcp = named("ustack TCP/IP");
        assertThat(tcp.hasService(XP1_GUARANTEED_DELIVERY | XP1_GUARANTEED_ORDER | XP1_GRACEFUL_CLOSE)).isTrue();
        assertThat(tcp.hasService(XP1_CONNECTIONLESS)).isFalse();
        assertThat(tcp.hasService(XP1_MESSAGE_ORIENTED)).isFalse();
        assertThat(tcp.messageSize()).isEqualTo(MESSAGE_SIZE_STREAM);
        assertThat(tcp.maxSockAddr()).isEqualTo(16);
        assertThat(named("ustack TCP/IPv6").minSockAddr()).isEqualTo(28);
        assertThat(tcp.matchesProtocolZero()).isTrue();
    }

    @Test
    void udpEntries_datagramServiceFlagsAndMessageSize() {
        ProtocolInfo udp = named("ustack UDP/IP");
        assertThat(udp.hasService(XP1_CONNECTIONLESS | XP1_MESSAGE_ORIENTED | XP1_SUPPORT_BROADCAST)).isTrue();
        assertThat(udp.hasService(XP1_GUARANTEED_DELIVERY)).isFalse();
        assertThat(udp.hasService(XP1_SUPPORT_MULTIPOINT)).isFalse();
        assertThat(udp.messageSize()).isEqualTo(65535 - 20 - 8);
        assertThat(named("ustack UDP/IPv6").messageSize()).isEqualTo(65535 - 8);
        assertThat(udp.hasProviderFlag(PFL_RECOMMENDED_PROTO_ENTRY | PFL_MULTIPLE_PROTO_ENTRIES)).isTrue();
    }

    @Test
    void multicastEntry_multipointWithNonRootedPlanes() {
        ProtocolInfo m = named("ustack UDP/IP multicast");
        assertThat(m.hasService(XP1_SUPPORT_MULTIPOINT)).isTrue();
        assertThat(m.hasService(XP1_MULTIPOINT_CONTROL_PLANE)).as("control plane not rooted").isFalse();
        assertThat(m.hasService(XP1_MULTIPOINT_DATA_PLANE)).as("data plane not rooted").isFalse();
        assertThat(m.hasProviderFlag(PFL_MATCHES_PROTOCOL_ZERO)).isFalse();
    }

    @Test
    void rawEntries_acceptEveryIpProtocol() {
        ProtocolInfo raw = named("ustack RAW/IP");
        assertThat(raw.protocolMaxOffset()).isEqualTo(255);
        assertThat(raw.acceptsProtocol(0)).isTrue();
        assertThat(raw.acceptsProtocol(IPPROTO_ICMP)).isTrue();
        assertThat(raw.acceptsProtocol(255)).isTrue();
        assertThat(raw.acceptsProtocol(256)).isFalse();
        assertThat(raw.acceptsProtocol(-1)).isFalse();
    }

    @Test
    void entries_areImmutable() {
        assertThatThrownBy(() -> catalog.entries().clear()).isInstanceOf(UnsupportedOperationException.class);
        List<ProtocolInfo> before = catalog.entries();
        catalog.registerBase("extra", AF_INET, SOCK_DGRAM, 99, 0, XP1_CONNECTIONLESS, 0, 1000);
        assertThat(before).hasSize(8);
        assertThat(catalog.entries()).hasSize(9);
        assertThatThrownBy(() -> ProtocolChain.of(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProtocolChain.of(1, 2, 3, 4, 5, 6, 7, 8)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void register_layerAndChainEntries() {
        UUID layerId = UUID.randomUUID();
        ProtocolInfo layer = catalog.registerLayer("my layer", layerId);
        assertThat(layer.isLayered()).isTrue();
        assertThat(layer.protocolChain().length()).isEqualTo(LAYERED_PROTOCOL);
        ProtocolInfo tcp = named("ustack TCP/IP");
        ProtocolInfo chain = catalog.registerChain("my layer over TCP", List.of(layer), tcp);
        assertThat(chain.isChain()).isTrue();
        assertThat(chain.protocolChain()).isEqualTo(ProtocolChain.of(layer.catalogEntryId(), tcp.catalogEntryId()));
        assertThat(chain.providerId()).isEqualTo(layerId);
        assertThat(chain.serviceFlags1()).isEqualTo(tcp.serviceFlags1());
        assertThat(chain.socketType()).isEqualTo(SOCK_STREAM);
        assertThat(catalog.entry(chain.catalogEntryId())).isSameAs(chain);
        assertThat(catalog.baseEntries()).doesNotContain(chain, layer);
        assertThatThrownBy(() -> catalog.registerChain("bad", List.of(tcp), tcp))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void register_rootedMultipointEntryForTests() {
        ProtocolInfo rooted = catalog.registerBase("rooted", AF_INET, SOCK_DGRAM, 113, 0,
                XP1_SUPPORT_MULTIPOINT | XP1_MULTIPOINT_CONTROL_PLANE | XP1_MULTIPOINT_DATA_PLANE, 0, 1000);
        assertThat(rooted.catalogEntryId()).isEqualTo(1009);
        assertThat(ProtocolCatalog.isOwnBase(rooted)).isTrue();
        assertThat(catalog.select(AF_INET, SOCK_DGRAM, 113, ProtocolCatalog::isOwnBase, errno)).isSameAs(rooted);
    }

    @Test
    void select_wildcardsAndDefaults() {
        assertThat(catalog.select(0, 0, 0, e -> true, errno)).isSameAs(named("ustack TCP/IP"));
        assertThat(catalog.select(AF_INET6, 0, 0, e -> true, errno)).isSameAs(named("ustack TCP/IPv6"));
        assertThat(catalog.select(0, SOCK_DGRAM, 0, e -> true, errno)).isSameAs(named("ustack UDP/IP"));
        assertThat(catalog.select(AF_INET6, SOCK_RAW, 58, e -> true, errno)).isSameAs(named("ustack RAW/IPv6"));
        assertThat(catalog.select(0, 0, IPPROTO_UDP, e -> true, errno)).isSameAs(named("ustack UDP/IP"));
    }

    @Test
    void select_errorsInDocumentedOrder() {
        assertThat(catalog.select(AF_UNIX, 77, 999, e -> true, errno)).isNull();
        assertThat(errno.get()).isEqualTo(WSAEAFNOSUPPORT);
        assertThat(catalog.select(AF_INET, 77, 999, e -> true, errno)).isNull();
        assertThat(errno.get()).isEqualTo(WSAESOCKTNOSUPPORT);
        assertThat(catalog.select(0, 77, 0, e -> true, errno)).isNull();
        assertThat(errno.get()).isEqualTo(WSAESOCKTNOSUPPORT);
        assertThat(catalog.select(AF_INET, SOCK_STREAM, 999, e -> true, errno)).isNull();
        assertThat(errno.get()).isEqualTo(WSAEPROTONOSUPPORT);
        assertThat(catalog.select(AF_INET, SOCK_STREAM, IPPROTO_ICMP, e -> true, errno)).isNull();
        assertThat(errno.get()).as("ICMP exists, as raw").isEqualTo(WSAEPROTOTYPE);
        assertThat(catalog.select(AF_INET, SOCK_STREAM, 0, e -> false, errno)).isNull();
        assertThat(errno.get()).as("nothing eligible").isEqualTo(WSAEAFNOSUPPORT);
    }

    @Test
    void protocolInfo_rejectsOverlongName() {
        assertThatThrownBy(() -> catalog.registerBase("x".repeat(256), AF_INET, SOCK_DGRAM, 1, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
