/*
 * WspDataBenchmark: a WSPSend / WSPRecv round trip through the Winsock provider over two real stacks joined by an
 * in-memory link: a 64-byte request from the client, its echo from the server. Two setups: the stacks driven by the
 * benchmark thread itself (every WSP call runs inline on the engine thread: the provider and the TCP/IP path alone),
 * and started stacks on their own engine threads with blocking calls from the benchmark thread (each call a hand-off
 * to an engine thread and back, as an application sees it).
 */
package io.ustack.bench;

import io.ustack.api.Stack;
import io.ustack.engine.ManualClock;
import io.ustack.link.InMemoryLink;
import io.ustack.spi.BaseProvider;
import io.ustack.spi.BufferBudget;
import io.ustack.spi.ErrnoRef;
import io.ustack.spi.IntRef;
import io.ustack.spi.OptionValue;
import io.ustack.spi.ProtocolCatalog;
import io.ustack.spi.SockAddr;
import io.ustack.spi.SocketOptions;
import io.ustack.spi.Winsock;
import io.ustack.spi.WsaError;
import io.ustack.spi.WspData;
import io.ustack.spi.stack.StackBackend;
import io.ustack.wire.Ipv4Address;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WspDataBenchmark {
    static final int SIZE = 64;

    /** Two stacks, a provider on each, and a connected TCP pair (client socket, accepted server socket). */
    abstract static class Pair {
        Stack server;
        Stack client;
        BaseProvider sp;
        BaseProvider cp;
        int c;
        int s;
        final ErrnoRef errno = new ErrnoRef();
        final IntRef n = new IntRef();
        final IntRef flags = new IntRef();
        final ByteBuffer[] out = {ByteBuffer.allocateDirect(SIZE)};
        final ByteBuffer[] in = {ByteBuffer.allocateDirect(SIZE)};

        static BaseProvider provider(Stack stack) {
            ProtocolCatalog catalog = new ProtocolCatalog();
            BaseProvider p = new BaseProvider(catalog, new StackBackend(stack, new BufferBudget(1L << 40)), 64);
            if (p.wspStartup(Winsock.WINSOCK_VERSION_2_2, new WspData(), catalog.baseEntries().getFirst()) != 0) {
                throw new IllegalStateException("WSPStartup");
            }
            return p;
        }

        void check(int r) {
            if (r != 0) {
                throw new IllegalStateException("WSP call failed: " + errno);
            }
        }

        /** Runs both engines once (manual driving); a no-op when they run on their own threads. */
        abstract void pump();

        void connect(boolean started) {
            sp = provider(server);
            cp = provider(client);
            int l = sp.wspSocket(Winsock.AF_INET, Winsock.SOCK_STREAM, 0, null, 0, 0, errno);
            check(sp.wspBind(l, SockAddr.inet4(0, 7), 16, errno));
            check(sp.wspListen(l, 4, errno));
            c = cp.wspSocket(Winsock.AF_INET, Winsock.SOCK_STREAM, 0, null, 0, 0, errno);
            byte[] noDelay = OptionValue.ofInt(1);
            check(cp.wspSetSockOpt(c, SocketOptions.IPPROTO_TCP, SocketOptions.TCP_NODELAY, noDelay, 4, errno));
            byte[] to = SockAddr.inet4(Ipv4Address.parse("10.0.0.1"), 7);
            if (started) {
                check(cp.wspConnect(c, to, 16, errno));
            } else {
                check(cp.wspIoctl(c, SocketOptions.FIONBIO, OptionValue.ofInt(1), 4, null, 0, n, null, errno));
                if (cp.wspConnect(c, to, 16, errno) == 0 || errno.get() != WsaError.WSAEWOULDBLOCK) {
                    throw new IllegalStateException("connect: " + errno);
                }
                for (int i = 0; i < 100; i++) {
                    pump();
                }
                check(cp.wspIoctl(c, SocketOptions.FIONBIO, OptionValue.ofInt(0), 4, null, 0, n, null, errno));
            }
            s = sp.wspAccept(l, null, null, null, errno);
            if (s == Winsock.INVALID_SOCKET) {
                throw new IllegalStateException("accept: " + errno);
            }
            check(sp.wspSetSockOpt(s, SocketOptions.IPPROTO_TCP, SocketOptions.TCP_NODELAY, noDelay, 4, errno));
        }

        /** Reads exactly SIZE bytes into {@code in} from {@code socket} of {@code p}. */
        void readAll(BaseProvider p, int socket) {
            ByteBuffer b = in[0];
            b.clear();
            while (b.position() < SIZE) {
                int r = p.wspRecv(socket, in, 1, n, flags, null, errno);
                if (r != 0) {
                    if (errno.get() != WsaError.WSAEINPROGRESS) {
                        throw new IllegalStateException("recv: " + errno);
                    }
                    pump();
                    continue;
                }
                b.position(b.position() + n.get());
            }
        }

        int roundTrip() {
            out[0].clear();
            check(cp.wspSend(c, out, 1, n, 0, null, errno));
            pump();
            readAll(sp, s);
            in[0].flip();
            check(sp.wspSend(s, in, 1, n, 0, null, errno));
            pump();
            readAll(cp, c);
            return in[0].position();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            server.close();
            client.close();
        }
    }

    /** Both stacks driven by the benchmark thread: every call runs inline, no thread hand-off. */
    @State(Scope.Thread)
    public static class Inline extends Pair {
        @Setup(Level.Trial)
        public void setUp() {
            ManualClock clock = new ManualClock();
            InMemoryLink[] links = InMemoryLink.pair(1500);
            server = Stack.builder(links[0]).clock(clock).ipv4("10.0.0.1/24").build();
            client = Stack.builder(links[1]).clock(clock).ipv4("10.0.0.2/24").build();
            pump();
            connect(false);
        }

        @Override
        void pump() {
            server.runOnce();
            client.runOnce();
            server.runOnce();
            client.runOnce();
        }
    }

    /** Started stacks on their own engine threads; blocking calls hand each request to an engine thread. */
    @State(Scope.Thread)
    public static class Started extends Pair {
        @Setup(Level.Trial)
        public void setUp() {
            InMemoryLink[] links = InMemoryLink.pair(1500);
            server = Stack.builder(links[0]).ipv4("10.0.0.1/24").build().start();
            client = Stack.builder(links[1]).ipv4("10.0.0.2/24").build().start();
            connect(true);
        }

        @Override
        void pump() {
        }
    }

    /** Request and echo of 64 bytes, the two stacks and both providers on the benchmark thread. */
    @Benchmark
    public int roundTrip64_inline(Inline p) {
        return p.roundTrip();
    }

    /** Request and echo of 64 bytes through started stacks with blocking WSP calls (four hand-offs per trip). */
    @Benchmark
    public int roundTrip64_startedBlocking(Started p) {
        return p.roundTrip();
    }
}
