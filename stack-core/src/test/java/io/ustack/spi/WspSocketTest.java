/*
 * WspSocketTest: WSPSocket of the base provider, one test per clause of the seed (WSPSocket.txt) and per error
 * code. Multipoint flags and shared sockets have their own test classes.
 */
package io.ustack.spi;

import org.junit.jupiter.api.Test;

import static io.ustack.spi.ServiceFlags.*;
import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

class WspSocketTest {
    private final SpiFixture f = new SpiFixture();

    // --- Return value -------------------------------------------------------------------------------------------

    @Test
    void wspSocket_returnsDescriptorReferencingNewSocket() {
        int s = f.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, null, 0, 0);
        assertThat(s).isNotEqualTo(INVALID_SOCKET).isPositive();
        ProviderSocket ps = f.provider.socket(s);
        assertThat(ps).isNotNull();
        assertThat(ps.protocolInfo()).isSameAs(f.tcp4());
        assertThat(ps.addressFamily()).isEqualTo(AF_INET);
        assertThat(ps.socketType()).isEqualTo(SOCK_STREAM);
        assertThat(ps.protocol()).isEqualTo(IPPROTO_TCP);
        assertThat(ps.descriptorCount()).isEqualTo(1);
    }

    @Test
    void wspSocket_failureReturnsInvalidSocketWithCodeInErrno() {
        f.errno.set(NO_ERROR);
        int s = f.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, null, 1, 0);
        assertThat(s).isEqualTo(INVALID_SOCKET).isEqualTo(~0);
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspSocket_allocatesDescriptorAndRelatedResources() {
        long before = f.budget.reserved();
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        int u = f.socket(AF_INET6, SOCK_DGRAM, 0, null, 0, 0);
        assertThat(f.provider.openDescriptors()).isEqualTo(2);
        assertThat(f.backend.openSockets()).isEqualTo(2);
        assertThat(f.budget.reserved() - before).isEqualTo(SpiFixture.STREAM_BYTES + SpiFixture.DATAGRAM_BYTES);
        assertThat(f.provider.socket(s).backendHandle()).isNotNull();
        assertThat(f.close(s)).isZero();
        assertThat(f.close(u)).isZero();
        assertThat(f.budget.reserved()).isEqualTo(before);
        assertThat(f.backend.openSockets()).isZero();
    }

    @Test
    void wspSocket_notOverlappedByDefault() {
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        assertThat(f.provider.socket(s).isOverlapped()).isFalse();
    }

    @Test
    void wspSocket_flagOverlappedCreatesOverlappedSocket() {
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, WSA_FLAG_OVERLAPPED);
        assertThat(f.provider.socket(s).isOverlapped()).isTrue();
        assertThat(f.provider.socket(s).flags()).isEqualTo(WSA_FLAG_OVERLAPPED);
    }

    @Test
    void wspSocket_nonIfsProviderHandsOutUniqueDescriptorsFromItsTable() {
        // The provider is not an installable file system: no entry claims IFS handles, and descriptors are
        // unique (what WPUCreateSocketHandle guarantees), also across close and reuse.
        assertThat(f.catalog.baseEntries()).noneMatch(e -> e.hasService(XP1_IFS_HANDLES));
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int round = 0; round < 5; round++) {
            int[] open = new int[20];
            for (int i = 0; i < open.length; i++) {
                open[i] = f.socket(AF_INET, SOCK_DGRAM, 0, null, 0, 0);
                assertThat(seen.add(open[i])).as("descriptor %d handed out before", open[i]).isTrue();
            }
            for (int s : open) {
                assertThat(f.close(s)).isZero();
            }
        }
    }

    // --- Wildcards and FROM_PROTOCOL_INFO -----------------------------------------------------------------------

    @Test
    void wspSocket_afZeroIsWildcard() {
        int s = f.socket(0, SOCK_DGRAM, IPPROTO_UDP, null, 0, 0);
        assertThat(f.provider.socket(s).protocolInfo()).isSameAs(f.udp4());
        int t = f.socket(0, SOCK_STREAM, 0, f.tcp6(), 0, 0);
        assertThat(f.provider.socket(t).addressFamily()).isEqualTo(AF_INET6);
    }

    @Test
    void wspSocket_typeZeroIsWildcard() {
        int s = f.socket(AF_INET6, 0, IPPROTO_UDP, null, 0, 0);
        assertThat(f.provider.socket(s).protocolInfo()).isSameAs(f.udp6());
        int t = f.socket(AF_INET, 0, IPPROTO_TCP, f.tcp4(), 0, 0);
        assertThat(f.provider.socket(t).socketType()).isEqualTo(SOCK_STREAM);
    }

    @Test
    void wspSocket_afAndTypeZeroTogetherSelectByProtocol() {
        int s = f.socket(0, 0, IPPROTO_UDP, null, 0, 0);
        assertThat(f.provider.socket(s).protocolInfo()).isSameAs(f.udp4());
        int all = f.socket(0, 0, 0, null, 0, 0);
        assertThat(f.provider.socket(all).protocolInfo()).as("first entry in catalog order").isSameAs(f.tcp4());
    }

    @Test
    void wspSocket_protocolZeroIsDefaultProtocolOfType() {
        assertThat(f.provider.socket(f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0)).protocol()).isEqualTo(6);
        assertThat(f.provider.socket(f.socket(AF_INET, SOCK_DGRAM, 0, null, 0, 0)).protocolInfo())
                .as("the recommended UDP entry, not the multicast one").isSameAs(f.udp4());
        assertThat(f.provider.socket(f.socket(AF_INET6, SOCK_DGRAM, 0, null, 0, 0)).protocol()).isEqualTo(17);
        assertThat(f.provider.socket(f.socket(AF_INET, SOCK_RAW, 0, null, 0, 0)).protocol()).isEqualTo(0);
    }

    @Test
    void wspSocket_fromProtocolInfoInAfTakesInfoFamily() {
        int s = f.socket(FROM_PROTOCOL_INFO, SOCK_STREAM, IPPROTO_TCP, f.tcp6(), 0, 0);
        assertThat(f.provider.socket(s).addressFamily()).isEqualTo(AF_INET6);
    }

    @Test
    void wspSocket_fromProtocolInfoInTypeTakesInfoType() {
        int s = f.socket(AF_INET, FROM_PROTOCOL_INFO, IPPROTO_UDP, f.udp4(), 0, 0);
        assertThat(f.provider.socket(s).socketType()).isEqualTo(SOCK_DGRAM);
    }

    @Test
    void wspSocket_fromProtocolInfoInProtocolTakesInfoProtocol() {
        int s = f.socket(AF_INET6, SOCK_DGRAM, FROM_PROTOCOL_INFO, f.udp6(), 0, 0);
        assertThat(f.provider.socket(s).protocol()).isEqualTo(IPPROTO_UDP);
    }

    @Test
    void wspSocket_fromProtocolInfoInAllThree() {
        for (ProtocolInfo e : f.catalog.baseEntries()) {
            int s = f.socket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, e, 0, 0);
            assertThat(s).as("%s: %s", e, f.errno).isPositive();
            ProviderSocket ps = f.provider.socket(s);
            assertThat(ps.protocolInfo()).isSameAs(e);
            assertThat(ps.addressFamily()).isEqualTo(e.addressFamily());
            assertThat(ps.socketType()).isEqualTo(e.socketType());
            assertThat(ps.protocol()).isEqualTo(e.protocol());
        }
    }

    @Test
    void wspSocket_fromProtocolInfoWithoutInfoIsAnOrdinaryUnsupportedValue() {
        assertThat(f.socket(FROM_PROTOCOL_INFO, SOCK_STREAM, 0, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEAFNOSUPPORT);
        assertThat(f.socket(AF_INET, FROM_PROTOCOL_INFO, 0, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAESOCKTNOSUPPORT);
        assertThat(f.socket(AF_INET, SOCK_STREAM, FROM_PROTOCOL_INFO, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEPROTONOSUPPORT);
    }

    // --- Raw sockets ----------------------------------------------------------------------------------------------

    @Test
    void wspSocket_rawSocketsSupportedForAnyIpProtocol() {
        int icmp = f.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP, null, 0, 0);
        assertThat(f.provider.socket(icmp).protocolInfo()).isSameAs(f.raw4());
        assertThat(f.provider.socket(icmp).protocol()).isEqualTo(IPPROTO_ICMP);
        int icmp6 = f.socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, f.raw6(), 0, 0);
        assertThat(f.provider.socket(icmp6).protocol()).isEqualTo(IPPROTO_ICMPV6);
        int rawRaw = f.socket(AF_INET, SOCK_RAW, IPPROTO_RAW, null, 0, 0);
        assertThat(f.provider.socket(rawRaw).protocol()).isEqualTo(255);
    }

    // --- Error codes ----------------------------------------------------------------------------------------------

    @Test
    void wspSocket_WSAENETDOWN_whenLinkDown() {
        f.linkUp.set(false);
        assertThat(f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAENETDOWN);
        assertThat(f.backend.openSockets()).isZero();
        f.linkUp.set(true);
        assertThat(f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0)).isPositive();
    }

    @Test
    void wspSocket_WSAEAFNOSUPPORT_whenFamilyUnsupported() {
        assertThat(f.socket(AF_UNIX, SOCK_STREAM, 0, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEAFNOSUPPORT);
        assertThat(f.socket(AF_INET6, SOCK_STREAM, 0, f.tcp4(), 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).as("af contradicts the info").isEqualTo(WSAEAFNOSUPPORT);
    }

    @Test
    void wspSocket_WSAESOCKTNOSUPPORT_whenTypeUnsupportedInFamily() {
        assertThat(f.socket(AF_INET, SOCK_SEQPACKET, 0, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAESOCKTNOSUPPORT);
        assertThat(f.socket(AF_INET, SOCK_DGRAM, 0, f.tcp4(), 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).as("type contradicts the info").isEqualTo(WSAESOCKTNOSUPPORT);
    }

    @Test
    void wspSocket_WSAEPROTONOSUPPORT_whenProtocolUnsupported() {
        assertThat(f.socket(AF_INET, SOCK_STREAM, 256, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEPROTONOSUPPORT);
        assertThat(f.socket(AF_INET, SOCK_DGRAM, 1000, f.udp4(), 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEPROTONOSUPPORT);
    }

    @Test
    void wspSocket_WSAEPROTOTYPE_whenProtocolWrongTypeForSocket() {
        assertThat(f.socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEPROTOTYPE);
        assertThat(f.socket(AF_INET6, SOCK_STREAM, IPPROTO_UDP, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEPROTOTYPE);
        assertThat(f.socket(AF_INET, SOCK_STREAM, IPPROTO_UDP, f.tcp4(), 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).as("protocol contradicts the info").isEqualTo(WSAEPROTOTYPE);
    }

    @Test
    void wspSocket_WSAEINPROGRESS_whenBlockingCallInProgressOnThread() {
        BlockingCalls.enterBlocking();
        try {
            assertThat(f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0)).isEqualTo(INVALID_SOCKET);
            assertThat(f.errno.get()).isEqualTo(WSAEINPROGRESS);
        } finally {
            BlockingCalls.exitBlocking();
        }
        assertThat(f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0)).isPositive();
    }

    @Test
    void wspSocket_WSAEINPROGRESS_insideEngineCompletionCallback() throws Exception {
        int[] result = new int[2];
        Thread engine = new Thread(() -> {
            BlockingCalls.markEngineThread(true);
            ErrnoRef e = new ErrnoRef();
            BlockingCalls.enterCallback();
            try {
                result[0] = f.provider.wspSocket(AF_INET, SOCK_DGRAM, 0, null, 0, 0, e);
                result[1] = e.get();
            } finally {
                BlockingCalls.exitCallback();
            }
        });
        engine.start();
        engine.join();
        assertThat(result[0]).isEqualTo(INVALID_SOCKET);
        assertThat(result[1]).isEqualTo(WSAEINPROGRESS);
        assertThat(f.socket(AF_INET, SOCK_DGRAM, 0, null, 0, 0)).as("other threads unaffected").isPositive();
    }

    @Test
    void wspSocket_WSAEMFILE_whenDescriptorTableFull() {
        SpiFixture small = new SpiFixture(3, 1L << 30);
        int[] s = new int[3];
        for (int i = 0; i < 3; i++) {
            s[i] = small.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
            assertThat(s[i]).isPositive();
        }
        long reserved = small.budget.reserved();
        assertThat(small.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(small.errno.get()).isEqualTo(WSAEMFILE);
        assertThat(small.budget.reserved()).as("resources given back").isEqualTo(reserved);
        assertThat(small.backend.openSockets()).isEqualTo(3);
        assertThat(small.close(s[1])).isZero();
        assertThat(small.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0)).isPositive();
    }

    @Test
    void wspSocket_WSAENOBUFS_whenBufferBudgetCannotCoverSocket() {
        SpiFixture tight = new SpiFixture(64, SpiFixture.STREAM_BYTES + SpiFixture.DATAGRAM_BYTES - 1);
        int s = tight.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        assertThat(s).isPositive();
        assertThat(tight.socket(AF_INET, SOCK_DGRAM, 0, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(tight.errno.get()).isEqualTo(WSAENOBUFS);
        assertThat(tight.provider.openDescriptors()).isEqualTo(1);
        assertThat(tight.socket(AF_INET, SOCK_RAW, 0, null, 0, 0)).as("a smaller socket fits").isPositive();
        assertThat(tight.close(s)).isZero();
        assertThat(tight.socket(AF_INET, SOCK_DGRAM, 0, null, 0, 0)).isPositive();
    }

    @Test
    void wspSocket_WSAEINVAL_whenGroupNotZero() {
        for (int g : new int[] {SG_UNCONSTRAINED_GROUP, SG_CONSTRAINED_GROUP, 7, -5}) {
            assertThat(f.socket(AF_INET, SOCK_STREAM, 0, null, g, 0)).isEqualTo(INVALID_SOCKET);
            assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
        }
        assertThat(f.backend.openSockets()).isZero();
    }

    @Test
    void wspSocket_WSAEINVAL_whenFlagsHoldUnknownBits() {
        assertThat(f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0x20)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
        assertThat(f.socket(AF_INET, SOCK_STREAM, 0, null, 0, WSA_FLAG_NO_HANDLE_INHERIT | WSA_FLAG_OVERLAPPED))
                .as("known flags without meaning in a JVM are accepted").isPositive();
    }

    @Test
    void wspSocket_WSAEINVAL_whenInfoIsNotAListedBaseEntry() {
        ProtocolInfo tcp = f.tcp4();
        ProtocolInfo modified = new ProtocolInfo(tcp.serviceFlags1(), tcp.providerFlags(), tcp.providerId(),
                tcp.catalogEntryId(), tcp.protocolChain(), tcp.version(), tcp.addressFamily(), tcp.maxSockAddr(),
                tcp.minSockAddr(), SOCK_DGRAM, tcp.protocol(), tcp.protocolMaxOffset(), tcp.networkByteOrder(),
                tcp.securityScheme(), tcp.messageSize(), null, tcp.protocolName());
        assertThat(f.socket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, modified, 0, 0))
                .isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
        ProtocolInfo layer = f.catalog.registerLayer("a layer", java.util.UUID.randomUUID());
        ProtocolInfo chain = f.catalog.registerChain("a chain", java.util.List.of(layer), tcp);
        assertThat(f.socket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, chain, 0, 0))
                .as("the base provider serves base entries only").isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
        assertThat(f.socket(0, 0, 0, layer, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspSocket_WSANOTINITIALISED_beforeStartupAndAfterCleanup() {
        SpiFixture unstarted = new SpiFixture(8, 1L << 20, false);
        assertThat(unstarted.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(unstarted.errno.get()).isEqualTo(WSANOTINITIALISED);
        assertThat(f.provider.wspCleanup(f.errno)).isZero();
        assertThat(f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSANOTINITIALISED);
    }

    @Test
    void wspSocket_errorsCheckedInDocumentedOrder() {
        // Each call breaks everything from one step on; the reported code is that step's.
        SpiFixture full = new SpiFixture(1, SpiFixture.STREAM_BYTES);
        assertThat(full.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0)).isPositive();
        BlockingCalls.enterBlocking();
        try {
            assertThat(full.socket(AF_UNIX, 99, 999, null, 5, 0x7000)).isEqualTo(INVALID_SOCKET);
            assertThat(full.errno.get()).isEqualTo(WSAEINPROGRESS);
        } finally {
            BlockingCalls.exitBlocking();
        }
        full.linkUp.set(false);
        assertThat(full.socket(AF_UNIX, 99, 999, null, 5, 0x7000)).isEqualTo(INVALID_SOCKET);
        assertThat(full.errno.get()).isEqualTo(WSAENETDOWN);
        full.linkUp.set(true);
        assertThat(full.socket(AF_UNIX, 99, 999, null, 5, 0x7000)).isEqualTo(INVALID_SOCKET);
        assertThat(full.errno.get()).isEqualTo(WSAEAFNOSUPPORT);
        assertThat(full.socket(AF_INET, 99, 999, null, 5, 0x7000)).isEqualTo(INVALID_SOCKET);
        assertThat(full.errno.get()).isEqualTo(WSAESOCKTNOSUPPORT);
        assertThat(full.socket(AF_INET, SOCK_STREAM, 999, null, 5, 0x7000)).isEqualTo(INVALID_SOCKET);
        assertThat(full.errno.get()).isEqualTo(WSAEPROTONOSUPPORT);
        assertThat(full.socket(AF_INET, SOCK_STREAM, IPPROTO_UDP, null, 5, 0x7000)).isEqualTo(INVALID_SOCKET);
        assertThat(full.errno.get()).isEqualTo(WSAEPROTOTYPE);
        assertThat(full.socket(AF_INET, SOCK_STREAM, 0, null, 5, 0x7000)).isEqualTo(INVALID_SOCKET);
        assertThat(full.errno.get()).as("g").isEqualTo(WSAEINVAL);
        assertThat(full.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0x7000)).isEqualTo(INVALID_SOCKET);
        assertThat(full.errno.get()).as("flags").isEqualTo(WSAEINVAL);
        assertThat(full.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(full.errno.get()).as("budget before descriptors").isEqualTo(WSAENOBUFS);
        assertThat(full.socket(AF_INET, SOCK_RAW, 0, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(full.errno.get()).isEqualTo(WSAENOBUFS);
        SpiFixture noSlots = new SpiFixture(1, 1L << 30);
        assertThat(noSlots.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0)).isPositive();
        assertThat(noSlots.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(noSlots.errno.get()).isEqualTo(WSAEMFILE);
    }
}
