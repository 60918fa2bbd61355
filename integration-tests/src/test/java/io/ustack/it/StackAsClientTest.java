/*
 * StackAsClientTest: our stack as the TCP client (RFC 9293 active OPEN) of socat listening in the namespace, moving
 * 10 MiB each way: we send random data that socat writes to a file, and socat serves a file that we read to its end
 * (socat's FIN). Both are checked by SHA-256. The listener's readiness is polled with `ss -ltn` (bounded). And a
 * connection to a port where nothing listens fails at once with WSAECONNREFUSED (the kernel's RST, RFC 9293 3.10.7.3).
 */
package io.ustack.it;

import io.ustack.api.TcpSocket;
import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.tap.netns.KernelPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

@RequiresKernelPeer(commands = {"socat", "ss"})
class StackAsClientTest extends SharedStackPeer {
    private static final int TEN_MIB = 10 << 20;
    private static final Duration LISTEN_LIMIT = Duration.ofSeconds(10);
    private static final long TRANSFER_SECONDS = 120;
    @Test
    void connectingToAClosedKernelPortIsRefused() {
        long start = System.nanoTime();
        Throwable failure = catchThrowable(() -> net.stack().connect(net.kernel(5999)).get(10, TimeUnit.SECONDS));
        long millis = KernelTools.millisSince(start);
        assertThat(failure).isInstanceOf(ExecutionException.class).cause().isInstanceOf(WsaException.class);
        assertThat(((WsaException) failure.getCause()).error()).as("WSA error")
                .isEqualTo(WsaError.WSAECONNREFUSED);
        assertThat(millis).as("refused without waiting for a timeout").isLessThan(2_000);
    }

    @Test
    void weSendTenMebibytesToSocat(@TempDir Path dir) throws Exception {
        int port = 5001;
        byte[] data = KernelTools.randomBytes(TEN_MIB, 0xC11E);
        Path received = dir.resolve("received.bin");
        // -u: one direction only, from the accepted connection into the file; socat exits at our FIN
        Process socat = net.peer().exec("socat", "-u", "TCP-LISTEN:" + port + ",reuseaddr",
                "CREATE:" + received);
        try {
            KernelTools.awaitTcpListener(net.peer().namespace(), port, LISTEN_LIMIT);
            TcpSocket s = net.stack().connect(net.kernel(port)).get(10, TimeUnit.SECONDS);
            long start = System.nanoTime();
            try {
                int written = s.write(ByteBuffer.wrap(data)).get(TRANSFER_SECONDS, TimeUnit.SECONDS);
                assertThat(written).isEqualTo(TEN_MIB);
            } finally {
                s.close();
            }
            assertThat(KernelTools.awaitExit(socat, Duration.ofSeconds(TRANSFER_SECONDS), "socat receiving"))
                    .as("socat's exit status").isZero();
            long millis = KernelTools.millisSince(start);
            System.out.printf("stack -> socat, 10 MiB: %d ms, %.1f Mbit/s%n", millis, TEN_MIB * 8.0 / 1e3 / millis);
            assertThat(Files.size(received)).as("bytes socat wrote").isEqualTo(TEN_MIB);
            assertThat(KernelTools.sha256(received)).as("SHA-256 of what socat received")
                    .isEqualTo(KernelTools.sha256(data));
        } finally {
            KernelTools.kill(socat);
        }
    }

    @Test
    void weReadTenMebibytesFromSocat(@TempDir Path dir) throws Exception {
        int port = 5002;
        byte[] data = KernelTools.randomBytes(TEN_MIB, 0x5E4F);
        Path served = dir.resolve("served.bin");
        Files.write(served, data);
        // -u: from the file into the accepted connection; at the file's end socat shuts down and closes (FIN)
        Process socat = net.peer().exec("socat", "-u", "OPEN:" + served + ",rdonly",
                "TCP-LISTEN:" + port + ",reuseaddr");
        try {
            KernelTools.awaitTcpListener(net.peer().namespace(), port, LISTEN_LIMIT);
            TcpSocket s = net.stack().connect(net.kernel(port)).get(10, TimeUnit.SECONDS);
            MessageDigest md = KernelTools.sha256();
            long total = 0;
            long start = System.nanoTime();
            try {
                ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TRANSFER_SECONDS);
                while (true) {
                    long left = deadline - System.nanoTime();
                    assertThat(left).as("time left to read (got %d bytes)", total).isPositive();
                    int n = s.read(buf.clear()).get(left, TimeUnit.NANOSECONDS);
                    if (n < 0) {
                        break;
                    }
                    md.update(buf.array(), 0, n);
                    total += n;
                }
            } finally {
                s.close();
            }
            long millis = KernelTools.millisSince(start);
            System.out.printf("socat -> stack, 10 MiB: %d ms, %.1f Mbit/s%n", millis, total * 8.0 / 1e3 / millis);
            assertThat(total).as("bytes read before the end of stream").isEqualTo(TEN_MIB);
            assertThat(HexFormat.of().formatHex(md.digest())).as("SHA-256 of what we read")
                    .isEqualTo(KernelTools.sha256(data));
            assertThat(KernelTools.awaitExit(socat, Duration.ofSeconds(10), "socat serving"))
                    .as("socat's exit status").isZero();
        } finally {
            KernelTools.kill(socat);
        }
    }
}
