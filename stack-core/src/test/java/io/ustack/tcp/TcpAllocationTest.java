package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.ustack.engine.StackCounters;
import io.ustack.engine.TimerWheel;
import io.ustack.ip.IpOutput;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-segment path (input, ACK processing, output, ring copies, timers) allocates nothing in steady state: two
 * layers joined by a preallocated packet ring, pooled buffers, and the thread's allocation counter.
 */
class TcpAllocationTest {
    private static final int A = 0x0A000001;
    private static final int B = 0x0A000002;

    /** A fixed-size FIFO of packets in flight (no boxing, no nodes). */
    static final class Wire {
        final ByteBuf[] bufs = new ByteBuf[4096];
        final int[] dsts = new int[4096];
        int head;
        int size;

        void add(ByteBuf b, int dst) {
            if (size == bufs.length) {
                throw new IllegalStateException("wire full");
            }
            int i = (head + size++) & (bufs.length - 1);
            bufs[i] = b;
            dsts[i] = dst;
        }
    }

    /**
     * Packet buffers from a free list of this test: Netty's Recycler keeps only one released buffer object in eight
     * by default (io.netty.recycler.ratio), which would show up here as garbage that is not the TCP layer's.
     */
    static final class PacketPool {
        final ByteBuf[] free = new ByteBuf[8192];
        int count;
        final ByteBufAllocator alloc;

        PacketPool(ByteBufAllocator alloc) {
            this.alloc = alloc;
        }

        ByteBuf get() {
            return count > 0 ? free[--count] : alloc.directBuffer(2048, 2048);
        }

        void put(ByteBuf b) {
            free[count++] = b;
        }

        void releaseAll() {
            while (count > 0) {
                free[--count].release();
            }
        }
    }

    static final class Out implements IpOutput {
        final PacketPool pool;
        final Wire wire;

        Out(PacketPool pool, Wire wire) {
            this.pool = pool;
            this.wire = wire;
        }

        @Override
        public ByteBuf allocate(int transportBytes) {
            ByteBuf b = pool.get();
            b.setIndex(HEADROOM, HEADROOM);
            return b;
        }

        @Override
        public boolean sendIpv4(ByteBuf transport, int src, int dst, int protocol, long now) {
            wire.add(transport, dst);
            return true;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public int sourceAddressFor(int dst) {
            return dst == A ? B : A;
        }
    }

    @ParameterizedTest
    @EnumSource(value = CongestionAlgorithm.class, names = {"CUBIC", "BBR"})
    void steadyStateTransferAllocatesNothing(CongestionAlgorithm algorithm) {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED); // its trace records are garbage
        try {
            run(algorithm);
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    private void run(CongestionAlgorithm algorithm) {
        PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
        Wire wire = new Wire();
        PacketPool pool = new PacketPool(alloc);
        long[] now = {1_000_000_000L};
        TcpConfig cfg = new TcpConfig().allocator(alloc).delayedAck(java.time.Duration.ZERO)
                .congestionControl(algorithm);
        TimerWheel wa = new TimerWheel(now[0]);
        TimerWheel wb = new TimerWheel(now[0]);
        TcpLayer a = new TcpLayer(new Out(pool, wire), wa, new StackCounters(), cfg, new SplittableRandom(1));
        TcpLayer b = new TcpLayer(new Out(pool, wire), wb, new StackCounters(), cfg, new SplittableRandom(2));
        TcpConnection[] server = new TcpConnection[1];
        b.listen(0, 80, 4, l -> server[0] = l.accept());
        TcpConnection client = a.connect(0, 0, B, 80, TcpHandler.NONE, now[0]);
        ByteBuf src = alloc.directBuffer(64 * 1024);
        src.writerIndex(src.capacity());
        ByteBuf dst = alloc.directBuffer(64 * 1024);
        long[] received = {0};
        Runnable step = () -> {
            // deliver everything in flight (including what the deliveries produce), then let time pass
            while (wire.size > 0) {
                int i = wire.head;
                ByteBuf p = wire.bufs[i];
                int d = wire.dsts[i];
                wire.bufs[i] = null;
                wire.head = (wire.head + 1) & (wire.bufs.length - 1);
                wire.size--;
                (d == B ? b : a).input(p, p.readerIndex(), p.readableBytes(), d == B ? A : B, d, now[0]);
                pool.put(p); // what an IP layer's release would do with a recycling pool
            }
            now[0] += 100_000; // 0.1 ms per round
            wa.expire(now[0]);
            wb.expire(now[0]);
            a.updateTime(now[0]);
            b.updateTime(now[0]);
            if (server[0] != null) {
                while (server[0].available() > 0) {
                    dst.clear();
                    received[0] += server[0].read(dst, dst.capacity());
                }
            }
            src.readerIndex(0);
            if (client.state() == TcpState.ESTABLISHED) {
                client.write(src, src.readableBytes());
            }
        };
        for (int i = 0; i < 20_000; i++) { // warm-up: handshake, slow start, JIT
            step.run();
        }
        assertThat(server[0]).isNotNull();
        long before = received[0];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long t = Thread.currentThread().threadId();
        long bytes0 = mx.getThreadAllocatedBytes(t);
        long wall0 = System.nanoTime();
        for (int i = 0; i < 20_000; i++) {
            step.run();
        }
        long wall = System.nanoTime() - wall0;
        long allocated = mx.getThreadAllocatedBytes(t) - bytes0;
        long transferred = received[0] - before;
        long segments = transferred / 1460;
        assertThat(segments).isGreaterThan(10_000);
        System.out.printf(algorithm + " steady state: %d segments, %d bytes allocated (%.2f bytes/segment); both layers on one"
                + " thread: %.0f MB/s, %.0f ns per data segment (with its ACK)%n", segments, allocated,
                (double) allocated / segments, transferred * 1e3 / wall, (double) wall / segments);
        assertThat((double) allocated / segments).isLessThan(1.0);
        client.abort();
        server[0].abort();
        src.release();
        dst.release();
        while (wire.size > 0) {
            wire.bufs[wire.head].release();
            wire.head = (wire.head + 1) & (wire.bufs.length - 1);
            wire.size--;
        }
        pool.releaseAll();
    }
}
