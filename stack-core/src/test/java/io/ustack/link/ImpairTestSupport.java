/*
 * ImpairTestSupport: fixtures for the ImpairedLink tests: numbered Ethernet frames, a sink that records what it is
 * handed (sequence numbers, bytes, clock times), and a Link decorator that records the timeouts await passes down.
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.ustack.engine.Clock;

import java.util.ArrayList;
import java.util.List;

final class ImpairTestSupport {
    static final int SEQ_OFFSET = 14;
    static final int MTU = 1500;

    private ImpairTestSupport() {
    }

    /**
     * Frames come from the pooled allocator: Netty's leak detector tracks its buffers (it does not track unpooled heap
     * buffers), and the copies the link makes with a frame's allocator, so a frame the link fails to release fails
     * the test class.
     */
    static ByteBuf buffer(int length) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(length, length);
    }

    /**
     * Unpooled direct and leak-tracked: a released buffer is never recycled into another, so its refCnt() stays 0 for
     * a test to check (a pooled one may be reused). Slow to allocate: only for a few frames.
     */
    static final ByteBufAllocator UNRECYCLED = new UnpooledByteBufAllocator(true, false);

    /** An Ethernet II frame (IPv4 ethertype) of {@code length} bytes carrying {@code seq} right after the header. */
    static ByteBuf frame(int seq, int length) {
        return frame(seq, length, buffer(length));
    }

    /**
     * As {@link #frame(int, int)}, written into {@code b} in one call (each access to a tracked buffer costs a stack
     * trace at PARANOID).
     */
    static ByteBuf frame(int seq, int length, ByteBuf b) {
        byte[] bytes = new byte[length];
        byte[] header = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
        System.arraycopy(header, 0, bytes, 0, Math.min(header.length, length));
        int i = header.length;
        if (length >= SEQ_OFFSET + 4) {
            bytes[i++] = (byte) (seq >>> 24);
            bytes[i++] = (byte) (seq >>> 16);
            bytes[i++] = (byte) (seq >>> 8);
            bytes[i++] = (byte) seq;
        }
        for (; i < length; i++) {
            bytes[i] = (byte) (seq * 31 + i * 7);
        }
        return b.writeBytes(bytes);
    }

    static ByteBuf frame(int seq) {
        return frame(seq, 64);
    }

    static int seqOf(ByteBuf frame) {
        return frame.getInt(frame.readerIndex() + SEQ_OFFSET);
    }

    /** Moves every frame the peer has (up to a lot) into {@code sink}. */
    static int drainPeer(Link peer, Collector sink) {
        int total = 0;
        int n;
        while ((n = peer.receive(sink, 1024)) > 0) {
            total += n;
        }
        return total;
    }

    /** Records each frame handed to it: sequence number, bytes (if asked), and the clock time. */
    static final class Collector implements FrameSink {
        final List<Integer> seqs = new ArrayList<>();
        final List<Long> times = new ArrayList<>();
        final List<byte[]> bytes = new ArrayList<>();
        private final Clock clock;
        private final boolean keepBytes;

        Collector(Clock clock, boolean keepBytes) {
            this.clock = clock;
            this.keepBytes = keepBytes;
        }

        Collector(Clock clock) {
            this(clock, false);
        }

        @Override
        public void onFrame(ByteBuf frame) {
            seqs.add(frame.readableBytes() >= SEQ_OFFSET + 4 ? seqOf(frame) : -1);
            times.add(clock.nanos());
            if (keepBytes) {
                bytes.add(ByteBufUtil.getBytes(frame));
            }
        }

        int count() {
            return seqs.size();
        }

        void clear() {
            seqs.clear();
            times.clear();
            bytes.clear();
        }
    }

    /** Passes everything to a link and records the timeouts of the await calls that reach it. */
    static final class AwaitRecordingLink extends ForwardingLink {
        final List<Long> awaits = new ArrayList<>();
        final Framing framing;

        AwaitRecordingLink(Link inner, Framing framing) {
            super(inner);
            this.framing = framing;
        }

        AwaitRecordingLink(Link inner) {
            this(inner, Framing.ETHERNET);
        }

        @Override
        public Framing framing() {
            return framing;
        }

        @Override
        public void await(long timeoutNanos) {
            awaits.add(timeoutNanos);
            // the inner link sleeps in real time while a ManualClock stands still: keep tests fast
            delegate.await(Math.min(timeoutNanos, 1_000_000L));
        }
    }
}
