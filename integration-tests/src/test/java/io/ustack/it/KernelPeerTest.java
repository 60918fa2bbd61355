/*
 * KernelPeerTest: the lowest-level proof that a TapLink is wired to a real kernel: the kernel's ARP requests for
 * the stack's address reach receive(), and frames from transmit() reach the kernel, which answers them (ARP reply,
 * ICMP echo reply per RFC 792). Frames are built and parsed by hand here, not with the stack's wire code. Afterwards
 * nothing of ours is left: no namespace, no TAP device.
 */
package io.ustack.it;

import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import io.netty.buffer.ByteBuf;
import io.ustack.tap.TapLink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.ustack.it.TestFrames.ARP_OPER_OFFSET;
import static io.ustack.it.TestFrames.ARP_REPLY;
import static io.ustack.it.TestFrames.ARP_REQUEST;
import static io.ustack.it.TestFrames.ARP_SHA_OFFSET;
import static io.ustack.it.TestFrames.ARP_SPA_OFFSET;
import static io.ustack.it.TestFrames.ARP_THA_OFFSET;
import static io.ustack.it.TestFrames.ARP_TPA_OFFSET;
import static io.ustack.it.TestFrames.BROADCAST_MAC;
import static io.ustack.it.TestFrames.ICMP_OFFSET;
import static io.ustack.it.TestFrames.IP_OFFSET;
import static org.assertj.core.api.Assertions.assertThat;

