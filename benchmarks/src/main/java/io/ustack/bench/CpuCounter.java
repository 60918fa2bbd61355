/*
 * CpuCounter: a JMH auxiliary counter of the CPU time (user + system, from the OS per-thread clocks) that the threads
 * doing a benchmark's work spend during its invocations. Wall-clock throughput on a shared 2-vCPU machine suffers from
 * other processes; CPU time per byte does much less, so it is the fairer cost figure next to the kernel baseline.
 */
package io.ustack.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * JMH reports {@link #cpuNs} as a rate: CPU nanoseconds per second of wall time (1e9 = one core busy). Divided by
 * the primary score (MiB/s) it gives CPU nanoseconds per MiB moved.
 */
@AuxCounters(AuxCounters.Type.OPERATIONS)
@State(Scope.Thread)
public class CpuCounter {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU nanoseconds spent by the measured threads during invocations (read by JMH). */
    public long cpuNs;

    private long[] ids;
    private long start;

    @Setup(Level.Iteration)
    public void clear() {
        cpuNs = 0;
    }

    /** Call at the start of an invocation with the ids of the threads doing its work (the array is kept). */
    void begin(long[] threadIds) {
        ids = threadIds;
        start = total();
    }

    /** Call at the end of an invocation. */
    void end() {
        cpuNs += total() - start;
    }

    private long total() {
        long sum = 0;
        for (long id : ids) {
            long t = THREADS.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }
}
