/*
 * PeerFailureTest: how our stack's TCP ends a connection when the kernel at the other end fails, with socat in the
 * namespace as the peer:
 * - the peer vanishes mid-transfer (its address is deleted, so the kernel silently drops everything we send): the
 *   user timeout (RFC 9293 3.8.3, RFC 5482) ends the connection with WSAETIMEDOUT about userTimeout after the first
 *   unacknowledged byte; without a user timeout, the retry limit (RFC 1122 4.2.3.5 R2) does;
 * - the peer resets (socat killed with SIGKILL while we send: the kernel answers with RST, RFC 9293 3.10.7.4) or the
 *   kernel aborts the socket (`ss -K`, which sends a RST too): WSAECONNRESET at once;
 * - keep-alive (RFC 1122 4.2.3.6, RFC 9293 3.8.4): probes on an idle connection are answered by a live peer (the
 *   connection stays up), and after the peer vanished `count` unanswered probes end it with WSAETIMEDOUT.
 * Each test has its own fixture; every wait is bounded.
 */
package io.ustack.it;

import io.ustack.api.TcpSocket;
import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import io.ustack.tcp.TcpConfig;
import io.ustack.tcp.TcpExtCounters;
import io.ustack.link.Impairment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

@RequiresKernelPeer(commands = {"socat", "ss"})
class PeerFailureTest {
    private static final int PORT = 5401;
    /** More than any send buffer: the write is still pending when the connection ends. */
    private static final int BIG_WRITE = 64 << 20;
    private static final Duration USER_TIMEOUT = Duration.ofSeconds(3);

    @AfterEach
    void nothingOfOursIsLeft() {
        assertThat(KernelPeer.leftovers()).as("namespaces and TAP devices of this JVM").isEmpty();
    }

    @Test
    void aPeerThatVanishesMidTransferEndsTheConnectionWithinTheUserTimeout(@TempDir Path dir) throws Exception {
        // maxRetries stays at its default (15, minutes of backoff): only the user timeout can end it this soon
        TcpConfig tcp = new TcpConfig().userTimeout(USER_TIMEOUT);
        try (StackPeer net = start(tcp)) {
            Transfer t = Transfer.start(net, dir);
            try {
                long vanished = vanish(net);
                assertEnds(t.socket, WsaError.WSAETIMEDOUT, Duration.ofSeconds(20));
                long millis = KernelTools.millisSince(vanished);
                System.out.println("peer vanished mid-transfer; user timeout " + USER_TIMEOUT.toMillis()
                        + " ms; WSAETIMEDOUT after " + millis + " ms");
                // the oldest unacknowledged byte left at most a round trip before the address went away; the
                // verdict may be late by the UserTimeout mark spacing (timeout/16) and a timer tick
                assertThat(millis).as("ms from the vanishing to WSAETIMEDOUT")
                        .isBetween(USER_TIMEOUT.toMillis() - 500, USER_TIMEOUT.toMillis() + 2_000);
                assertWriteFailed(t.write, WsaError.WSAETIMEDOUT);
                TcpExtCounters ext = net.stack().call(iface -> iface.tcp().extCounters()).join();
                assertThat(net.stack().call(iface -> ext.userTimeouts).join()).as("user timeouts counted")
                        .isEqualTo(1);
            } finally {
                t.close();
            }
        }
    }

    @Test
    void withoutAUserTimeoutTheRetryLimitEndsTheConnection(@TempDir Path dir) throws Exception {
        // RTOs from 200 ms (the floor) doubling to the 2 s cap: the fifth expiry gives up, about 5-6 s after the loss
        TcpConfig tcp = new TcpConfig().maxRetries(4).rtoMax(Duration.ofSeconds(2));
        try (StackPeer net = start(tcp)) {
            Transfer t = Transfer.start(net, dir);
            try {
                long vanished = vanish(net);
                assertEnds(t.socket, WsaError.WSAETIMEDOUT, Duration.ofSeconds(30));
                long millis = KernelTools.millisSince(vanished);
                System.out.println("peer vanished mid-transfer; maxRetries 4; WSAETIMEDOUT after " + millis + " ms");
                assertThat(millis).as("ms from the vanishing to WSAETIMEDOUT (4 backed-off retries)")
                        .isBetween(1_000L, 15_000L);
                assertWriteFailed(t.write, WsaError.WSAETIMEDOUT);
            } finally {
                t.close();
            }
        }
    }