@RequiresKernelPeer(commands = {"ping"})
class KernelPeerTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static KernelPeer peer;

    @BeforeAll
    static void createPeer() throws Exception {
        peer = KernelPeer.create();
    }

    @AfterAll
    static void closePeerAndCheckNothingIsLeft() {
        if (peer != null) {
            peer.close();
            assertThat(KernelPeer.leftovers()).as("namespaces and TAP devices of this JVM").isEmpty();
            assertThat(KernelPeer.runCommand(List.of("ip", "netns", "list"), WAIT).stdout())
                    .doesNotContain(peer.namespace());
            assertThat(KernelPeer.runCommand(List.of("ip", "-o", "link", "show", "type", "tun"), WAIT).stdout())
                    .doesNotContain(peer.deviceName());
        }
    }

    @Test
    void theKernelSideLivesInTheNamespaceWithItsAddress() {
        assertThat(peer.stackAddress()).isNotEqualTo(peer.kernelAddress());
        assertThat(peer.prefixLength()).isEqualTo(24);
        ExecResult addr = peer.run(WAIT, "ip", "-o", "-4", "addr", "show", "dev", peer.deviceName()).orThrow();
        assertThat(addr.stdout()).contains("inet " + peer.kernelAddress() + "/24");
        ExecResult link = peer.run(WAIT, "ip", "-o", "link", "show", "dev", peer.deviceName()).orThrow();
        assertThat(link.stdout()).contains("state UP");
        assertThat(KernelPeer.runCommand(List.of("ip", "-o", "link", "show", "dev", peer.deviceName()), WAIT).ok())
                .as("the device is gone from the root namespace").isFalse();
        assertThat(peer.link().isUp()).isTrue();
    }

    @Test
    void theKernelsArpRequestForTheStackAddressArrivesAtReceive() throws Exception {
        TapLink link = peer.link();
        int stackIp = peer.stackAddressInt();
        // Forget what an earlier test taught the kernel about us, so it has to ask.
        peer.ip("neigh", "flush", "dev", peer.deviceName());
        Process ping = peer.exec("ping", "-c", "1", "-W", "1", peer.stackAddress());
        try {
            ByteBuf request = TestFrames.receiveUntil(link, WAIT,
                    f -> TestFrames.isArp(f, ARP_REQUEST) && f.getInt(ARP_TPA_OFFSET) == stackIp, f -> { });
            assertThat(request).as("an ARP request for " + peer.stackAddress()).isNotNull();
            try {
                assertThat(TestFrames.mac(request, 0)).as("Ethernet destination").isEqualTo(BROADCAST_MAC);
                assertThat(TestFrames.mac(request, ARP_SHA_OFFSET)).isEqualTo(peer.kernelMac());
                assertThat(request.getInt(ARP_SPA_OFFSET)).isEqualTo(peer.kernelAddressInt());
            } finally {
                request.release();
            }
        } finally {
            ping.waitFor(5, TimeUnit.SECONDS);
            ping.destroyForcibly();
        }
    }

    @Test
    void framesFromTransmitReachTheKernelWhichAnswersArpAndEcho() {
        TapLink link = peer.link();
        long ourMac = link.macAddress();
        int ourIp = peer.stackAddressInt();
        int kernelIp = peer.kernelAddressInt();
        List<String> answeredKernelArp = new ArrayList<>();
        // If the kernel asks who has our address (before replying to the echo), answer like a host would.
        Consumer<ByteBuf> answerArp = f -> {
            if (TestFrames.isArp(f, ARP_REQUEST) && f.getInt(ARP_TPA_OFFSET) == ourIp) {
                long asker = TestFrames.mac(f, ARP_SHA_OFFSET);
                link.transmit(TestFrames.arp(ARP_REPLY, asker, ourMac, ourIp, asker, f.getInt(ARP_SPA_OFFSET)));
                answeredKernelArp.add("answered");
            }
        };

        assertThat(link.transmit(TestFrames.arp(ARP_REQUEST, BROADCAST_MAC, ourMac, ourIp, 0, kernelIp))).isTrue();
        ByteBuf reply = TestFrames.receiveUntil(link, WAIT,
                f -> TestFrames.isArp(f, ARP_REPLY) && f.getInt(ARP_SPA_OFFSET) == kernelIp, answerArp);
        assertThat(reply).as("the kernel's ARP reply to our request").isNotNull();
        long kernelMac;
        try {
            kernelMac = TestFrames.mac(reply, ARP_SHA_OFFSET);
            assertThat(kernelMac).isEqualTo(peer.kernelMac());
            assertThat(TestFrames.mac(reply, 0)).as("reply sent to our MAC").isEqualTo(ourMac);
            assertThat(TestFrames.mac(reply, ARP_THA_OFFSET)).isEqualTo(ourMac);
            assertThat(reply.getInt(ARP_TPA_OFFSET)).isEqualTo(ourIp);
            assertThat(reply.getUnsignedShort(ARP_OPER_OFFSET)).isEqualTo(ARP_REPLY);
        } finally {
            reply.release();
        }

        byte[] payload = "ustack echo over a kernel TAP".getBytes(StandardCharsets.US_ASCII);
        int id = 0x5A5A;
        assertThat(link.transmit(TestFrames.icmpEchoRequest(kernelMac, ourMac, ourIp, kernelIp, id, 7, payload)))
                .isTrue();
        ByteBuf echo = TestFrames.receiveUntil(link, WAIT,
                f -> TestFrames.etherType(f) == TestFrames.ETHERTYPE_IPV4 && f.readableBytes() >= ICMP_OFFSET + 8
                        && f.getUnsignedByte(TestFrames.IP_PROTOCOL_OFFSET) == 1
                        && f.getUnsignedByte(ICMP_OFFSET) == TestFrames.ICMP_ECHO_REPLY,
                answerArp);
        assertThat(echo).as("the kernel's echo reply").isNotNull();
        try {
            assertThat(TestFrames.mac(echo, 0)).isEqualTo(ourMac);
            assertThat(TestFrames.mac(echo, 6)).isEqualTo(kernelMac);
            assertThat(echo.getInt(TestFrames.IP_SOURCE_OFFSET)).isEqualTo(kernelIp);
            assertThat(echo.getInt(TestFrames.IP_DESTINATION_OFFSET)).isEqualTo(ourIp);
            assertThat(TestFrames.checksum(echo, IP_OFFSET, 20)).as("IPv4 header checksum verifies").isZero();
            int icmpLength = echo.getUnsignedShort(IP_OFFSET + 2) - 20;
            assertThat(icmpLength).isEqualTo(8 + payload.length);
            assertThat(TestFrames.checksum(echo, ICMP_OFFSET, icmpLength)).as("ICMP checksum verifies").isZero();
            assertThat(echo.getUnsignedShort(ICMP_OFFSET + 4)).as("identifier").isEqualTo(id);
            assertThat(echo.getUnsignedShort(ICMP_OFFSET + 6)).as("sequence").isEqualTo(7);
            byte[] echoed = new byte[payload.length];
            echo.getBytes(ICMP_OFFSET + 8, echoed);
            assertThat(echoed).isEqualTo(payload);
        } finally {
            echo.release();
        }
        assertThat(link.txFrames()).isGreaterThanOrEqualTo(2);
    }
}
