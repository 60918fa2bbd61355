package io.ustack.api;

import io.ustack.link.ImpairedLink;
import io.ustack.testing.StackPair;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole stack (Ethernet, ARP, IPv4 checksums, TCP recovery, socket futures) under the impairment decorator on the
 * client's link, both directions, a fixed seed and the manual clock: every byte arrives intact and in order.
 */
class ImpairedTransferTest {
    @Test
    void fourMebibytesEachWayUnderLossReorderDuplicationAndCorruption() throws Exception {
        String spec = "loss=10,reorder=5,duplicate=1,corrupt=1,delay=5ms,seed=20261124";
        StackPair net = new StackPair(1500, (l, clock) -> ImpairedLink.of(l, clock, spec));
        try (net) {
            TcpServerSocket listener = net.await(net.server.listen(7, 4));
            CompletableFuture<TcpSocket> accepted = listener.accept();
            TcpSocket c = net.await(net.client.connect(new InetSocketAddress("10.0.0.1", 7)));
            TcpSocket s = net.await(accepted);
            byte[] up = random(4 << 20, 1);
            byte[] down = random(4 << 20, 2);
            CompletableFuture<Integer> w1 = c.write(ByteBuffer.wrap(up));
            CompletableFuture<Integer> w2 = s.write(ByteBuffer.wrap(down));
            ByteBuffer gotUp = ByteBuffer.allocate(up.length);
            ByteBuffer gotDown = ByteBuffer.allocate(down.length);
            while (gotUp.hasRemaining() || gotDown.hasRemaining()) {
                if (gotUp.hasRemaining()) {
                    net.await(s.read(gotUp));
                }
                if (gotDown.hasRemaining()) {
                    net.await(c.read(gotDown));
                }
            }
            net.await(w1);
            net.await(w2);
            assertThat(sha(gotUp.array())).isEqualTo(sha(up));
            assertThat(sha(gotDown.array())).isEqualTo(sha(down));
            assertThat(net.client.counters().tcpRetransmits + net.server.counters().tcpRetransmits).isPositive();
            assertThat(net.server.counters().drops(io.ustack.wire.DropReason.BAD_CHECKSUM)
                    + net.client.counters().drops(io.ustack.wire.DropReason.BAD_CHECKSUM))
                    .as("corrupted frames are caught by checksums").isPositive();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static byte[] sha(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
