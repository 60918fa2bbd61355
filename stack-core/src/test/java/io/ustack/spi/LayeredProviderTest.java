/*
 * LayeredProviderTest: the seed's propagation policy through two layers over the base provider. Recording
 * pass-throughs sit between the layers and between the lower layer and the base, and capture the
 * WSAPROTOCOL_INFO each next provider receives: a next layer gets the same unmodified info (same chain), the base
 * provider gets its own base entry, for WSPSocket, WSPStartup, WSPDuplicateSocket, WSPAddressToString and
 * WSPStringToAddress. Also the layer's own descriptor handling and errors.
 */
package io.ustack.spi;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

class LayeredProviderTest {
    /** A layer that adds nothing to LayeredProvider: the propagation machinery on its own. */
    static final class PlainLayer extends LayeredProvider {
        PlainLayer(ProtocolCatalog catalog, ProtocolInfo layerEntry, ServiceProvider next, int maxSockets) {
            super(catalog, layerEntry, next, maxSockets);
        }
    }

    private static final long PID = ProcessHandle.current().pid();

    private final SpiFixture f = new SpiFixture(32, 1L << 30, false);
    private final ProtocolInfo upperEntry = f.catalog.registerLayer("upper layer", UUID.randomUUID());
    private final ProtocolInfo lowerEntry = f.catalog.registerLayer("lower layer", UUID.randomUUID());
    private final ProtocolInfo tcpChain = f.catalog.registerChain("upper over lower over TCP",
            List.of(upperEntry, lowerEntry), f.tcp4());
    private final ProtocolInfo udp6Chain = f.catalog.registerChain("upper over lower over UDP/IPv6",
            List.of(upperEntry, lowerEntry), f.udp6());
    private final RecordingProvider intoBase = new RecordingProvider(f.provider);
    private final PlainLayer lower = new PlainLayer(f.catalog, lowerEntry, intoBase, 32);
    private final RecordingProvider intoLower = new RecordingProvider(lower);
    private final PlainLayer upper = new PlainLayer(f.catalog, upperEntry, intoLower, 32);
    private final ErrnoRef errno = new ErrnoRef();

    private void start() {
        assertThat(upper.wspStartup(WINSOCK_VERSION_2_2, new WspData(), tcpChain)).isZero();
    }

