/*
 * OffloadingLinkTransferTest: two threaded stacks on an in-memory link with TCP segmentation offload (as a veth with
 * TSO and GRO): the sender builds super-segments, they cross whole with a PARTIAL checksum state, the receiver takes
 * each as one segment, and the bytes arrive intact both ways (HTTP download with its SHA-256, a TCP echo). The
 * tests of HttpServiceTest run over this link too.
 */
package io.ustack.app;

import io.ustack.api.TcpSocket;
import io.ustack.link.InMemoryLink;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class OffloadingLinkTransferTest extends HttpServiceTest {
    @Override
    InMemoryLink[] links() {
        return InMemoryLink.pair(1500, true);
    }

    @Test
    void aDownloadCrossesAsSuperSegmentsIntact() throws Exception {
        long bytes = 32L << 20;
        HttpFetch.Result r = HttpFetch.get(client, new InetSocketAddress("10.0.0.1", Services.HTTP), "/bytes/" + bytes);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyBytes()).isEqualTo(bytes);
        assertThat(r.sha256()).isEqualTo(PatternBytes.sha256(bytes));
        long superSegments = server.call(iface -> iface.counters().tcpSuperSegmentsOut).join();
        long frames = server.call(iface -> iface.counters().framesOut).join();
        System.out.printf("32 MiB over an offloading in-memory link: %d frames, %d of them super-segments, %.0f"
                + " Mbit/s%n", frames, superSegments, r.megabitsPerSecond());
        assertThat(superSegments).isPositive();
        assertThat(frames).as("far fewer frames than 1448-byte segments").isLessThan(bytes / 1448 / 4);
    }

    @Test
    void anEchoComesBackIntactBothWays() {
        byte[] data = new byte[4 << 20];
        new SplittableRandom(11).nextBytes(data);
        TcpSocket s = client.connect(new InetSocketAddress("10.0.0.1", Services.ECHO)).join();
        s.write(ByteBuffer.wrap(data));
        ByteBuffer back = ByteBuffer.allocate(data.length);
        while (back.hasRemaining() && s.read(back).join() >= 0) {
            // keep reading
        }
        s.close();
        assertThat(Arrays.equals(back.array(), data)).isTrue();
        assertThat(client.call(iface -> iface.counters().tcpSuperSegmentsOut).join()).isPositive();
    }
}
