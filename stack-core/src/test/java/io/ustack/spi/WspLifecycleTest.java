/*
 * WspLifecycleTest: WSPStartup / WSPCleanup and WSPCloseSocket of the base provider: version negotiation, nesting,
 * cleanup closing what is left, stale descriptors, and each function's error codes.
 */
package io.ustack.spi;

import org.junit.jupiter.api.Test;

import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

class WspLifecycleTest {
    private final SpiFixture f = new SpiFixture(16, 1L << 30, false);

    private int startup(int version) {
        return f.provider.wspStartup(version, new WspData(), f.tcp4());
    }

    @Test
    void wspStartup_negotiatesVersion() {
        WspData d = new WspData();
        assertThat(f.provider.wspStartup(makeWord(2, 2), d, f.udp6())).isZero();
        assertThat(d.version).isEqualTo(0x0202);
        assertThat(d.highVersion).isEqualTo(0x0202);
        assertThat(d.description).isEqualTo(BaseProvider.DESCRIPTION);
        assertThat(f.provider.wspStartup(makeWord(2, 0), d, f.tcp4())).isZero();
        assertThat(d.version).as("a lower 2.x is granted as asked").isEqualTo(makeWord(2, 0));
        assertThat(f.provider.wspStartup(makeWord(3, 1), d, f.tcp4())).isZero();
        assertThat(d.version).as("higher than supported: the highest supported").isEqualTo(makeWord(2, 2));
        assertThat(f.provider.isStarted()).isTrue();
    }

    @Test
    void wspStartup_WSAVERNOTSUPPORTED_forVersion1() {
        assertThat(startup(makeWord(1, 1))).isEqualTo(WSAVERNOTSUPPORTED);
        assertThat(f.provider.isStarted()).isFalse();
    }

    @Test
    void wspStartup_WSAEFAULT_forMissingDataOrInfo() {
        assertThat(f.provider.wspStartup(WINSOCK_VERSION_2_2, null, f.tcp4())).isEqualTo(WSAEFAULT);
        assertThat(f.provider.wspStartup(WINSOCK_VERSION_2_2, new WspData(), null)).isEqualTo(WSAEFAULT);
    }

    @Test
    void wspStartup_WSAEINVAL_forInfoNotOfThisProvider() {
        ProtocolInfo layer = f.catalog.registerLayer("layer", java.util.UUID.randomUUID());
        assertThat(f.provider.wspStartup(WINSOCK_VERSION_2_2, new WspData(), layer)).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspStartup_WSASYSNOTREADY_whenLinkDown() {
        f.linkUp.set(false);
        assertThat(startup(WINSOCK_VERSION_2_2)).isEqualTo(WSASYSNOTREADY);
        assertThat(f.provider.isStarted()).isFalse();
    }

    @Test
    void wspStartup_WSAEINPROGRESS_duringBlockingCall() {
        BlockingCalls.enterBlocking();
        try {
            assertThat(startup(WINSOCK_VERSION_2_2)).isEqualTo(WSAEINPROGRESS);
        } finally {
            BlockingCalls.exitBlocking();
        }
    }

    @Test
    void wspCleanup_nestsWithStartupAndLastOneClosesSockets() {
        assertThat(startup(WINSOCK_VERSION_2_2)).isZero();
        assertThat(startup(WINSOCK_VERSION_2_2)).isZero();
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        int shared = f.socket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO,
                f.provider.wspDuplicateSocket(s, ProcessHandle.current().pid(), f.errno), 0, 0);
        int u = f.socket(AF_INET, SOCK_DGRAM, 0, null, 0, 0);
        assertThat(f.provider.wspCleanup(f.errno)).isZero();
        assertThat(f.provider.openDescriptors()).as("still one client").isEqualTo(3);
        assertThat(f.provider.wspCleanup(f.errno)).isZero();
        assertThat(f.provider.openDescriptors()).isZero();
        assertThat(f.backend.openSockets()).isZero();
        assertThat(f.budget.reserved()).isZero();
        assertThat(f.provider.socket(s)).isNull();
        assertThat(f.provider.socket(shared)).isNull();
        assertThat(f.provider.socket(u)).isNull();
    }

