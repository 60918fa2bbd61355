/*
 * TcpBulkEngineOnlyBenchmark: the protocol engine's own cost per byte for bulk TCP (RFC 9293 data transfer, RFC 5681
 * congestion control): two ustack stacks on an in-memory link driven by hand, turn by turn, on ONE thread, so no
 * thread hand-off, wake-up or cache-line transfer between cores is measured.
 */
package io.ustack.bench;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.ustack.tcp.CongestionAlgorithm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One invocation moves {@value TcpBulkBenchmark#MIB_PER_INVOCATION} MiB; one operation is one MiB (score in MiB/s,
 * {@code gc.alloc.rate.norm} in bytes per MiB, {@code cpuNs} the driving thread's CPU time).
 *
 * <p>Both stacks run on one dedicated {@link FastThreadLocalThread} (the kind of thread a started stack runs on: Netty
 * 4.2 gives pooled-buffer thread caches only to those by default), which alternates {@code runOnce()} of the server and
 * of the client until the receiver has read 16 MiB more. The JMH thread hands it one task per invocation and waits.
 * Modes as in {@link TcpBulkBenchmark}; in "stream" mode the sender always has data queued, so the pipe never drains.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TcpBulkEngineOnlyBenchmark {
    @Param({"1500", "65535"})
    public int mtu;

    @Param({"262144"})
    public int bufferSize;

    /** As in {@link TcpBulkBenchmark#leakDetection}. */
    @Param({"disabled"})
    public String leakDetection;

    /** As in {@link TcpBulkBenchmark#mode}. */
    @Param({"stream"})
    public String mode;

    /** TCP segmentation offload on the in-memory link (super-segments of up to 64 KiB cross it whole). */
    @Param({"false"})
    public boolean offload;

    /** The sender's congestion control (CongestionAlgorithm): CUBIC, or BBR, which paces. */
    @Param({"CUBIC"})
    public String cc;

    private ExecutorService driver;
    private BulkStacks stacks;
    private boolean burst;
    private Runnable transferTask;
    private long[] workers;
    private long total;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.valueOf(leakDetection.toUpperCase(Locale.ROOT)));
        burst = switch (mode) {
            case "stream" -> false;
            case "burst" -> true;
            default -> throw new IllegalArgumentException("mode " + mode);
        };
        driver = Executors.newSingleThreadExecutor(r -> new FastThreadLocalThread(r, "bench-driver"));
        stacks = driver.submit(() -> {
            BulkStacks s = new BulkStacks(mtu, bufferSize, false, CongestionAlgorithm.valueOf(cc), offload);
            if (!burst) {
                s.sender.stream();
            }
            return s;
        }).get();
        transferTask = this::transferOnDriver;
        workers = new long[] {driver.submit(() -> Thread.currentThread().threadId()).get()};
    }

    private void transferOnDriver() {
        BulkStacks s = stacks;
        long target = s.receiver.received() + TcpBulkBenchmark.BYTES_PER_INVOCATION;
        if (burst) {
            s.sender.send(TcpBulkBenchmark.BYTES_PER_INVOCATION);
        }
        long deadline = System.nanoTime() + TcpBulkBenchmark.TIMEOUT_NANOS;
        int turns = 0;
        while (s.receiver.received() < target) {
            s.pump();
            if ((++turns & 0xfff) == 0 && System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("only " + s.receiver.received() + " of " + target + " bytes");
            }
        }
        total += TcpBulkBenchmark.BYTES_PER_INVOCATION;
    }

    @Benchmark
    @OperationsPerInvocation(TcpBulkBenchmark.MIB_PER_INVOCATION)
    public long transfer(CpuCounter cpu) throws ExecutionException, InterruptedException {
        cpu.begin(workers);
        driver.submit(transferTask).get();
        cpu.end();
        return total;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        System.out.println();
        System.out.println("[TcpBulkEngineOnlyBenchmark mtu=" + mtu + " mode=" + mode + " cc=" + cc + "] "
                + stacks.summary(total));
        driver.submit(stacks::close).get();
        driver.shutdown();
    }
}
