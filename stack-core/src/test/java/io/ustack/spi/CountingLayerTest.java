/*
 * CountingLayerTest: the counting layer over the base provider: calls per WSP function, errors in total and per
 * WSA code, per-socket counts, exactness under concurrent use, and that it passes results through unchanged.
 */
package io.ustack.spi;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.ustack.spi.CountingLayer.Operation.*;
import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

class CountingLayerTest {
    private static final long PID = ProcessHandle.current().pid();

    private final SpiFixture f = new SpiFixture(64, 1L << 30, false);
    private final ProtocolInfo layerEntry = f.catalog.registerLayer("counting", UUID.randomUUID());
    private final ProtocolInfo tcp = f.catalog.registerChain("counting TCP", List.of(layerEntry), f.tcp4());
    private final ProtocolInfo udp = f.catalog.registerChain("counting UDP", List.of(layerEntry), f.udp4());
    private final CountingLayer counting = new CountingLayer(f.catalog, layerEntry, f.provider, 64);
    private final ErrnoRef errno = new ErrnoRef();

    private int socket(ProtocolInfo info) {
        return counting.wspSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, info, 0, 0, errno);
    }

    @Test
    void counts_callsPerFunctionAndErrorsPerCode() {
        assertThat(counting.wspStartup(makeWord(1, 1), new WspData(), tcp)).isEqualTo(WSAVERNOTSUPPORTED);
        assertThat(counting.wspStartup(WINSOCK_VERSION_2_2, new WspData(), tcp)).isZero();
        int s = socket(tcp);
        int u = socket(udp);
        assertThat(counting.wspSocket(AF_INET, SOCK_DGRAM, IPPROTO_TCP, null, 0, 0, errno)).isEqualTo(INVALID_SOCKET);
        assertThat(counting.wspSocket(0, 0, 0, tcp, 1, 0, errno)).isEqualTo(INVALID_SOCKET);
        assertThat(counting.wspCloseSocket(u, errno)).isZero();
        assertThat(counting.wspCloseSocket(u, errno)).isEqualTo(SOCKET_ERROR);
        assertThat(counting.wspDuplicateSocket(s, PID, errno)).isNotNull();
        assertThat(counting.wspStringToAddress("nope", AF_INET, null, new byte[16], new IntRef(16), errno))
                .isEqualTo(SOCKET_ERROR);
        assertThat(counting.wspAddressToString(SockAddr.inet4(1, 1), 16, tcp, new char[32], new IntRef(32), errno))
                .isZero();

        assertThat(counting.operations(STARTUP)).isEqualTo(2);
        assertThat(counting.operations(SOCKET)).isEqualTo(4);
        assertThat(counting.operations(CLOSE_SOCKET)).isEqualTo(2);
        assertThat(counting.operations(DUPLICATE_SOCKET)).isEqualTo(1);
        assertThat(counting.operations(STRING_TO_ADDRESS)).isEqualTo(1);
        assertThat(counting.operations(ADDRESS_TO_STRING)).isEqualTo(1);
        assertThat(counting.operations(CLEANUP)).isZero();
        assertThat(counting.errors()).isEqualTo(5);
        assertThat(counting.errors(WSAVERNOTSUPPORTED)).isEqualTo(1);
        assertThat(counting.errors(WSAEPROTOTYPE)).isEqualTo(1);
        assertThat(counting.errors(WSAEINVAL)).isEqualTo(2);
        assertThat(counting.errors(WSAENOTSOCK)).isEqualTo(1);
        assertThat(counting.errorsByName()).containsEntry("WSAEINVAL", 2L).hasSize(4);
    }

    @Test
    void counts_perSocketOperationsAndErrors() {
        assertThat(counting.wspStartup(WINSOCK_VERSION_2_2, new WspData(), tcp)).isZero();
        int s = socket(tcp);
        CountingLayer.SocketCounts c = counting.socketCounts(s);
        assertThat(c.operations()).as("creation").isEqualTo(1);
        assertThat(counting.wspDuplicateSocket(s, PID, errno)).isNotNull();
        assertThat(counting.wspDuplicateSocket(s, PID + 1, errno)).isNull();
        assertThat(c.operations()).isEqualTo(3);
        assertThat(c.errors()).isEqualTo(1);
        int other = socket(tcp);
        assertThat(counting.socketCounts(other).operations()).isEqualTo(1);
        assertThat(counting.socketCounts(other).errors()).isZero();
        assertThat(counting.wspCloseSocket(s, errno)).isZero();
        assertThat(counting.socketCounts(s)).isNull();
    }

    @Test
    void counts_passResultsThroughUnchanged() {
        assertThat(counting.wspStartup(WINSOCK_VERSION_2_2, new WspData(), tcp)).isZero();
        f.linkUp.set(false);
        assertThat(socket(tcp)).isEqualTo(INVALID_SOCKET);
        assertThat(errno.get()).isEqualTo(WSAENETDOWN);
        f.linkUp.set(true);
        int s = socket(tcp);
        assertThat(f.provider.socket(counting.socket(s).lower()).protocolInfo()).isSameAs(f.tcp4());
        assertThat(counting.wspCleanup(errno)).isZero();
        assertThat(counting.operations(CLEANUP)).isEqualTo(1);
        assertThat(f.backend.openSockets()).isZero();
    }

    @Test
    void counts_exactUnderConcurrentUse() throws Exception {
        assertThat(counting.wspStartup(WINSOCK_VERSION_2_2, new WspData(), tcp)).isZero();
        int threads = 4;
        int rounds = 5_000;
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                ErrnoRef e = new ErrnoRef();
                for (int r = 0; r < rounds; r++) {
                    int s = counting.wspSocket(0, 0, 0, udp, 0, 0, e);
                    if (s == INVALID_SOCKET) {
                        throw new AssertionError(e.toString());
                    }
                    counting.wspSocket(0, 0, 0, udp, 9, 0, e); // WSAEINVAL
                    counting.wspCloseSocket(s, e);
                }
            });
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertThat(counting.operations(SOCKET)).isEqualTo(2L * threads * rounds);
        assertThat(counting.operations(CLOSE_SOCKET)).isEqualTo((long) threads * rounds);
        assertThat(counting.errors(WSAEINVAL)).isEqualTo((long) threads * rounds);
        assertThat(counting.errors()).isEqualTo((long) threads * rounds);
        assertThat(f.backend.openSockets()).isZero();
    }
}
