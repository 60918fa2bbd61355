/*
 * TcpBulkBenchmark: bulk TCP throughput (RFC 9293 data transfer with RFC 5681 congestion control) between two ustack
 * stacks on an in-memory Ethernet link, each stack on its own engine thread, the applications written at the engine
 * level (callbacks on the engine threads). Compare with TcpBulkKernelBenchmark in the same run.
 */
package io.ustack.bench;

import io.netty.util.ResourceLeakDetector;
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
import java.util.concurrent.TimeUnit;

/**
 * One invocation waits until the server application has read {@link #MIB_PER_INVOCATION} MiB more over one long-lived
 * connection. One operation is one MiB, so the score is MiB/s and {@code gc.alloc.rate.norm} is the bytes allocated (by
 * every thread of the JVM) per MiB moved; the {@code cpuNs} counter is the CPU time of the working threads.
 *
 * <p>{@code mode=stream} (the default) is iperf-like: the client application writes without end, so the connection
 * is always in its steady state and the benchmark thread only parks until the count is reached (one wake-up per
 * 16 MiB). {@code mode=burst} sends exactly 16 MiB per invocation and waits for the last byte: it adds the cost of
 * starting and draining the pipe, including a 16 MiB write's sub-MSS tail under Nagle's algorithm.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TcpBulkBenchmark {
    static final int MIB_PER_INVOCATION = 16;
    static final long BYTES_PER_INVOCATION = (long) MIB_PER_INVOCATION << 20;
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Link MTU: 1500 (Ethernet, MSS 1460) or 65535 (the in-memory link's largest, MSS 65495). */
    @Param({"1500", "65535"})
    public int mtu;

    /** SO_SNDBUF and SO_RCVBUF of both ends (the stack's default is 256 KiB). */
    @Param({"262144"})
    public int bufferSize;

    /**
     * Netty's leak detector level during the trial. Its default (simple) tracks one buffer in 128 with a stack trace
     * per track and release, which is garbage that is not the stack's; "simple" measures it.
     */
    @Param({"disabled"})
    public String leakDetection;

    /** "stream": the sender never stops; "burst": 16 MiB per invocation, then the pipe drains. */
    @Param({"stream"})
    public String mode;

    /** TCP segmentation offload on the in-memory link (super-segments of up to 64 KiB cross it whole). */
    @Param({"false"})
    public boolean offload;

    private BulkStacks stacks;
    private boolean burst;
    private Runnable sendCommand;
    private long[] workers;
    private long total;

    @Setup(Level.Trial)
    public void setup() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.valueOf(leakDetection.toUpperCase(Locale.ROOT)));
        burst = switch (mode) {
            case "stream" -> false;
            case "burst" -> true;
            default -> throw new IllegalArgumentException("mode " + mode);
        };
        stacks = new BulkStacks(mtu, bufferSize, true, CongestionAlgorithm.CUBIC, offload);
        BulkSender sender = stacks.sender;
        sendCommand = () -> sender.send(BYTES_PER_INVOCATION); // built once: the harness allocates nothing per op
        workers = new long[] {
            stacks.client.call(iface -> Thread.currentThread().threadId()).join(),
            stacks.server.call(iface -> Thread.currentThread().threadId()).join(),
            Thread.currentThread().threadId() // the benchmark thread: it only parks, but count it
        };
        if (!burst) {
            stacks.client.call(iface -> {
                sender.stream();
                return null;
            }).join();
        }
    }

    @Benchmark
    @OperationsPerInvocation(MIB_PER_INVOCATION)
    public long transfer(CpuCounter cpu) {
        cpu.begin(workers);
        ProgressLatch progress = stacks.receiver.progress();
        long target;
        if (burst) {
            target = total + BYTES_PER_INVOCATION;
            stacks.client.loop().execute(sendCommand);
        } else {
            target = progress.count() + BYTES_PER_INVOCATION;
        }
        progress.await(target, TIMEOUT_NANOS);
        total = target;
        cpu.end();
        return target;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println();
        System.out.println("[TcpBulkBenchmark mtu=" + mtu + " mode=" + mode + "] " + stacks.summary(total));
        stacks.close();
    }
}