    @Test
    void aPeerKilledMidTransferResetsTheConnection(@TempDir Path dir) throws Exception {
        try (StackPeer net = start(new TcpConfig())) {
            Transfer t = Transfer.start(net, dir);
            try {
                long killed = System.nanoTime();
                // SIGKILL: `ip netns exec` became socat (exec), so this is socat's pid; the kernel closes its
                // socket with data unread or still arriving, and answers our next segment with a RST
                t.socat.destroyForcibly();
                assertThat(t.socat.waitFor(10, TimeUnit.SECONDS)).as("socat is gone").isTrue();
                assertEnds(t.socket, WsaError.WSAECONNRESET, Duration.ofSeconds(10));
                long millis = KernelTools.millisSince(killed);
                System.out.println("socat SIGKILLed mid-transfer: WSAECONNRESET after " + millis + " ms");
                assertThat(millis).as("a reset ends the connection at once").isLessThan(2_000);
                assertWriteFailed(t.write, WsaError.WSAECONNRESET);
            } finally {
                t.close();
            }
        }
    }

    @Test
    void aSocketTheKernelDestroysResetsTheConnection(@TempDir Path dir) throws Exception {
        try (StackPeer net = start(new TcpConfig())) {
            Transfer t = Transfer.start(net, dir);
            try {
                long start = System.nanoTime();
                // ss -K: the kernel aborts the matching socket (tcp_abort), which sends a RST
                ExecResult kill = net.peer().run(KernelTools.QUICK, "ss", "-K", "-tnH", "dst", net.stackAddress());
                assertThat(kill.ok() && !kill.stdout().isBlank())
                        .as("`ss -K` destroyed the socket (needs a kernel with CONFIG_INET_DIAG_DESTROY): "
                                + kill.describe()).isTrue();
                assertEnds(t.socket, WsaError.WSAECONNRESET, Duration.ofSeconds(10));
                long millis = KernelTools.millisSince(start);
                System.out.println("ss -K: WSAECONNRESET after " + millis + " ms");
                assertThat(millis).as("a reset ends the connection at once").isLessThan(2_000);
                assertWriteFailed(t.write, WsaError.WSAECONNRESET);
            } finally {
                t.close();
            }
        }
    }

    @Test
    void keepAliveKeepsALivePeerAndDetectsADeadIdleOne() throws Exception {
        Duration idle = Duration.ofMillis(600);
        Duration interval = Duration.ofMillis(300);
        int count = 3;
        TcpConfig tcp = new TcpConfig().keepAlive(true).keepAlive(idle, interval, count);
        try (StackPeer net = start(tcp)) {
            // a listener that only waits: nothing flows either way, so only keep-alives keep the connection checked
            Process socat = net.peer().exec("socat", "-u", "TCP-LISTEN:" + PORT + ",reuseaddr", "OPEN:/dev/null");
            try {
                KernelTools.awaitTcpListener(net.peer().namespace(), PORT, Duration.ofSeconds(10));
                TcpSocket s = net.stack().connect(net.kernel(PORT)).get(10, TimeUnit.SECONDS);
                TcpExtCounters ext = net.stack().call(iface -> iface.tcp().extCounters()).join();
                // phase 1: the peer answers: probes go out, the connection stays up
                long alive = 4 * idle.toMillis();
                assertThat(catchThrowable(() -> s.closeFuture().get(alive, TimeUnit.MILLISECONDS)))
                        .as("the idle connection to a live peer is still open after " + alive + " ms")
                        .isInstanceOf(java.util.concurrent.TimeoutException.class);
                long probes = net.stack().call(iface -> ext.keepAliveProbes).join();
                assertThat(probes).as("keep-alive probes sent to (and answered by) the live peer")
                        .isGreaterThanOrEqualTo(2);
                assertThat(net.stack().call(iface -> ext.keepAliveTimeouts).join()).isZero();
                // phase 2: the peer vanishes: idle, then `count` probes `interval` apart go unanswered
                long vanished = vanish(net);
                assertEnds(s, WsaError.WSAETIMEDOUT, Duration.ofSeconds(20));
                long millis = KernelTools.millisSince(vanished);
                System.out.println("keep-alive " + idle.toMillis() + "/" + interval.toMillis() + "/" + count
                        + ": " + probes + " probes answered while alive; WSAETIMEDOUT " + millis
                        + " ms after the peer vanished");
                long expected = idle.toMillis() + count * interval.toMillis();
                // the idle time counts from the last answer, which came up to one idle period before the vanishing
                assertThat(millis).as("ms from the vanishing to WSAETIMEDOUT (about idle + count * interval)")
                        .isBetween(expected - idle.toMillis() - 200, expected + 2_000);
                assertThat(net.stack().call(iface -> ext.keepAliveTimeouts).join()).as("keep-alive timeouts")
                        .isEqualTo(1);
                assertThat(net.stack().call(iface -> ext.keepAliveProbes).join() - probes)
                        .as("unanswered probes before giving up").isEqualTo(count);
            } finally {
                KernelTools.kill(socat);
            }
        }
    }

