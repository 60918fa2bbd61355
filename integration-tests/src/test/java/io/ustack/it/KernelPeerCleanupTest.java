/*
 * KernelPeerCleanupTest: a fixture leaves nothing behind however it ends: closed twice, closed after someone else
 * removed its namespace, or closed while a command it started in the namespace still runs.
 */
package io.ustack.it;

import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"sleep"})
class KernelPeerCleanupTest {

    @AfterEach
    void nothingOfOursIsLeft() {
        assertThat(KernelPeer.leftovers()).isEmpty();
    }

    @Test
    void closeIsIdempotentAndTakesTheLinkDown() throws Exception {
        KernelPeer peer = KernelPeer.create();
        assertThat(peer.link().isUp()).isTrue();
        peer.close();
        peer.close();
        assertThat(peer.link().isUp()).isFalse();
    }

    @Test
    void closeCopesWithANamespaceRemovedBehindItsBack() throws Exception {
        KernelPeer peer = KernelPeer.create();
        KernelPeer.runCommand(List.of("ip", "netns", "del", peer.namespace()), Duration.ofSeconds(10)).orThrow();
        peer.close();
    }

    @Test
    void closeEndsCommandsStillRunningInTheNamespace() throws Exception {
        KernelPeer peer = KernelPeer.create();
        Process sleeper = peer.exec("sleep", "600");
        assertThat(sleeper.isAlive()).isTrue();
        peer.close();
        assertThat(sleeper.onExit().get().isAlive()).isFalse();
    }

    @Test
    void fixturesGetDistinctNamesAndSubnets() throws Exception {
        try (KernelPeer a = KernelPeer.create(); KernelPeer b = KernelPeer.create(1400)) {
            assertThat(a.namespace()).isNotEqualTo(b.namespace()).startsWith(KernelPeer.NAME_PREFIX);
            assertThat(a.namespace().length()).isLessThanOrEqualTo(15);
            assertThat(a.kernelAddress()).isNotEqualTo(b.kernelAddress());
            assertThat(b.mtu()).isEqualTo(1400);
            assertThat(b.run(Duration.ofSeconds(10), "ip", "-o", "link", "show", "dev", b.deviceName()).stdout())
                    .contains("mtu 1400");
            // Each namespace sees only its own TAP.
            assertThat(a.run(Duration.ofSeconds(10), "ip", "-o", "link", "show").stdout())
                    .contains(a.deviceName()).doesNotContain(b.deviceName());
        }
    }
}
