/*
 * StartedStacksConcurrencyTest: the provider under real concurrency: two stacks running on their own engine threads
 * (system clock), many virtual threads making blocking WSP calls at once: echo connections that must each get back
 * exactly their own bytes, datagram sockets created, used and closed in a loop whose stale descriptors must answer
 * WSAENOTSOCK, and a shared socket used from several threads. The descriptor table's own concurrency proof is
 * DescriptorTableStressTest.
 */
package io.ustack.spi.stack;

import io.ustack.api.Stack;
import io.ustack.link.InMemoryLink;
import io.ustack.spi.BaseProvider;
import io.ustack.spi.BufferBudget;
import io.ustack.spi.ErrnoRef;
import io.ustack.spi.IntRef;
import io.ustack.spi.ProtocolCatalog;
import io.ustack.spi.SockAddr;
import io.ustack.spi.WspData;
import io.ustack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static io.ustack.spi.SocketOptions.SD_SEND;
import static io.ustack.spi.Winsock.*;
import static io.ustack.spi.WsaError.*;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class StartedStacksConcurrencyTest {
    private final InMemoryLink[] pair = InMemoryLink.pair(1500);
    private final Stack serverStack = Stack.builder(pair[0]).name("server").ipv4("10.0.0.1/24").build().start();
    private final Stack clientStack = Stack.builder(pair[1]).name("client").ipv4("10.0.0.2/24").build().start();
    private final BaseProvider server = provider(serverStack);
    private final BaseProvider client = provider(clientStack);
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    private static BaseProvider provider(Stack stack) {
        ProtocolCatalog catalog = new ProtocolCatalog();
        BaseProvider p = new BaseProvider(catalog, new StackBackend(stack, new BufferBudget(1L << 40)), 1024);
        if (p.wspStartup(WINSOCK_VERSION_2_2, new WspData(), catalog.baseEntries().getFirst()) != 0) {
            throw new AssertionError("startup");
        }
        return p;
    }

    @AfterEach
    void close() {
        serverStack.close();
        clientStack.close();
    }

    private static byte[] addr(String ip, int port) {
        return SockAddr.inet4(Ipv4Address.parse(ip), port);
    }

    private Thread run(Runnable r) {
        return Thread.ofVirtual().start(() -> {
            try {
                r.run();
            } catch (Throwable t) {
                failures.add(t);
            }
        });
    }

    private static void ok(int result, ErrnoRef e, String what) {
        if (result != 0) {
            throw new AssertionError(what + ": " + e);
        }
    }

    @Test
    void manyBlockingEchoConnectionsAndDatagramChurnAtOnce() throws Exception {
        ErrnoRef e = new ErrnoRef();
        int l = server.wspSocket(AF_INET, SOCK_STREAM, 0, null, 0, 0, e);
        ok(server.wspBind(l, addr("0.0.0.0", 7), 16, e), e, "bind");
        ok(server.wspListen(l, 64, e), e, "listen");
        int clients = 16;
        int size = 64 * 1024;
        List<Thread> threads = new ArrayList<>();
        threads.add(run(() -> { // acceptor: one echo thread per connection
            ErrnoRef ae = new ErrnoRef();
            for (int i = 0; i < clients; i++) {
                int a = server.wspAccept(l, null, null, null, ae);
                if (a == INVALID_SOCKET) {
                    throw new AssertionError("accept: " + ae);
                }
                threads.add(run(() -> echo(a)));
            }
        }));
        AtomicInteger verified = new AtomicInteger();
        List<Thread> clientThreads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            long seed = i;
            clientThreads.add(run(() -> {
                ErrnoRef ce = new ErrnoRef();
                int s = client.wspSocket(AF_INET, SOCK_STREAM, 0, null, 0, 0, ce);
                ok(client.wspConnect(s, addr("10.0.0.1", 7), 16, ce), ce, "connect");
                byte[] data = new byte[size];
                new SplittableRandom(seed).nextBytes(data);
                IntRef n = new IntRef();
                ok(client.wspSend(s, new ByteBuffer[] {ByteBuffer.wrap(data)}, 1, n, 0, null, ce), ce, "send");
                ok(client.wspShutdown(s, SD_SEND, ce), ce, "shutdown");
                byte[] back = new byte[size];
                int total = 0;
                while (true) {
                    ok(client.wspRecv(s, new ByteBuffer[] {ByteBuffer.wrap(back, total, size - total)}, 1, n,
                            new IntRef(), null, ce), ce, "recv");
                    if (n.get() == 0) {
                        break;
                    }
                    total += n.get();
                }
                assertThat(total).isEqualTo(size);
                assertThat(back).isEqualTo(data);
                ok(client.wspCloseSocket(s, ce), ce, "close");
                verified.incrementAndGet();
            }));
        }
        List<Thread> churn = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            churn.add(run(() -> {
                ErrnoRef ue = new ErrnoRef();
                for (int i = 0; i < 200; i++) {
                    int u = client.wspSocket(AF_INET, SOCK_DGRAM, 0, null, 0, 0, ue);
                    ok(client.wspBind(u, addr("0.0.0.0", 0), 16, ue), ue, "udp bind");
                    ok(client.wspSendTo(u, new ByteBuffer[] {ByteBuffer.allocate(8)}, 1, new IntRef(), 0,
                            addr("10.0.0.1", 9), 16, null, ue), ue, "udp sendto");
                    ok(client.wspCloseSocket(u, ue), ue, "udp close");
                    if (client.wspSendTo(u, new ByteBuffer[] {ByteBuffer.allocate(8)}, 1, new IntRef(), 0,
                            addr("10.0.0.1", 9), 16, null, ue) != SOCKET_ERROR || ue.get() != WSAENOTSOCK) {
                        throw new AssertionError("a closed descriptor answered: " + ue);
                    }
                }
            }));
        }
        for (Thread t : clientThreads) {
            t.join();
        }
        for (Thread t : churn) {
            t.join();
        }
        assertThat(failures).isEmpty();
        assertThat(verified.get()).isEqualTo(clients);
    }

    private void echo(int a) {
        ErrnoRef ee = new ErrnoRef();
        IntRef n = new IntRef();
        byte[] buf = new byte[8192];
        while (true) {
            ok(server.wspRecv(a, new ByteBuffer[] {ByteBuffer.wrap(buf)}, 1, n, new IntRef(), null, ee), ee,
                    "echo recv");
            if (n.get() == 0) {
                break;
            }
            ok(server.wspSend(a, new ByteBuffer[] {ByteBuffer.wrap(buf, 0, n.get())}, 1, new IntRef(), 0, null, ee),
                    ee, "echo send");
        }
        ok(server.wspShutdown(a, SD_SEND, ee), ee, "echo shutdown");
        ok(server.wspCloseSocket(a, ee), ee, "echo close");
    }

    @Test
    void aSharedSocketMovesDataFromSeveralThreads() throws Exception {
        ErrnoRef e = new ErrnoRef();
        int r = server.wspSocket(AF_INET, SOCK_DGRAM, 0, null, 0, 0, e);
        ok(server.wspBind(r, addr("0.0.0.0", 9), 16, e), e, "bind");
        int s = client.wspSocket(AF_INET, SOCK_DGRAM, 0, null, 0, 0, e);
        int[] descriptors = new int[4];
        descriptors[0] = s;
        for (int i = 1; i < descriptors.length; i++) {
            descriptors[i] = client.wspSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO,
                    client.wspDuplicateSocket(s, ProcessHandle.current().pid(), e), 0, 0, e);
        }
        // one datagram first, so the client has resolved the server's MAC (UDP queues only a few while ARP runs)
        ok(client.wspSendTo(s, new ByteBuffer[] {ByteBuffer.allocate(4)}, 1, new IntRef(), 0, addr("10.0.0.1", 9), 16,
                null, e), e, "first sendto");
        ok(server.wspRecv(r, new ByteBuffer[] {ByteBuffer.allocate(8)}, 1, new IntRef(), new IntRef(), null, e), e,
                "first recv");
        int perThread = 100;
        List<Thread> ts = new ArrayList<>();
        for (int d : descriptors) {
            ts.add(run(() -> {
                ErrnoRef te = new ErrnoRef();
                for (int i = 0; i < perThread; i++) {
                    ok(client.wspSendTo(d, new ByteBuffer[] {ByteBuffer.allocate(4)}, 1, new IntRef(), 0,
                            addr("10.0.0.1", 9), 16, null, te), te, "sendto");
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        int got = 0;
        IntRef n = new IntRef();
        byte[] from = new byte[16];
        int port = -1;
        ok(server.wspIoctl(r, io.ustack.spi.SocketOptions.FIONBIO, io.ustack.spi.OptionValue.ofInt(1), 4, null, 0,
                n, null, e), e, "fionbio");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (got < perThread * descriptors.length && System.nanoTime() < deadline) {
            if (server.wspRecvFrom(r, new ByteBuffer[] {ByteBuffer.allocate(8)}, 1, n, new IntRef(), from,
                    new IntRef(16), null, e) == 0) {
                got++;
                assertThat(port == -1 || port == SockAddr.port(from)).as("one socket, one port").isTrue();
                port = SockAddr.port(from);
            } else {
                Thread.sleep(1);
            }
        }
        assertThat(failures).isEmpty();
        assertThat(got).isEqualTo(perThread * descriptors.length);
    }

    @Test
    void aCallFromAnotherStacksEngineThread_WSAEINPROGRESS_insteadOfStallingThatEngine() {
        int own = serverStack.call(iface -> {
            ErrnoRef e = new ErrnoRef();
            int s = server.wspSocket(AF_INET, SOCK_DGRAM, 0, null, 0, 0, e);
            return server.wspBind(s, addr("0.0.0.0", 0), 16, e) == 0 ? 0 : e.get();
        }).join();
        assertThat(own).as("its own provider: runs inline").isZero();
        int foreign = serverStack.call(iface -> {
            ErrnoRef e = new ErrnoRef();
            int s = client.wspSocket(AF_INET, SOCK_DGRAM, 0, null, 0, 0, e);
            return client.wspBind(s, addr("0.0.0.0", 0), 16, e) == 0 ? 0 : e.get();
        }).join();
        assertThat(foreign).as("the client stack's provider from the server's engine thread").isEqualTo(WSAEINPROGRESS);
    }
}
