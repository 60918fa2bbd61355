/*
 * SpiNet: two stacks on an in-memory link (server 10.0.0.1, client 10.0.0.2), each with a started base provider over
 * a StackBackend, driven by hand on the test thread with one ManualClock (deterministic), or by a background pumping
 * thread while the test thread makes blocking calls. Helpers make sockets, addresses and connections in one line.
 */
package io.ustack.spi.stack;

import io.ustack.api.Stack;
import io.ustack.engine.ManualClock;
import io.ustack.link.InMemoryLink;
import io.ustack.spi.BaseProvider;
import io.ustack.spi.BufferBudget;
import io.ustack.spi.ErrnoRef;
import io.ustack.spi.IntRef;
import io.ustack.spi.OptionValue;
import io.ustack.spi.ProtocolCatalog;
import io.ustack.spi.ProtocolInfo;
import io.ustack.spi.SockAddr;
import io.ustack.spi.SocketOptions;
import io.ustack.spi.Winsock;
import io.ustack.spi.WsaError;
import io.ustack.spi.WspData;
import io.ustack.tcp.TcpConfig;
import io.ustack.wire.Ipv4Address;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** The SPI over two real stacks. */
public final class SpiNet implements AutoCloseable {
    public static final String SERVER_IP = "10.0.0.1";
    public static final String CLIENT_IP = "10.0.0.2";

    public final ManualClock clock = new ManualClock();
    public final InMemoryLink serverLink;
    public final InMemoryLink clientLink;
    public final Side server;
    public final Side client;
    private volatile boolean pumping;
    private Thread pumper;

    public SpiNet() {
        this(new TcpConfig(), 1L << 40, 64);
    }

    public SpiNet(TcpConfig tcp) {
        this(tcp, 1L << 40, 64);
    }

    public SpiNet(TcpConfig tcp, long budgetBytes, int maxSockets) {
        InMemoryLink[] pair = InMemoryLink.pair(1500);
        serverLink = pair[0];
        clientLink = pair[1];
        server = new Side(Stack.builder(serverLink).name("server").clock(clock).ipv4(SERVER_IP + "/24").tcp(tcp)
                .build(), budgetBytes, maxSockets);
        client = new Side(Stack.builder(clientLink).name("client").clock(clock).ipv4(CLIENT_IP + "/24").tcp(tcp)
                .build(), budgetBytes, maxSockets);
        pump(); // the test thread becomes the engine thread of both stacks
    }

    /** One stack with its provider. */
    public static final class Side {
        public final Stack stack;
        public final ProtocolCatalog catalog = new ProtocolCatalog();
        public final BufferBudget budget;
        public final StackBackend backend;
        public final BaseProvider provider;
        public final ErrnoRef errno = new ErrnoRef();

        Side(Stack stack, long budgetBytes, int maxSockets) {
            this.stack = stack;
            this.budget = new BufferBudget(budgetBytes);
            this.backend = new StackBackend(stack, budget);
            this.provider = new BaseProvider(catalog, backend, maxSockets);
            if (provider.wspStartup(Winsock.WINSOCK_VERSION_2_2, new WspData(), entry("ustack TCP/IP")) != 0) {
                throw new AssertionError("WSPStartup failed");
            }
        }

        public ProtocolInfo entry(String name) {
            for (ProtocolInfo e : catalog.entries()) {
                if (e.protocolName().equals(name)) {
                    return e;
                }
            }
            throw new AssertionError("no entry " + name);
        }

        /** socket(AF_INET, type, 0) with dwFlags; fails the test if it fails. */
        public int socket(int type, int flags) {
            int s = provider.wspSocket(Winsock.AF_INET, type, 0, null, 0, flags, errno);
            if (s == Winsock.INVALID_SOCKET) {
                throw new AssertionError("WSPSocket failed: " + errno);
            }
            return s;
        }

        public int tcp() {
            return socket(Winsock.SOCK_STREAM, 0);
        }

        public int udp() {
            return socket(Winsock.SOCK_DGRAM, 0);
        }

        public int bind(int s, String ip, int port) {
            return provider.wspBind(s, addr(ip, port), SockAddr.SOCKADDR_IN_LENGTH, errno);
        }

        /** FIONBIO. */
        public void nonBlocking(int s, boolean on) {
            IntRef n = new IntRef();
            check(provider.wspIoctl(s, SocketOptions.FIONBIO, OptionValue.ofInt(on ? 1 : 0), 4, null, 0, n, null,
                    errno));
        }

        /** FIONREAD. */
        public int readable(int s) {
            byte[] out = new byte[4];
            check(provider.wspIoctl(s, SocketOptions.FIONREAD, null, 0, out, 4, new IntRef(), null, errno));
            return OptionValue.getInt(out, 0);
        }

        /** The port of getsockname. */
        public int localPort(int s) {
            byte[] name = new byte[16];
            check(provider.wspGetSockName(s, name, new IntRef(16), errno));
            return SockAddr.port(name);
        }

        public int getInt(int s, int level, int option) {
            byte[] v = new byte[4];
            check(provider.wspGetSockOpt(s, level, option, v, new IntRef(4), errno));
            return OptionValue.getInt(v, 0);
        }

        public void setInt(int s, int level, int option, int value) {
            check(provider.wspSetSockOpt(s, level, option, OptionValue.ofInt(value), 4, errno));
        }

        /** WSPSend of {@code data}; the result (0 or SOCKET_ERROR), bytes in {@code sent}. */
        public int send(int s, byte[] data, IntRef sent) {
            return provider.wspSend(s, new ByteBuffer[] {ByteBuffer.wrap(data)}, 1, sent, 0, null, errno);
        }

