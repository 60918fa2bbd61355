/*
 * WspSocketMultipointTest: the seed's WSA_FLAG_MULTIPOINT_* clauses: exactly one C_ROOT/C_LEAF and exactly one
 * D_ROOT/D_LEAF; C_ROOT only with a rooted control plane, D_ROOT only with a rooted data plane, leaves only with
 * XP1_SUPPORT_MULTIPOINT. The built-in multicast entry is non-rooted; rooted entries are registered by the test.
 */
package io.ustack.spi;

import org.junit.jupiter.api.Test;

import static io.ustack.spi.ServiceFlags.*;
import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

class WspSocketMultipointTest {
    private static final int C_ROOT = WSA_FLAG_MULTIPOINT_C_ROOT;
    private static final int C_LEAF = WSA_FLAG_MULTIPOINT_C_LEAF;
    private static final int D_ROOT = WSA_FLAG_MULTIPOINT_D_ROOT;
    private static final int D_LEAF = WSA_FLAG_MULTIPOINT_D_LEAF;

    private final SpiFixture f = new SpiFixture();

    private ProtocolInfo rooted(String name, int planes) {
        return f.catalog.registerBase(name, AF_INET, SOCK_DGRAM, 200, 0,
                XP1_CONNECTIONLESS | XP1_MESSAGE_ORIENTED | XP1_SUPPORT_MULTIPOINT | planes, 0, 65507);
    }

    private int create(ProtocolInfo info, int flags) {
        return f.socket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, info, 0, flags);
    }

    private void assertEinval(ProtocolInfo info, int flags) {
        assertThat(create(info, flags)).as("flags 0x%x on %s", flags, info).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
    }

    @Test
    void wspSocket_multipointLeavesAllowedWithSupportMultipoint() {
        int s = create(f.multicast4(), C_LEAF | D_LEAF);
        assertThat(s).isPositive();
        assertThat(f.provider.socket(s).multipointRole()).isEqualTo(C_LEAF | D_LEAF);
        int o = create(f.multicast4(), C_LEAF | D_LEAF | WSA_FLAG_OVERLAPPED);
        assertThat(f.provider.socket(o).isOverlapped()).isTrue();
    }

    @Test
    void wspSocket_multipointNeedsExactlyOneOfCRootAndCLeaf() {
        assertEinval(f.multicast4(), D_LEAF);
        assertEinval(f.multicast4(), C_ROOT | C_LEAF | D_LEAF);
        ProtocolInfo both = rooted("rooted both", XP1_MULTIPOINT_CONTROL_PLANE | XP1_MULTIPOINT_DATA_PLANE);
        assertEinval(both, D_ROOT);
        assertEinval(both, C_ROOT | C_LEAF | D_ROOT);
    }

    @Test
    void wspSocket_multipointNeedsExactlyOneOfDRootAndDLeaf() {
        assertEinval(f.multicast4(), C_LEAF);
        assertEinval(f.multicast4(), C_LEAF | D_ROOT | D_LEAF);
        ProtocolInfo both = rooted("rooted both", XP1_MULTIPOINT_CONTROL_PLANE | XP1_MULTIPOINT_DATA_PLANE);
        assertEinval(both, C_ROOT);
        assertEinval(both, C_ROOT | D_ROOT | D_LEAF);
    }

    @Test
    void wspSocket_cRootOnlyWithRootedControlPlane() {
        assertEinval(f.multicast4(), C_ROOT | D_LEAF);
        ProtocolInfo dataRootedOnly = rooted("rooted data", XP1_MULTIPOINT_DATA_PLANE);
        assertEinval(dataRootedOnly, C_ROOT | D_ROOT);
        ProtocolInfo controlRooted = rooted("rooted control", XP1_MULTIPOINT_CONTROL_PLANE);
        int s = create(controlRooted, C_ROOT | D_LEAF);
        assertThat(s).isPositive();
        assertThat(f.provider.socket(s).multipointRole()).isEqualTo(C_ROOT | D_LEAF);
    }

    @Test
    void wspSocket_dRootOnlyWithRootedDataPlane() {
        assertEinval(f.multicast4(), C_LEAF | D_ROOT);
        ProtocolInfo controlRootedOnly = rooted("rooted control", XP1_MULTIPOINT_CONTROL_PLANE);
        assertEinval(controlRootedOnly, C_ROOT | D_ROOT);
        ProtocolInfo dataRooted = rooted("rooted data", XP1_MULTIPOINT_DATA_PLANE);
        int s = create(dataRooted, C_LEAF | D_ROOT);
        assertThat(s).isPositive();
        assertThat(f.provider.socket(s).multipointRole()).isEqualTo(C_LEAF | D_ROOT);
    }

    @Test
    void wspSocket_rootsOnFullyRootedEntry() {
        ProtocolInfo both = rooted("rooted both", XP1_MULTIPOINT_CONTROL_PLANE | XP1_MULTIPOINT_DATA_PLANE);
        for (int flags : new int[] {C_ROOT | D_ROOT, C_ROOT | D_LEAF, C_LEAF | D_ROOT, C_LEAF | D_LEAF}) {
            int s = create(both, flags);
            assertThat(s).as("flags 0x%x", flags).isPositive();
            assertThat(f.provider.socket(s).multipointRole()).isEqualTo(flags);
        }
    }

    @Test
    void wspSocket_leavesOnlyWithSupportMultipoint() {
        assertEinval(f.udp4(), C_LEAF | D_LEAF);
        assertEinval(f.tcp4(), C_LEAF | D_LEAF);
        // Plane flags without XP1_SUPPORT_MULTIPOINT do not make an entry multipoint.
        ProtocolInfo planesOnly = f.catalog.registerBase("planes only", AF_INET, SOCK_DGRAM, 201, 0,
                XP1_CONNECTIONLESS | XP1_MULTIPOINT_CONTROL_PLANE | XP1_MULTIPOINT_DATA_PLANE, 0, 65507);
        assertEinval(planesOnly, C_ROOT | D_ROOT);
        assertEinval(planesOnly, C_LEAF | D_LEAF);
    }

    @Test
    void wspSocket_multipointFlagsDoNotSteerSelectionWithoutInfo() {
        // Without an info, selection is by (af, type, protocol) in catalog order, as in Winsock: the plain UDP
        // entry comes first and does not support multipoint.
        assertThat(f.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, null, 0, C_LEAF | D_LEAF)).isEqualTo(INVALID_SOCKET);
        assertThat(f.errno.get()).isEqualTo(WSAEINVAL);
        assertThat(f.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, f.multicast4(), 0, C_LEAF | D_LEAF)).isPositive();
    }
}
