/*
 * DescriptorTableBenchmark: the descriptor table's hot path, allocate + free of one descriptor, on one thread and
 * on two threads sharing one table. Targets (benchmarks/README.md): 0 B/op, at most 25 ns/op on one thread, two
 * threads at least 1.6x the throughput of one.
 */
package io.ustack.bench;

import io.ustack.spi.DescriptorTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

import java.util.concurrent.TimeUnit;

@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DescriptorTableBenchmark {
    private static final Object VALUE = new Object();

    /** One table shared by all benchmark threads (capacity as a stack might configure it). */
    private final DescriptorTable<Object> table = new DescriptorTable<>(4096);

    private int allocateFree() {
        int d = table.allocate(VALUE);
        table.free(d);
        return d;
    }

    @Benchmark
    @Threads(1)
    public int allocateFree_1thread() {
        return allocateFree();
    }

    @Benchmark
    @Threads(2)
    public int allocateFree_2threads() {
        return allocateFree();
    }
}
