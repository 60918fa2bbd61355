package io.ustack.tcp;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test allocator that remembers every buffer it handed out (unpooled, so buffer objects are never recycled) and can
 * assert that all of them were released: a precise leak check, independent of GC-driven leak detection. Netty's own
 * leak detector is off for these buffers: at PARANOID it records a stack trace on every access, which made the
 * multi-megabyte transfer tests take minutes, and the check here is exact anyway.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final UnpooledByteBufAllocator delegate = new UnpooledByteBufAllocator(true, true, false);
    private final List<ByteBuf> handedOut = new ArrayList<>();

    public TrackingAllocator() {
        super(true);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf b = delegate.heapBuffer(initialCapacity, maxCapacity);
        handedOut.add(b);
        return b;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf b = delegate.directBuffer(initialCapacity, maxCapacity);
        handedOut.add(b);
        return b;
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    int allocations() {
        return handedOut.size();
    }

    long unreleased() {
        return handedOut.stream().filter(b -> b.refCnt() != 0).count();
    }

    /** Capacity of the buffers handed out and not yet released. */
    public long unreleasedBytes() {
        return handedOut.stream().filter(b -> b.refCnt() != 0).mapToLong(ByteBuf::capacity).sum();
    }

    public void assertAllReleased() {
        assertThat(unreleased()).as("buffers not released").isZero();
    }
}
