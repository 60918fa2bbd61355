/*
 * Stack: the idiomatic Java entry point. A Stack is one network interface (a Link plus IPv4 configuration) with its
 * protocol layers, owned by one EventLoop; sockets created from it return CompletableFutures.
 */
package io.ustack.api;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.ustack.engine.Clock;
import io.ustack.engine.EventLoop;
import io.ustack.engine.StackCounters;
import io.ustack.iface.NetworkInterface;
import io.ustack.ip.Ipv4Config;
import io.ustack.link.Link;
import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.tcp.TcpConfig;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A user-space TCP/UDP/IPv4 stack on one {@link Link}.
 *
 * <pre>{@code
 * Stack stack = Stack.builder(link).ipv4("10.0.0.2/24").gateway("10.0.0.1").build().start();
 * TcpSocket s = stack.connect(new InetSocketAddress("10.0.0.1", 80)).join();
 * }</pre>
 *
 * <p>Either {@link #start()} runs the stack on its own thread, or a test drives it by hand with
 * {@link #runOnce()} (with a {@link io.ustack.engine.ManualClock}). All methods are thread-safe.
 */
public final class Stack implements AutoCloseable {
    private final String name;
    private final EventLoop loop;
    private final NetworkInterface iface;
    private final StackCounters counters = new StackCounters();
    private final ByteBufAllocator alloc;
    private final TcpConfig tcpConfig;
    private volatile boolean started;
    private final java.util.List<Runnable> closeHooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Stack(Builder b) {
        this.name = b.name;
        this.alloc = b.alloc;
        this.tcpConfig = new TcpConfig(b.tcpConfig);
        this.loop = new EventLoop(b.link, b.clock, b.spinsBeforeSleep);
        this.iface = new NetworkInterface(loop, b.alloc, b.ipv4, b.tcpConfig, b.random, counters);
    }

    public static Builder builder(Link link) {
        return new Builder(link);
    }

    /** Starts the engine thread. */
    public Stack start() {
        loop.start("ustack-" + name);
        started = true;
        return this;
    }

    /** True once {@link #start()} gave the stack its own engine thread (false while driven by hand). */
    public boolean isStarted() {
        return started;
    }

    /** One engine turn on the calling thread (manual driving); returns the work done. */
    public int runOnce() {
        return loop.runOnce();
    }

    public EventLoop loop() {
        return loop;
    }

    /** The protocol layers; touch only on the engine thread (see {@link #call}). */
    public NetworkInterface iface() {
        return iface;
    }

    public Ipv4Config ipv4() {
        return iface.ipv4().config();
    }

    public Link link() {
        return loop.link();
    }

    public ByteBufAllocator allocator() {
        return alloc;
    }

    /** A copy of the TCP configuration the stack was built with (the defaults of every connection). */
    public TcpConfig tcpConfig() {
        return new TcpConfig(tcpConfig);
    }

    /**
     * Adds an action run by {@link #close()} after the protocol layers are torn down (the engine has stopped, so the
     * action may touch engine state); socket layers use it to fail what is still pending. Any thread.
     */
    public void addCloseHook(Runnable hook) {
        closeHooks.add(Objects.requireNonNull(hook));
    }

    /** The stack's counters (read racily from other threads; exact on the engine thread). */
    public StackCounters counters() {
        return counters;
    }

    /**
     * Runs {@code action} on the engine thread and completes the future with its result (or whatever it threw, Errors
     * included, without harm to the engine thread).
     * Runs at once when already on the engine thread.
     */
    public <T> CompletableFuture<T> call(Function<NetworkInterface, T> action) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Runnable r = () -> {
            try {
                f.complete(action.apply(iface));
            } catch (VirtualMachineError e) {
                f.completeExceptionally(e);
                throw e;
            } catch (Throwable e) {
                // an Error from the caller's function (a LinkageError from a stale jar, an AssertionError) belongs
                // to the caller: it completes the future and leaves the engine thread running
                f.completeExceptionally(e);
            }
        };
        if (loop.inLoop()) {
            r.run();
        } else {
            try {
                loop.execute(r);
            } catch (RuntimeException e) {
                f.completeExceptionally(new WsaException(WsaError.WSAENETDOWN, "the stack is closed"));
            }
        }
        return f;
    }

    /**
     * Runs {@code action} on the engine thread (fire and forget). Returns false, running nothing, if the stack is
     * closed (then the socket is already gone: callers fail their futures with {@link #closedError()}).
     */
    boolean run(Runnable action) {
        if (loop.inLoop()) {
            action.run();
            return true;
        }
        try {
            loop.execute(action);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return false;
        }
    }

    static WsaException closedError() {
        return new WsaException(WsaError.WSAENETDOWN, "the stack is closed");
    }

    // ------------------------------------------------------------------ sockets

    /** Opens a UDP socket bound to {@code port} on this stack's address (0 = an ephemeral port). */
    public CompletableFuture<UdpSocket> openUdp(int port) {
        return UdpSocket.open(this, port);
    }

    /** Connects a TCP socket to {@code remote}. */
    public CompletableFuture<TcpSocket> connect(InetSocketAddress remote) {
        return TcpSocket.connect(this, remote);
    }

    /** Listens for TCP connections on {@code port}. */
    public CompletableFuture<TcpServerSocket> listen(int port, int backlog) {
        return TcpServerSocket.listen(this, port, backlog);
    }

    /**
     * Stops the engine thread, resets every connection (their futures fail with WSAECONNABORTED), releases every
     * buffer, and closes the link.
     */
    @Override
    public void close() {
        loop.close();
        iface.shutdown(); // the loop has stopped: this thread may touch the state now
        for (Runnable hook : closeHooks) {
            hook.run();
        }
        loop.link().flush();
        loop.link().close();
    }

    @Override
    public String toString() {
        return "Stack[" + name + " " + iface.ipv4().config() + "]";
    }

    /** Builds a {@link Stack}. */
    public static final class Builder {
        private final Link link;
        private Ipv4Config ipv4;
        private Clock clock = Clock.SYSTEM;
        private TcpConfig tcpConfig = new TcpConfig();
        private ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        private RandomGenerator random = new SecureRandom();
        private String name = "stack";
        private int spinsBeforeSleep = Integer.getInteger("ustack.spins", 200); // EXPERIMENT

        private Builder(Link link) {
            this.link = Objects.requireNonNull(link, "link");
        }

        /** The interface address as "A.B.C.D/N". */
        public Builder ipv4(String cidr) {
            this.ipv4 = Ipv4Config.parse(cidr, null);
            return this;
        }

        /** The default gateway (must be on the interface's subnet); call after {@link #ipv4}. */
        public Builder gateway(String gateway) {
            if (ipv4 == null) {
                throw new IllegalStateException("set ipv4 before gateway");
            }
            this.ipv4 = new Ipv4Config(ipv4.address(), ipv4.prefixLength(),
                    gateway == null || gateway.isEmpty() ? 0 : io.ustack.wire.Ipv4Address.parse(gateway),
                    ipv4.reassembly());
            return this;
        }

        public Builder ipv4(Ipv4Config config) {
            this.ipv4 = config;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder tcp(TcpConfig config) {
            this.tcpConfig = config;
            return this;
        }

        public Builder allocator(ByteBufAllocator alloc) {
            this.alloc = alloc;
            return this;
        }

        public Builder random(RandomGenerator random) {
            this.random = random;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Idle turns the engine spins before it sleeps (0 = sleep at once; more = lower latency, more CPU). */
        public Builder spinsBeforeSleep(int spins) {
            this.spinsBeforeSleep = spins;
            return this;
        }

        public Stack build() {
            if (ipv4 == null) {
                throw new IllegalStateException("an IPv4 address is required: builder.ipv4(\"A.B.C.D/N\")");
            }
            return new Stack(this);
        }
    }
}