        /** WSPRecv into {@code dst}; the result, bytes in {@code got}. */
        public int recv(int s, ByteBuffer dst, IntRef got) {
            return provider.wspRecv(s, new ByteBuffer[] {dst}, 1, got, new IntRef(0), null, errno);
        }

        public void check(int result) {
            if (result != 0) {
                throw new AssertionError("call failed: " + errno);
            }
        }

        public void close(int s) {
            check(provider.wspCloseSocket(s, errno));
        }
    }

    public static byte[] addr(String ip, int port) {
        return SockAddr.inet4(Ipv4Address.parse(ip), port);
    }

    // ------------------------------------------------------------------ driving

    /** Runs both loops until neither has work. Test thread only (not while pumping in the background). */
    public void pump() {
        for (int i = 0; i < 100_000; i++) {
            if (server.stack.runOnce() + client.stack.runOnce() == 0) {
                return;
            }
        }
    }

    /** Pumps, advancing the clock by {@code stepNanos} whenever idle, until {@code done} or {@code maxNanos}. */
    public boolean pumpUntil(BooleanSupplier done, long stepNanos, long maxNanos) {
        long start = clock.nanos();
        while (!done.getAsBoolean()) {
            if (server.stack.runOnce() + client.stack.runOnce() == 0) {
                if (clock.nanos() - start >= maxNanos) {
                    return false;
                }
                clock.advanceNanos(stepNanos);
            }
        }
        return true;
    }

    /** Advances the clock in {@code stepNanos} steps for {@code totalNanos}, pumping after each. */
    public void advance(long totalNanos, long stepNanos) {
        for (long t = 0; t < totalNanos; t += stepNanos) {
            clock.advanceNanos(stepNanos);
            pump();
        }
    }

    /**
     * Reads exactly {@code dst.length} bytes from stream socket {@code s} of {@code side} (put in non-blocking mode),
     * pumping and letting 1 ms pass whenever nothing is readable; fails after 120 simulated seconds.
     */
    public void readFully(Side side, int s, byte[] dst) {
        side.nonBlocking(s, true);
        IntRef n = new IntRef();
        int total = 0;
        long start = clock.nanos();
        while (total < dst.length) {
            pump();
            int r = side.provider.wspRecv(s, new ByteBuffer[] {ByteBuffer.wrap(dst, total, dst.length - total)}, 1, n,
                    new IntRef(), null, side.errno);
            if (r == 0) {
                if (n.get() == 0) {
                    throw new AssertionError("end of stream after " + total + " bytes");
                }
                total += n.get();
            } else if (side.errno.get() != WsaError.WSAEWOULDBLOCK) {
                throw new AssertionError("recv: " + side.errno);
            } else if (clock.nanos() - start > 120_000_000_000L) {
                throw new AssertionError("only " + total + " of " + dst.length + " bytes after 120 s");
            } else {
                clock.advanceNanos(1_000_000);
            }
        }
        side.nonBlocking(s, false);
    }

    /**
     * Drives both loops on a background thread (the clock moves only when the test moves it), so the test thread
     * can make blocking calls. {@link #stopPumping()} hands the loops back to the test thread.
     */
    public void startPumping() {
        startPumping(0);
    }

    /** As {@link #startPumping()}, advancing the clock by {@code idleStepNanos} on every idle round. */
    public void startPumping(long idleStepNanos) {
        pumping = true;
        java.util.concurrent.CountDownLatch owned = new java.util.concurrent.CountDownLatch(1);
        pumper = new Thread(() -> {
            server.stack.runOnce();
            client.stack.runOnce();
            owned.countDown(); // the loops belong to this thread now
            while (pumping) {
                if (server.stack.runOnce() + client.stack.runOnce() == 0) {
                    if (idleStepNanos > 0) {
                        clock.advanceNanos(idleStepNanos);
                    }
                    LockSupport.parkNanos(20_000);
                }
            }
        }, "spinet-pumper");
        pumper.setDaemon(true);
        pumper.start();
        try {
            owned.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    public void stopPumping() {
        pumping = false;
        if (pumper != null) {
            try {
                pumper.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pumper = null;
        }
        pump();
    }

    /**
     * A connected TCP pair: a listener on the server ({@code listenFlags}), a client socket ({@code clientFlags})
     * connected to it and the accepted server socket. Both ends are left in blocking mode.
     */
    public Connection connect(int listenFlags, int clientFlags) {
        int l = server.socket(Winsock.SOCK_STREAM, listenFlags);
        server.check(server.bind(l, "0.0.0.0", 0));
        server.check(server.provider.wspListen(l, 8, server.errno));
        int port = server.localPort(l);
        int c = client.socket(Winsock.SOCK_STREAM, clientFlags);
        client.nonBlocking(c, true);
        if (client.provider.wspConnect(c, addr(SERVER_IP, port), 16, client.errno) != Winsock.SOCKET_ERROR
                || client.errno.get() != WsaError.WSAEWOULDBLOCK) {
            throw new AssertionError("non-blocking connect: " + client.errno);
        }
        pump();
        client.nonBlocking(c, false);
        int a = server.provider.wspAccept(l, null, null, null, server.errno);
        if (a == Winsock.INVALID_SOCKET) {
            throw new AssertionError("accept: " + server.errno);
        }
        return new Connection(l, c, a, port);
    }

    /** Descriptors of a connection made by {@link #connect}. */
    public record Connection(int listener, int client, int server, int port) {
    }

    @Override
    public void close() {
        if (pumper != null) {
            stopPumping();
        }
        server.stack.close();
        client.stack.close();
    }
}