    @Test
    void wspCleanup_WSANOTINITIALISED_withoutStartup() {
        assertThat(f.provider.wspCleanup(f.errno)).isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSANOTINITIALISED);
    }

    @Test
    void wspCleanup_WSAEINPROGRESS_duringBlockingCall() {
        assertThat(startup(WINSOCK_VERSION_2_2)).isZero();
        BlockingCalls.enterBlocking();
        try {
            assertThat(f.provider.wspCleanup(f.errno)).isEqualTo(SOCKET_ERROR);
            assertThat(f.errno.get()).isEqualTo(WSAEINPROGRESS);
        } finally {
            BlockingCalls.exitBlocking();
        }
        assertThat(f.provider.isStarted()).isTrue();
    }

    @Test
    void wspCloseSocket_releasesDescriptorAndResources() {
        assertThat(startup(WINSOCK_VERSION_2_2)).isZero();
        int s = f.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP, null, 0, 0);
        assertThat(f.budget.reserved()).isEqualTo(SpiFixture.RAW_BYTES);
        assertThat(f.close(s)).isZero();
        assertThat(f.budget.reserved()).isZero();
        assertThat(f.provider.openDescriptors()).isZero();
    }

    @Test
    void wspCloseSocket_WSAENOTSOCK_forStaleDescriptorEvenAfterSlotReuse() {
        assertThat(startup(WINSOCK_VERSION_2_2)).isZero();
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        assertThat(f.close(s)).isZero();
        assertThat(f.close(s)).isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSAENOTSOCK);
        // Fill the table so the old slot is certainly reused; the old descriptor still answers nothing.
        int[] all = new int[f.provider.maxSockets()];
        for (int i = 0; i < all.length; i++) {
            all[i] = f.socket(AF_INET, SOCK_DGRAM, 0, null, 0, 0);
            assertThat(all[i]).isPositive().isNotEqualTo(s);
        }
        assertThat(f.provider.socket(s)).isNull();
        assertThat(f.close(s)).isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSAENOTSOCK);
        assertThat(f.provider.openDescriptors()).isEqualTo(all.length);
    }

    @Test
    void wspCloseSocket_WSAENOTSOCK_forNeverIssuedDescriptors() {
        assertThat(startup(WINSOCK_VERSION_2_2)).isZero();
        for (int bad : new int[] {0, INVALID_SOCKET, Integer.MIN_VALUE, 1, 17, 1 << 30, Integer.MAX_VALUE}) {
            assertThat(f.close(bad)).as("descriptor %d", bad).isEqualTo(SOCKET_ERROR);
            assertThat(f.errno.get()).isEqualTo(WSAENOTSOCK);
        }
    }

    @Test
    void wspCloseSocket_WSAEINPROGRESS_duringBlockingCall() {
        assertThat(startup(WINSOCK_VERSION_2_2)).isZero();
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        BlockingCalls.enterBlocking();
        try {
            assertThat(f.close(s)).isEqualTo(SOCKET_ERROR);
            assertThat(f.errno.get()).isEqualTo(WSAEINPROGRESS);
        } finally {
            BlockingCalls.exitBlocking();
        }
        assertThat(f.provider.socket(s)).as("still open").isNotNull();
    }

    @Test
    void wspCloseSocket_WSANOTINITIALISED_withoutStartup() {
        assertThat(f.close(1 << 10)).isEqualTo(SOCKET_ERROR);
        assertThat(f.errno.get()).isEqualTo(WSANOTINITIALISED);
    }

    @Test
    void wspCloseSocket_concurrentClosesOfOneDescriptorSucceedOnce() throws Exception {
        assertThat(startup(WINSOCK_VERSION_2_2)).isZero();
        for (int round = 0; round < 200; round++) {
            int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
            int[] results = new int[4];
            Thread[] ts = new Thread[results.length];
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < ts.length; i++) {
                int k = i;
                ts[i] = new Thread(() -> {
                    ErrnoRef e = new ErrnoRef();
                    try {
                        go.await();
                    } catch (InterruptedException ex) {
                        throw new AssertionError(ex);
                    }
                    results[k] = f.provider.wspCloseSocket(s, e) == 0 ? 0 : e.get();
                });
                ts[i].start();
            }
            go.countDown();
            for (Thread t : ts) {
                t.join();
            }
            assertThat(results).containsOnlyOnce(0);
            assertThat(java.util.Arrays.stream(results).filter(r -> r == WSAENOTSOCK).count()).isEqualTo(3);
            assertThat(f.backend.openSockets()).isZero();
        }
    }
}
