/*
 * TcpBulkKernelBenchmark: the baseline for TcpBulkBenchmark: bulk TCP through the Linux kernel's loopback (lo) with
 * the JDK's blocking SocketChannel, 64 KiB writes, one receiving thread. Same unit (MiB/s, bytes allocated per MiB).
 */
package io.ustack.bench;

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

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Threads as in {@link TcpBulkBenchmark}: in "stream" mode a writer thread writes 64 KiB blocks without end and a
 * reader thread reads 64 KiB at a time; the benchmark thread parks until the reader has counted 16 MiB more. In
 * "burst" mode the benchmark thread itself writes 16 MiB, then waits for the reader. The kernel's socket buffer
 * auto-tuning applies; lo has an MTU of 65536 and does no checksums (offloaded).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TcpBulkKernelBenchmark {
    /** As in {@link TcpBulkBenchmark#mode}. */
    @Param({"stream"})
    public String mode;

    private final ProgressLatch progress = new ProgressLatch();
    private ServerSocketChannel listener;
    private SocketChannel out;
    private SocketChannel in;
    private ByteBuffer chunk;
    private Thread reader;
    private Thread writer;
    private boolean burst;
    private long[] workers;
    private volatile boolean stopping;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        burst = switch (mode) {
            case "stream" -> false;
            case "burst" -> true;
            default -> throw new IllegalArgumentException("mode " + mode);
        };
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        out = SocketChannel.open(listener.getLocalAddress());
        in = listener.accept();
        chunk = ByteBuffer.allocateDirect(BulkStacks.CHUNK);
        for (int i = 0; i < BulkStacks.CHUNK; i++) {
            chunk.put(i, (byte) (i * 31 + 7));
        }
        reader = new Thread(this::readLoop, "bench-kernel-reader");
        reader.setDaemon(true);
        reader.start();
        if (burst) {
            workers = new long[] {Thread.currentThread().threadId(), reader.threadId()};
        } else {
            writer = new Thread(this::writeLoop, "bench-kernel-writer");
            writer.setDaemon(true);
            writer.start();
            workers = new long[] {writer.threadId(), reader.threadId(), Thread.currentThread().threadId()};
        }
    }

    private void readLoop() {
        ByteBuffer dst = ByteBuffer.allocateDirect(BulkStacks.CHUNK);
        long count = 0;
        try {
            while (true) {
                dst.clear();
                int n = in.read(dst);
                if (n < 0) {
                    return;
                }
                count += n;
                progress.publish(count);
            }
        } catch (IOException e) {
            if (!stopping) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void writeLoop() {
        try {
            while (!stopping) {
                writeChunk();
            }
        } catch (IOException e) {
            if (!stopping) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void writeChunk() throws IOException {
        chunk.clear();
        while (chunk.hasRemaining()) {
            out.write(chunk);
        }
    }

    @Benchmark
    @OperationsPerInvocation(TcpBulkBenchmark.MIB_PER_INVOCATION)
    public long transfer(CpuCounter cpu) throws IOException {
        cpu.begin(workers);
        long target = progress.count() + TcpBulkBenchmark.BYTES_PER_INVOCATION;
        if (burst) {
            for (long left = TcpBulkBenchmark.BYTES_PER_INVOCATION; left > 0; left -= BulkStacks.CHUNK) {
                writeChunk();
            }
        }
        progress.await(target, TcpBulkBenchmark.TIMEOUT_NANOS);
        cpu.end();
        return target;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        stopping = true;
        out.close();
        if (writer != null) {
            writer.join(5000);
        }
        reader.join(5000);
        in.close();
        listener.close();
    }
}
