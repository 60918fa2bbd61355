/*
 * WspSocketSharedTest: shared sockets: an info from WSPDuplicateSocket passed to WSPSocket adds a descriptor to the
 * same socket and WSPSocket ignores g and dwFlags; the socket lives until its last descriptor is closed. Also the
 * errors of WSPDuplicateSocket itself.
 */
package io.ustack.spi;

import org.junit.jupiter.api.Test;

import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

class WspSocketSharedTest {
    private static final long PID = ProcessHandle.current().pid();
    private final SpiFixture f = new SpiFixture();

    private int fromShared(ProtocolInfo shared, int g, int flags) {
        return f.socket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, shared, g, flags);
    }

    @Test
    void wspDuplicateSocket_returnsEntryInfoWithShareToken() {
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        ProtocolInfo shared = f.provider.wspDuplicateSocket(s, PID, f.errno);
        assertThat(shared).isNotNull();
        assertThat(shared.shareToken()).isNotNull();
        assertThat(shared.withoutShareToken()).isEqualTo(f.tcp4());
        assertThat(f.tcp4().shareToken()).as("catalog entry untouched").isNull();
    }

    @Test
    void wspSocket_sharedInfoCreatesAnotherDescriptorForSameSocket() {
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        ProtocolInfo shared = f.provider.wspDuplicateSocket(s, PID, f.errno);
        int d = fromShared(shared, 0, 0);
        assertThat(d).isPositive().isNotEqualTo(s);
        assertThat(f.provider.socket(d)).isSameAs(f.provider.socket(s));
        assertThat(f.provider.socket(s).descriptorCount()).isEqualTo(2);
        assertThat(f.backend.openSockets()).as("no second socket").isEqualTo(1);
        assertThat(f.budget.reserved()).isEqualTo(SpiFixture.STREAM_BYTES);
    }

    @Test
    void wspSocket_sharedInfoIgnoresGroupAndFlags() {
        int s = f.socket(AF_INET, SOCK_DGRAM, 0, null, 0, WSA_FLAG_OVERLAPPED);
        ProtocolInfo shared = f.provider.wspDuplicateSocket(s, PID, f.errno);
        int bogusFlags = 0x7000 | WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_C_LEAF;
        int d = fromShared(shared, SG_CONSTRAINED_GROUP, bogusFlags);
        assertThat(d).as("g and flags would each fail a fresh socket: %s", f.errno).isPositive();
        assertThat(f.provider.socket(d).isOverlapped()).as("the shared socket's own attributes").isTrue();
        assertThat(f.provider.socket(d).flags()).isEqualTo(WSA_FLAG_OVERLAPPED);
    }

    @Test
    void wspSocket_socketLivesUntilLastDescriptorClosed() {
        int s = f.socket(AF_INET6, SOCK_STREAM, 0, null, 0, 0);
        int d1 = fromShared(f.provider.wspDuplicateSocket(s, PID, f.errno), 0, 0);
        int d2 = fromShared(f.provider.wspDuplicateSocket(d1, PID, f.errno), 0, 0);
        ProviderSocket socket = f.provider.socket(s);
        assertThat(socket.descriptorCount()).isEqualTo(3);
        assertThat(f.close(s)).isZero();
        assertThat(f.backend.openSockets()).isEqualTo(1);
        assertThat(f.provider.socket(d1)).isSameAs(socket);
        assertThat(f.close(d2)).isZero();
        assertThat(f.backend.openSockets()).isEqualTo(1);
        assertThat(socket.descriptorCount()).isEqualTo(1);
        assertThat(f.close(d1)).isZero();
        assertThat(f.backend.openSockets()).isZero();
        assertThat(f.budget.reserved()).isZero();
        assertThat(f.provider.socket(d1)).isNull();
    }

    @Test
    void wspSocket_WSAEINVAL_whenSharedInfoRedeemedTwice() {
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        ProtocolInfo shared = f.provider.wspDuplicateSocket(s, PID, f.errno);
        assertThat(fromShared(shared, 0, 0)).isPositive();
        assertThat(fromShared(shared, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
        assertThat(f.provider.socket(s).descriptorCount()).isEqualTo(2);
    }

    @Test
    void wspSocket_WSAEINVAL_whenSharedSocketAlreadyGone() {
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        ProtocolInfo shared = f.provider.wspDuplicateSocket(s, PID, f.errno);
        assertThat(f.close(s)).isZero();
        // The pooled socket object is reused by the next socket: the token must not reach it.
        int other = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        assertThat(fromShared(shared, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
        assertThat(f.provider.socket(other).descriptorCount()).isEqualTo(1);
    }

    @Test
    void wspSocket_WSAEINVAL_whenSharedInfoFromAnotherProvider() {
        SpiFixture other = new SpiFixture();
        int s = other.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        ProtocolInfo shared = other.provider.wspDuplicateSocket(s, PID, other.errno);
        assertThat(fromShared(shared, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspSocket_sharedInfoStillChecksFamilyTypeAndProtocol() {
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        ProtocolInfo shared = f.provider.wspDuplicateSocket(s, PID, f.errno);
        assertThat(f.socket(AF_INET6, SOCK_STREAM, 0, shared, 0, 0)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEAFNOSUPPORT);
        assertThat(shared.shareToken().isUsed()).as("a refused call does not use the token").isFalse();
        assertThat(f.socket(AF_INET, SOCK_STREAM, 0, shared, 0, 0)).isPositive();
    }

    @Test
    void wspSocket_WSAEMFILE_forSharedInfoWhenTableFull() {
        SpiFixture small = new SpiFixture(1, 1L << 30);
        int s = small.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        ProtocolInfo shared = small.provider.wspDuplicateSocket(s, PID, small.errno);
        assertThat(small.socket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, shared, 0, 0))
                .isEqualTo(INVALID_SOCKET);
        assertThat(small.errno.get()).isEqualTo(WSAEMFILE);
        assertThat(small.provider.socket(s).descriptorCount()).isEqualTo(1);
        assertThat(shared.shareToken().isUsed()).as("token still redeemable").isFalse();
    }

    @Test
    void wspDuplicateSocket_WSAENOTSOCK_forClosedOrUnknownDescriptor() {
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        assertThat(f.close(s)).isZero();
        for (int bad : new int[] {s, 0, INVALID_SOCKET, 123456}) {
            assertThat(f.provider.wspDuplicateSocket(bad, PID, f.errno)).isNull();
            assertThat(f.errno.get()).isEqualTo(WSAENOTSOCK);
        }
    }

    @Test
    void wspDuplicateSocket_WSAEINVAL_forAnotherProcess() {
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        assertThat(f.provider.wspDuplicateSocket(s, PID + 1, f.errno)).isNull();
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspDuplicateSocket_WSAENETDOWN_whenLinkDown() {
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        f.linkUp.set(false);
        assertThat(f.provider.wspDuplicateSocket(s, PID, f.errno)).isNull();
        assertThat(f.errno.get()).isEqualTo(WSAENETDOWN);
    }

    @Test
    void wspDuplicateSocket_WSAEINPROGRESS_duringBlockingCall() {
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        BlockingCalls.enterBlocking();
        try {
            assertThat(f.provider.wspDuplicateSocket(s, PID, f.errno)).isNull();
            assertThat(f.errno.get()).isEqualTo(WSAEINPROGRESS);
        } finally {
            BlockingCalls.exitBlocking();
        }
    }

    @Test
    void wspDuplicateSocket_WSANOTINITIALISED_afterCleanup() {
        int s = f.socket(AF_INET, SOCK_STREAM, 0, null, 0, 0);
        assertThat(f.provider.wspCleanup(f.errno)).isZero();
        assertThat(f.provider.wspDuplicateSocket(s, PID, f.errno)).isNull();
        assertThat(f.errno.get()).isEqualTo(WSANOTINITIALISED);
    }
}
