/*
 * AbandonedReceiveTest: a receive the application gave up on (its future timed out with orTimeout, or was
 * cancelled) must not swallow data that arrives later; the kernel sends with socat. Found while making `ustack demo`
 * tolerate loss: UdpSocket.deliver() and TcpSocket.serveReads() hand the next data to the oldest posted future even
 * when it is already done, so one datagram (or one read's worth of stream) vanishes. Fixed: both now skip
 * futures that are already done.
 */
package io.ustack.it;

import io.ustack.api.Datagram;
import io.ustack.api.TcpSocket;
import io.ustack.api.UdpSocket;
import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

@RequiresKernelPeer(commands = {"socat", "bash", "ss"})
class AbandonedReceiveTest extends SharedStackPeer {
    @Test
    void aTimedOutUdpReceiveDoesNotSwallowTheNextDatagram() throws Exception {
        UdpSocket u = net.stack().openUdp(6001).get(10, TimeUnit.SECONDS);
        try {
            CompletableFuture<Datagram> abandoned = u.receive().orTimeout(100, TimeUnit.MILLISECONDS);
            assertThat(catchThrowable(abandoned::join)).as("the first receive timed out").isNotNull();
            CompletableFuture<Datagram> next = u.receive();
            send(net, "UDP", 6001, "first");
            Datagram d = next.get(10, TimeUnit.SECONDS);
            assertThat(StandardCharsets.US_ASCII.decode(d.data()).toString()).as("the datagram the live receive got")
                    .isEqualTo("first");
        } finally {
            u.close();
        }
    }

    @Test
    void aTimedOutTcpReadDoesNotSwallowTheNextBytes() throws Exception {
        int port = 6002;
        // the kernel connects to us and sends one line after a pause, then waits for our FIN
        var server = net.stack().listen(port, 4).get(10, TimeUnit.SECONDS);
        Process socat = net.peer().exec("bash", "-c", "(sleep 1; printf first) | socat -t 5 - TCP:"
                + net.stackAddress() + ":" + port);
        try {
            TcpSocket s = server.accept().get(10, TimeUnit.SECONDS);
            try {
                CompletableFuture<Integer> abandoned = s.read(ByteBuffer.allocate(64))
                        .orTimeout(100, TimeUnit.MILLISECONDS);
                assertThat(catchThrowable(abandoned::join)).as("the first read timed out").isNotNull();
                ByteBuffer buf = ByteBuffer.allocate(64);
                int n = s.read(buf).get(10, TimeUnit.SECONDS);
                assertThat(n).as("bytes the live read got (-1: end of stream)").isEqualTo(5);
                assertThat(new String(buf.array(), 0, n, StandardCharsets.US_ASCII)).isEqualTo("first");
            } finally {
                s.close();
            }
        } finally {
            KernelTools.kill(socat);
            server.close();
        }
    }

    private static void send(StackPeer net, String protocol, int port, String text) {
        ExecResult r = KernelTools.sh(net.peer(), Duration.ofSeconds(10), "printf " + KernelTools.quote(text)
                + " | socat -u - " + protocol + ":" + net.stackAddress() + ":" + port);
        assertThat(r.ok()).as(r.describe()).isTrue();
    }
}
