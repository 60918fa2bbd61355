/*
 * WspSocketBenchmark: WSPSocket + WSPCloseSocket end to end on the base provider over the engine-free
 * BudgetBackend: argument checks, catalog selection, socket pool, buffer budget and descriptor table.
 */
package io.ustack.bench;

import io.ustack.spi.BaseProvider;
import io.ustack.spi.BudgetBackend;
import io.ustack.spi.BufferBudget;
import io.ustack.spi.ErrnoRef;
import io.ustack.spi.ProtocolCatalog;
import io.ustack.spi.ProtocolInfo;
import io.ustack.spi.Winsock;
import io.ustack.spi.WspData;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

import java.util.concurrent.TimeUnit;

@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WspSocketBenchmark {
    private BaseProvider provider;
    private ProtocolInfo tcp;

    /** Per-thread lpErrno. */
    @State(Scope.Thread)
    public static class Errno {
        final ErrnoRef errno = new ErrnoRef();
    }

    @Setup
    public void setUp() {
        ProtocolCatalog catalog = new ProtocolCatalog();
        BudgetBackend backend = new BudgetBackend(new BufferBudget(1L << 40), 64 * 1024, 16 * 1024, 8 * 1024,
                () -> true);
        provider = new BaseProvider(catalog, backend, 4096);
        tcp = catalog.baseEntries().getFirst();
        int r = provider.wspStartup(Winsock.WINSOCK_VERSION_2_2, new WspData(), tcp);
        if (r != 0) {
            throw new IllegalStateException("WSPStartup failed: " + r);
        }
    }

    private int check(int s, ErrnoRef errno) {
        if (s == Winsock.INVALID_SOCKET || provider.wspCloseSocket(s, errno) != 0) {
            throw new IllegalStateException(errno.toString());
        }
        return s;
    }

    /** socket(AF_INET, SOCK_STREAM, 0): catalog selection, then create and close. */
    @Benchmark
    @Threads(1)
    public int socketClose_selectByArguments(Errno e) {
        return check(provider.wspSocket(Winsock.AF_INET, Winsock.SOCK_STREAM, 0, null, 0, 0, e.errno), e.errno);
    }

    /** WSASocket(FROM_PROTOCOL_INFO x3, info): the entry given, then create and close. */
    @Benchmark
    @Threads(1)
    public int socketClose_fromProtocolInfo(Errno e) {
        return check(provider.wspSocket(Winsock.FROM_PROTOCOL_INFO, Winsock.FROM_PROTOCOL_INFO,
                Winsock.FROM_PROTOCOL_INFO, tcp, 0, 0, e.errno), e.errno);
    }

    /** Two threads creating and closing sockets on one provider (shared budget and table). */
    @Benchmark
    @Threads(2)
    public int socketClose_selectByArguments_2threads(Errno e) {
        return check(provider.wspSocket(Winsock.AF_INET, Winsock.SOCK_STREAM, 0, null, 0, 0, e.errno), e.errno);
    }
}
