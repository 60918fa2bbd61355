package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.ustack.engine.ManualClock;
import io.ustack.engine.StackCounters;
import io.ustack.engine.TimerWheel;
import io.ustack.ip.IpOutput;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.TcpSegmentation;
import io.ustack.wire.DropReason;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two TcpLayers ("a" at 10.0.0.1, "b" at 10.0.0.2) joined by a simulated wire: each side's IpOutput queues the
 * segment for the other side after a one-way latency, unless a filter drops, delays or duplicates it. Time is a
 * ManualClock that jumps from event to event (packet arrival or timer deadline), so tests are exact and fast.
 * Every buffer (packets and connection rings) comes from a TrackingAllocator so {@link #close()} can prove that all
 * were released.
 */
final class TcpTestNet implements AutoCloseable {
    static final int A_IP = 0x0A000001;
    static final int B_IP = 0x0A000002;

    /** What happens to one sent segment. */
    record Fate(int kind, long delayNanos) {
        static final Fate DELIVER = new Fate(0, 0);
        static final Fate DROP = new Fate(1, 0);
        static final Fate DUPLICATE = new Fate(2, 0);

        static Fate delay(Duration d) {
            return new Fate(0, d.toNanos());
        }
    }

    /** A segment as it was sent (decoded for assertions). */
    record Sent(char from, long time, int flags, int seq, int ack, int window, int length, int mss, int wscale,
            boolean dropped, boolean sackOk, boolean ts, int tsVal, int tsEcr, int[] sack) {
        /** Number of SACK blocks. */
        int sackBlocks() {
            return sack.length / 2;
        }

        Sent asDropped() {
            return new Sent(from, time, flags, seq, ack, window, length, mss, wscale, true, sackOk, ts, tsVal, tsEcr,
                    sack);
        }

        boolean has(int flag) {
            return (flags & flag) != 0;
        }

        boolean isSyn() {
            return has(TcpSegment.SYN);
        }

        boolean isPureAck() {
            return flags == TcpSegment.ACK && length == 0;
        }

        @Override
        public String toString() {
            String f = Segment.flagString(flags);
            return from + "@" + time / 1_000_000 + "ms [" + f + "] seq=" + Integer.toUnsignedString(seq) + " ack="
                    + Integer.toUnsignedString(ack) + " win=" + window + " len=" + length
                    + (mss >= 0 ? " mss=" + mss : "") + (wscale >= 0 ? " ws=" + wscale : "")
                    + (sackOk ? " sackOK" : "") + (ts ? " ts=" + Integer.toUnsignedString(tsVal) + "/"
                    + Integer.toUnsignedString(tsEcr) : "") + sackString() + (dropped ? " DROPPED" : "");
        }

        private String sackString() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < sack.length; i += 2) {
                b.append(" sack=").append(Integer.toUnsignedString(sack[i])).append('-')
                        .append(Integer.toUnsignedString(sack[i + 1]));
            }
            return b.toString();
        }
    }

    @FunctionalInterface
    interface Filter {
        Fate fate(Sent s);
    }

    private record InFlight(long at, long order, Side to, ByteBuf buf, int src, int dst) {
    }

    final ManualClock clock = new ManualClock();
    final TrackingAllocator alloc = new TrackingAllocator();
    final Side a;
    final Side b;
    final List<Sent> log = new ArrayList<>();
    private final PriorityQueue<InFlight> wire = new PriorityQueue<>((x, y) -> x.at != y.at
            ? Long.compare(x.at, y.at) : Long.compare(x.order, y.order));
    private long order;
    long latencyNanos = Duration.ofMillis(1).toNanos();
    /**
     * A bottleneck in each direction (0: none): packets (with 40 bytes of IP and TCP header) are serialized at this
     * many bytes per second behind each other, and dropped at the tail when more than {@link #queueLimitBytes}
     * wait (0: no limit).
     */
    long rateBytesPerSecond;
    long queueLimitBytes;
    Filter filter = s -> Fate.DELIVER;
    boolean trace;

    /** Both sides with {@link #testConfig()}. */
    TcpTestNet() {
        this(testConfig(), testConfig());
    }

    TcpTestNet(TcpConfig configA, TcpConfig configB) {
        configA.allocator(alloc);
        configB.allocator(alloc);
        a = new Side('a', A_IP, configA, 1);
        b = new Side('b', B_IP, configB, 2);
        a.peer = b;
        b.peer = a;
    }

    /**
     * A TcpConfig with short timers for tests: MSL 1 s (TIME-WAIT 2 s); fixed 256 KiB buffers (no auto-sizing, so
     * windows and scales are exact).
     */
    static TcpConfig testConfig() {
        return new TcpConfig().msl(Duration.ofSeconds(1)).receiveBufferSize(256 * 1024).sendBufferSize(256 * 1024);
    }

    long now() {
        return clock.nanos();
    }

    /** Drops each segment (both directions) with probability {@code p}, decided by a seeded generator. */
    void randomLoss(double p, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        filter = s -> rnd.nextDouble() < p ? Fate.DROP : Fate.DELIVER;
    }

    /** One endpoint: a TcpLayer with its own timer wheel, counters and IpOutput. */
    final class Side implements IpOutput {
        final char name;
        final int ip;
        final StackCounters counters = new StackCounters();
        final TimerWheel wheel;
        TcpLayer layer;
        Side peer;
        int mtu = 1500;
        /** When this side's bottleneck finishes sending what is queued on it. */
        long linkFreeAt;
        long allocated;
        long sent;
        /** Buffers allocated for super-segments (SegmentWriter moves the first piece into one, releasing its own). */
        long grown;

        Side(char name, int ip, TcpConfig config, long seed) {
            this.name = name;
            this.ip = ip;
            this.wheel = new TimerWheel(clock.nanos());
            this.layer = new TcpLayer(this, wheel, counters, config, new SplittableRandom(seed));
        }

        @Override
        public ByteBuf allocate(int transportBytes) {
            ByteBuf buf = alloc.directBuffer(HEADROOM + transportBytes);
            buf.setIndex(HEADROOM, HEADROOM);
            allocated++;
            if (transportBytes == SegmentWriter.MAX_SUPER_SEGMENT) {
                grown++; // a super-segment's buffer: the first piece's own buffer is released, not sent
            }
            return buf;
        }

        @Override
        public boolean sendIpv4(ByteBuf transport, int src, int dst, int protocol, long now) {
            sent++;
            assertThat(protocol).isEqualTo(6);
            assertThat(src).isEqualTo(ip);
            assertThat(now).isEqualTo(clock.nanos());
            TcpSegment v = new TcpSegment().wrap(transport, transport.readerIndex(), transport.readableBytes());
            assertThat(v.check(src, dst)).isEqualTo(DropReason.NONE);
            TcpOptions o = new TcpOptions();
            assertThat(o.parse(transport, v.optionsOffset(), v.optionsLength())).isEqualTo(DropReason.NONE);
            int[] blocks = new int[2 * o.sackBlockCount()];
            for (int i = 0; i < o.sackBlockCount(); i++) {
                blocks[2 * i] = o.sackLeft(i);
                blocks[2 * i + 1] = o.sackRight(i);
            }
            Sent s = new Sent(name, now, v.flags(), v.sequenceNumber(), v.acknowledgmentNumber(), v.window(),
                    v.payloadLength(), o.mss(), o.windowScale(), false, o.sackPermitted(), o.hasTimestamps(),
                    o.tsVal(), o.tsEcr(), blocks);
            Fate fate = dst == peer.ip ? filter.fate(s) : Fate.DROP;
            long departure = now;
            if (rateBytesPerSecond > 0 && fate.kind() != Fate.DROP.kind()) {
                long start = Math.max(now, linkFreeAt);
                long queued = (start - now) * rateBytesPerSecond / 1_000_000_000L;
                if (queueLimitBytes > 0 && queued > queueLimitBytes) {
                    fate = Fate.DROP; // tail drop
                } else {
                    departure = start + (v.payloadLength() + v.headerLength() + 20) * 1_000_000_000L
                            / rateBytesPerSecond;
                    linkFreeAt = departure;
                }
            }
            if (fate.kind() == Fate.DROP.kind()) {
                s = s.asDropped();
            }
            log.add(s);
            if (trace) {
                System.out.println(s);
            }
            if (fate.kind() == Fate.DROP.kind()) {
                transport.release();
                return true;
            }
            if (fate.kind() == Fate.DUPLICATE.kind()) {
                ByteBuf copy = alloc.directBuffer(transport.readableBytes());
                copy.writeBytes(transport, transport.readerIndex(), transport.readableBytes());
                wire.add(new InFlight(departure + latencyNanos, order++, peer, copy, src, dst));
            }
            wire.add(new InFlight(departure + latencyNanos + fate.delayNanos(), order++, peer, transport, src, dst));
            return true;
        }

        /** Offer TCP segmentation offload: super-segments are checked, counted and cut here into pieces. */
        boolean segmentationOffload;
        long superSegments;
        long superPieces;

        @Override
        public boolean tcpSegmentationOffload() {
            return segmentationOffload;
        }

        /**
         * As a device would: checks the partial checksum and the size, puts an IPv4 header in front, cuts the
         * super-segment (TcpSegmentation) and puts each piece on the wire as {@link #sendIpv4} does.
         */
        @Override
        public boolean sendTcpSegments(ByteBuf transport, int src, int dst, int gsoSize, long now) {
            assertThat(segmentationOffload).as("super-segment without offload").isTrue();
            int start = transport.readerIndex();
            int length = transport.readableBytes();
            assertThat(transport.getUnsignedShort(start + TcpSegment.CHECKSUM_OFFSET))
                    .isEqualTo(TcpSegmentation.partialChecksum(src, dst, length));
            assertThat(length).isLessThanOrEqualTo(65535 - 20).isGreaterThan(gsoSize);
            superSegments++;
            sent++; // the one packet allocated; its pieces are not counted again
            Ipv4Packet.emitHeader(transport, start - 20, src, dst, 6, length, 64, 0, true);
            transport.readerIndex(start - 20);
            return TcpSegmentation.segment(transport, 0, gsoSize, HEADROOM, piece -> {
                superPieces++;
                sent--;
                piece.skipBytes(20);
                return sendIpv4(piece, src, dst, 6, now);
            });
        }

        @Override
        public int mtu() {
            return mtu;
        }

        @Override
        public int sourceAddressFor(int dst) {
            return dst == peer.ip ? ip : 0;
        }

        /** Delivers a hand-made segment from the peer's address to this side now. */
        void inject(int srcPort, int dstPort, int seq, int ack, int flags, int window, TcpOptions options,
                byte[] payload) {
            injectFrom(peer.ip, srcPort, dstPort, seq, ack, flags, window, options, payload);
        }

        /** Delivers a hand-made segment from any (e.g. spoofed) address to this side now. */
        void injectFrom(int srcIp, int srcPort, int dstPort, int seq, int ack, int flags, int window,
                TcpOptions options, byte[] payload) {
            int optLen = options == null ? 0 : options.encodedLength();
            ByteBuf buf = alloc.directBuffer(60 + payload.length);
            int hl = TcpSegment.emitHeader(buf, 0, srcPort, dstPort, seq, ack, flags, window, options);
            buf.writerIndex(hl);
            assertThat(hl).isEqualTo(20 + optLen);
            buf.writeBytes(payload);
            TcpSegment.fillChecksum(buf, 0, buf.readableBytes(), srcIp, ip);
            try {
                layer.input(buf, 0, buf.readableBytes(), srcIp, ip, clock.nanos());
            } finally {
                buf.release();
            }
        }
    }

    // ------------------------------------------------------------------ driving time

    /** Delivers due packets and fires due timers at the current instant, repeatedly until nothing is due. */
    private void settle() {
        long now = clock.nanos();
        boolean progress = true;
        while (progress) {
            progress = false;
            InFlight p;
            while ((p = wire.peek()) != null && p.at <= now) {
                wire.poll();
                try {
                    p.to.layer.input(p.buf, p.buf.readerIndex(), p.buf.readableBytes(), p.src, p.dst, now);
                } finally {
                    p.buf.release();
                }
                progress = true;
            }
            a.layer.updateTime(now);
            b.layer.updateTime(now);
            if (a.wheel.expire(now) > 0) {
                progress = true;
            }
            if (b.wheel.expire(now) > 0) {
                progress = true;
            }
        }
    }

    private long nextEventTime() {
        long next = Long.MAX_VALUE;
        InFlight p = wire.peek();
        if (p != null) {
            next = p.at;
        }
        long now = clock.nanos();
        long ta = a.wheel.nanosUntilNext(now);
        long tb = b.wheel.nanosUntilNext(now);
        if (ta != Long.MAX_VALUE) {
            next = Math.min(next, now + Math.max(ta, 1));
        }
        if (tb != Long.MAX_VALUE) {
            next = Math.min(next, now + Math.max(tb, 1));
        }
        return next;
    }

    /** Runs the network until {@code done} holds (checked after every event) or {@code limit} passes. */
    boolean runUntil(BooleanSupplier done, Duration limit) {
        long end = clock.nanos() + limit.toNanos();
        settle();
        while (!done.getAsBoolean()) {
            long next = nextEventTime();
            if (next > end) {
                clock.advanceNanos(end - clock.nanos());
                settle();
                return done.getAsBoolean();
            }
            clock.advanceNanos(Math.max(0, next - clock.nanos()));
            settle();
        }
        return true;
    }

    /** Runs for exactly {@code d} of simulated time. */
    void run(Duration d) {
        runUntil(() -> false, d);
    }

    /** Runs until no packet is in flight and no timer is armed, or {@code limit} passes. */
    boolean runUntilQuiet(Duration limit) {
        return runUntil(() -> wire.isEmpty() && a.wheel.armedCount() == 0 && b.wheel.armedCount() == 0, limit);
    }

    List<Sent> sentBy(char side) {
        return log.stream().filter(s -> s.from() == side).toList();
    }

    void printLog() {
        log.forEach(System.out::println);
    }

    void onEachLog(Consumer<Sent> c) {
        log.forEach(c);
    }

    /** Releases what is still on the wire and checks that every buffer ever allocated was released. */
    @Override
    public void close() {
        InFlight p;
        while ((p = wire.poll()) != null) {
            p.buf.release();
        }
        assertThat(a.allocated).as("packets a allocated vs handed to IP").isEqualTo(a.sent + a.grown);
        assertThat(b.allocated).as("packets b allocated vs handed to IP").isEqualTo(b.sent + b.grown);
        alloc.assertAllReleased();
    }
}