    private int socket(ProtocolInfo info) {
        return upper.wspSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, info, 0, 0, errno);
    }

    @Test
    void propagation_wspSocket_nextLayerGetsSameUnmodifiedInfoAndChain() {
        start();
        int s = socket(tcpChain);
        assertThat(s).as("%s", errno).isPositive();
        ProtocolInfo received = intoLower.lastInfo("WSPSocket");
        assertThat(received).isSameAs(tcpChain);
        assertThat(received.protocolChain()).isEqualTo(ProtocolChain.of(upperEntry.catalogEntryId(),
                lowerEntry.catalogEntryId(), f.tcp4().catalogEntryId()));
    }

    @Test
    void propagation_wspSocket_baseProviderGetsBaseEntryInfo() {
        start();
        int s = socket(udp6Chain);
        assertThat(s).isPositive();
        assertThat(intoBase.lastInfo("WSPSocket")).isSameAs(f.udp6());
        int lowerDescriptor = upper.socket(s).lower();
        int baseDescriptor = lower.socket(lowerDescriptor).lower();
        assertThat(f.provider.socket(baseDescriptor).protocolInfo()).isSameAs(f.udp6());
    }

    @Test
    void propagation_wspSocket_nullInfoSelectsChainThroughLayerThenPropagates() {
        start();
        int s = upper.wspSocket(AF_INET6, SOCK_DGRAM, 0, null, 0, 0, errno);
        assertThat(s).isPositive();
        assertThat(upper.socket(s).protocolInfo()).isSameAs(udp6Chain);
        assertThat(intoLower.lastInfo("WSPSocket")).isSameAs(udp6Chain);
        assertThat(intoBase.lastInfo("WSPSocket")).isSameAs(f.udp6());
        assertThat(upper.wspSocket(AF_INET6, SOCK_STREAM, 0, null, 0, 0, errno)).as("no TCP/IPv6 chain")
                .isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAESOCKTNOSUPPORT);
    }

    @Test
    void propagation_wspStartup_sameInfoToLayerBaseEntryToBase() {
        WspData data = new WspData();
        assertThat(upper.wspStartup(WINSOCK_VERSION_2_2, data, udp6Chain)).isZero();
        assertThat(intoLower.lastInfo("WSPStartup")).isSameAs(udp6Chain);
        assertThat(intoBase.lastInfo("WSPStartup")).isSameAs(f.udp6());
        assertThat(data.version).isEqualTo(WINSOCK_VERSION_2_2);
        assertThat(f.provider.isStarted()).isTrue();
    }

    @Test
    void propagation_wspDuplicateSocket_infoNamesChainAndRedeemsThroughIt() {
        start();
        int s = socket(tcpChain);
        ProtocolInfo shared = upper.wspDuplicateSocket(s, PID, errno);
        assertThat(shared).as("%s", errno).isNotNull();
        assertThat(shared.withoutShareToken()).as("the application sees the chain").isEqualTo(tcpChain);
        ShareToken token = shared.shareToken();
        assertThat(token).isNotNull();
        assertThat(intoLower.lastInfo("WSPDuplicateSocket").withoutShareToken()).isEqualTo(tcpChain);
        assertThat(intoBase.lastInfo("WSPDuplicateSocket").withoutShareToken()).isEqualTo(f.tcp4());

        int d = socket(shared);
        assertThat(d).as("%s", errno).isPositive();
        assertThat(intoLower.lastInfo("WSPSocket")).as("same unmodified info, token included").isSameAs(shared);
        ProtocolInfo atBase = intoBase.lastInfo("WSPSocket");
        assertThat(atBase.withoutShareToken()).isEqualTo(f.tcp4());
        assertThat(atBase.shareToken()).as("token carried in the substituted info").isSameAs(token);
        ProviderSocket a = f.provider.socket(lower.socket(upper.socket(s).lower()).lower());
        ProviderSocket b = f.provider.socket(lower.socket(upper.socket(d).lower()).lower());
        assertThat(b).isSameAs(a);
        assertThat(a.descriptorCount()).isEqualTo(2);
    }

    @Test
    void propagation_wspAddressToString_sameInfoToLayerBaseEntryToBase() {
        start();
        char[] out = new char[64];
        IntRef len = new IntRef(out.length);
        byte[] sa = SockAddr.inet4(0xc0000201, 443);
        assertThat(upper.wspAddressToString(sa, sa.length, tcpChain, out, len, errno)).isZero();
        assertThat(new String(out, 0, len.get() - 1)).isEqualTo("192.0.2.1:443");
        assertThat(intoLower.lastInfo("WSPAddressToString")).isSameAs(tcpChain);
        assertThat(intoBase.lastInfo("WSPAddressToString")).isSameAs(f.tcp4());
    }

    @Test
    void propagation_wspStringToAddress_sameInfoToLayerBaseEntryToBase() {
        start();
        byte[] sa = new byte[28];
        IntRef len = new IntRef(sa.length);
        assertThat(upper.wspStringToAddress("[2001:db8::7]:53", AF_INET6, udp6Chain, sa, len, errno)).isZero();
        assertThat(len.get()).isEqualTo(28);
        assertThat(SockAddr.port(sa)).isEqualTo(53);
        assertThat(intoLower.lastInfo("WSPStringToAddress")).isSameAs(udp6Chain);
        assertThat(intoBase.lastInfo("WSPStringToAddress")).isSameAs(f.udp6());
    }

    @Test
    void propagation_baseProviderNeverSeesAProtocolChain() {
        start();
        int s = socket(tcpChain);
        socket(upper.wspDuplicateSocket(s, PID, errno));
        upper.wspSocket(AF_INET6, SOCK_DGRAM, 0, null, 0, 0, errno);
        upper.wspStringToAddress("1.2.3.4", AF_INET, tcpChain, new byte[16], new IntRef(16), errno);
        upper.wspAddressToString(SockAddr.inet4(1, 2), 16, tcpChain, new char[32], new IntRef(32), errno);
        assertThat(intoBase.calls()).isNotEmpty();
        assertThat(intoBase.calls()).allSatisfy(c -> {
            if (c.info() != null) {
                assertThat(c.info().isBase()).as("%s", c).isTrue();
                assertThat(ProtocolCatalog.isOwnBase(c.info().withoutShareToken())).isTrue();
            }
        });
        // And if a layer failed to substitute, the base would refuse the chain rather than misread it.
        assertThat(f.provider.wspSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, tcpChain, 0, 0,
                errno)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void nextInfo_appliesPolicyPerChainPosition() {
        assertThat(upper.nextInfo(tcpChain)).isSameAs(tcpChain);
        assertThat(lower.nextInfo(tcpChain)).isSameAs(f.tcp4());
        assertThat(upper.nextInfo(f.tcp4())).as("not a chain").isNull();
        ProtocolInfo other = f.catalog.registerLayer("other", UUID.randomUUID());
        ProtocolInfo otherChain = f.catalog.registerChain("other chain", List.of(other), f.tcp4());
        assertThat(upper.nextInfo(otherChain)).as("chain not through this layer").isNull();
    }

    @Test
    void layer_WSAEINVAL_forInfoNotThroughThisLayer() {
        start();
        assertThat(socket(f.tcp4())).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEINVAL);
        assertThat(upper.wspStartup(WINSOCK_VERSION_2_2, new WspData(), f.tcp4())).isEqualTo(WSAEINVAL);
        assertThat(upper.wspStringToAddress("1.2.3.4", AF_INET, f.tcp4(), new byte[16], new IntRef(16), errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(errno.get()).isEqualTo(WSAEINVAL);
        assertThat(intoLower.calls("WSPSocket")).isEmpty();
    }

    @Test
    void layer_argumentErrorsAgainstChainEntry() {
        start();
        assertThat(upper.wspSocket(AF_INET6, SOCK_STREAM, 0, tcpChain, 0, 0, errno)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEAFNOSUPPORT);
        assertThat(upper.wspSocket(AF_INET, SOCK_DGRAM, 0, tcpChain, 0, 0, errno)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAESOCKTNOSUPPORT);
        assertThat(upper.wspSocket(AF_INET, SOCK_STREAM, 999, tcpChain, 0, 0, errno)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEPROTONOSUPPORT);
        assertThat(upper.wspSocket(AF_INET6, SOCK_DGRAM, IPPROTO_TCP, udp6Chain, 0, 0, errno))
                .isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).as("no TCP/IPv6 chain through the layer: TCP is not a protocol here")
                .isEqualTo(WSAEPROTONOSUPPORT);
        assertThat(upper.wspSocket(AF_INET, SOCK_STREAM, IPPROTO_UDP, tcpChain, 0, 0, errno))
                .isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).as("UDP/IPv4 has no chain through the layer").isEqualTo(WSAEPROTONOSUPPORT);
        assertThat(intoLower.calls("WSPSocket")).isEmpty();
    }

    @Test
    void layer_baseErrorsReachCallerAndLeaveNoLayerDescriptor() {
        start();
        f.linkUp.set(false);
        assertThat(socket(tcpChain)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAENETDOWN);
        assertThat(upper.wspSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, tcpChain, 3, 0,
                errno)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAENETDOWN);
        f.linkUp.set(true);
        assertThat(upper.wspSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, tcpChain, 3, 0,
                errno)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEINVAL);
        assertThat(upper.openDescriptors()).isZero();
        assertThat(lower.openDescriptors()).isZero();
    }

    @Test
    void layer_closeClosesDescriptorsDownTheChain() {
        start();
        int s = socket(tcpChain);
        assertThat(f.backend.openSockets()).isEqualTo(1);
        assertThat(upper.wspCloseSocket(s, errno)).isZero();
        assertThat(f.backend.openSockets()).isZero();
        assertThat(lower.openDescriptors()).isZero();
        assertThat(f.provider.openDescriptors()).isZero();
        assertThat(upper.wspCloseSocket(s, errno)).isEqualTo(SOCKET_ERROR);
        assertThat(errno.get()).isEqualTo(WSAENOTSOCK);
    }

    @Test
    void layer_WSAEMFILE_whenLayerTableFullClosesLowerSocket() {
        PlainLayer tiny = new PlainLayer(f.catalog, upperEntry, intoLower, 1);
        assertThat(tiny.wspStartup(WINSOCK_VERSION_2_2, new WspData(), tcpChain)).isZero();
        assertThat(tiny.wspSocket(0, 0, 0, tcpChain, 0, 0, errno)).isPositive();
        assertThat(tiny.wspSocket(0, 0, 0, tcpChain, 0, 0, errno)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAEMFILE);
        assertThat(f.backend.openSockets()).isEqualTo(1);
        assertThat(lower.openDescriptors()).isEqualTo(1);
    }

    @Test
    void layer_WSAEINPROGRESS_and_WSANOTINITIALISED() {
        assertThat(socket(tcpChain)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSANOTINITIALISED);
        start();
        int s = socket(tcpChain);
        BlockingCalls.enterCallback();
        try {
            assertThat(socket(tcpChain)).isEqualTo(INVALID_SOCKET);
            assertThat(errno.get()).isEqualTo(WSAEINPROGRESS);
            assertThat(upper.wspCloseSocket(s, errno)).isEqualTo(SOCKET_ERROR);
            assertThat(errno.get()).isEqualTo(WSAEINPROGRESS);
            assertThat(upper.wspDuplicateSocket(s, PID, errno)).isNull();
            assertThat(errno.get()).isEqualTo(WSAEINPROGRESS);
        } finally {
            BlockingCalls.exitCallback();
        }
        assertThat(upper.socket(s)).isNotNull();
    }

    @Test
    void layer_lastCleanupClosesSocketsAndCleansUpBelow() {
        start();
        int s = socket(tcpChain);
        socket(udp6Chain);
        assertThat(upper.wspCleanup(errno)).isZero();
        assertThat(upper.socket(s)).isNull();
        assertThat(upper.openDescriptors()).isZero();
        assertThat(f.backend.openSockets()).isZero();
        assertThat(f.provider.isStarted()).isFalse();
        assertThat(upper.wspCleanup(errno)).isEqualTo(SOCKET_ERROR);
        assertThat(errno.get()).isEqualTo(WSANOTINITIALISED);
    }
}