    private static StackPeer start(TcpConfig tcp) throws Exception {
        return StackPeer.start(Impairment.NONE, tcp, null);
    }

    /**
     * Makes the kernel's side disappear without a word: its address is deleted, so it drops every segment we send
     * (it does not forward, and has no socket for them) and sends nothing. Returns System.nanoTime() when done.
     */
    private static long vanish(StackPeer net) {
        net.peer().ip("addr", "del", net.peer().kernelAddress() + "/" + net.peer().prefixLength(), "dev",
                net.peer().deviceName());
        return System.nanoTime();
    }

    private static void assertEnds(TcpSocket s, int wsaError, Duration limit) throws Exception {
        s.closeFuture().get(limit.toMillis(), TimeUnit.MILLISECONDS);
        // error() is set on the engine thread before closeFuture completes, so it is visible here
        assertThat(WsaError.name(s.error())).as("the error that ended the connection")
                .isEqualTo(WsaError.name(wsaError));
    }

    private static void assertWriteFailed(CompletableFuture<Integer> write, int wsaError) throws Exception {
        Throwable failure = catchThrowable(() -> write.get(5, TimeUnit.SECONDS));
        assertThat(failure).as("the pending write").isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(WsaException.class);
        assertThat(WsaError.name(((WsaException) failure.getCause()).error())).as("the write's error")
                .isEqualTo(WsaError.name(wsaError));
    }

    /**
     * Our stack connected to socat, which writes what it receives to a file, with one write bigger than any buffer
     * pending; started once at least 1 MiB has arrived, so the failure hits a transfer in full flow.
     */
    private record Transfer(Process socat, TcpSocket socket, CompletableFuture<Integer> write) {
        static Transfer start(StackPeer net, Path dir) throws Exception {
            Path received = dir.resolve("received.bin");
            Process socat = net.peer().exec("socat", "-u", "TCP-LISTEN:" + PORT + ",reuseaddr", "CREATE:" + received);
            boolean done = false;
            try {
                KernelTools.awaitTcpListener(net.peer().namespace(), PORT, Duration.ofSeconds(10));
                TcpSocket s = net.stack().connect(net.kernel(PORT)).get(10, TimeUnit.SECONDS);
                CompletableFuture<Integer> write = s.write(ByteBuffer.wrap(KernelTools.randomBytes(BIG_WRITE, 7)));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!Files.exists(received) || Files.size(received) < (1 << 20)) {
                    assertThat(System.nanoTime() - deadline).as("1 MiB reached socat within 30 s").isNegative();
                    assertThat(write).as("the write is still pending").isNotDone();
                    TimeUnit.MILLISECONDS.sleep(10);
                }
                assertThat(write).as("the write is still pending").isNotDone();
                done = true;
                return new Transfer(socat, s, write);
            } finally {
                if (!done) {
                    KernelTools.kill(socat);
                }
            }
        }

        void close() {
            socket.abort();
            KernelTools.kill(socat);
        }
    }
}
