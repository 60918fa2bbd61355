/*
 * ReceiveBuffer: the receive side's byte store: a ring of SO_RCVBUF bytes holding the in-order bytes the user has
 * not read yet (from the read position up to RCV.NXT) followed by the window, into which out-of-order segments are
 * written at their offset from RCV.NXT (RFC 9293 3.10.7.4 "seventh"; which parts are filled is the Assembler's job).
 * Allocated on first data, released when the connection ends or the user closes. Resizable (auto-sizing,
 * SO_RCVBUF) without losing bytes: the ring's contents are copied, in order from the read position, to a new ring.
 */
package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Receive ring: [read position, +readable) is in order; past it, offsets are relative to RCV.NXT. */
final class ReceiveBuffer {
    private final ByteBufAllocator allocator;
    private int capacity;
    private ByteBuf ring;
    private int head;
    private int readable;
    private boolean released;

    ReceiveBuffer(ByteBufAllocator allocator, int capacity) {
        this.allocator = allocator;
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    /** In-order bytes not yet read. */
    int readable() {
        return readable;
    }

    /** Bytes of the ring past the in-order data: the most that can be stored beyond RCV.NXT. */
    int free() {
        return released ? 0 : capacity - readable;
    }

    /**
     * Stores {@code length} bytes of {@code src} at absolute index {@code srcIndex} at {@code offset} bytes past
     * RCV.NXT. The caller keeps offset + length within {@link #free()}.
     */
    void writeAt(int offset, ByteBuf src, int srcIndex, int length) {
        if (offset < 0 || length < 0 || offset + length > free()) {
            throw new IndexOutOfBoundsException("store " + offset + "+" + length + " of " + free());
        }
        if (length == 0) {
            return;
        }
        if (ring == null) {
            ring = allocator.directBuffer(capacity, capacity);
        }
        int pos = (int) (((long) head + readable + offset) % capacity);
        int first = Math.min(length, capacity - pos);
        ring.setBytes(pos, src, srcIndex, first);
        if (length > first) {
            ring.setBytes(0, src, srcIndex + first, length - first);
        }
    }

    /** RCV.NXT moved over {@code n} stored bytes: they become readable. */
    void commit(int n) {
        if (n < 0 || n > free()) {
            throw new IllegalArgumentException("commit " + n + " of " + free());
        }
        readable += n;
    }

    /** Moves up to {@code max} readable bytes to {@code dst}'s writer index; returns the count. */
    int read(ByteBuf dst, int max) {
        int n = Math.min(Math.min(max, readable), dst.maxWritableBytes());
        if (n <= 0) {
            return 0;
        }
        int first = Math.min(n, capacity - head);
        dst.writeBytes(ring, head, first);
        if (n > first) {
            dst.writeBytes(ring, 0, n - first);
        }
        readable -= n;
        head = (head + n) % capacity; // not reset when empty: out-of-order bytes sit at fixed ring positions
        return n;
    }

    /**
     * Gives the ring {@code newCapacity} bytes. The first {@code keep} bytes past the read position (the readable
     * bytes and whatever out-of-order bytes lie within the window already offered) are kept at the same offsets;
     * {@code keep} must not exceed the new capacity. Nothing is allocated before the first data.
     */
    void resize(int newCapacity, int keep) {
        if (newCapacity < 1 || keep < readable || keep > newCapacity || keep > capacity) {
            throw new IllegalArgumentException("resize to " + newCapacity + " keeping " + keep + " of " + capacity);
        }
        if (released || newCapacity == capacity) {
            return;
        }
        if (ring != null) {
            ByteBuf other = allocator.directBuffer(newCapacity, newCapacity);
            int first = Math.min(keep, capacity - head);
            other.setBytes(0, ring, head, first);
            if (keep > first) {
                other.setBytes(first, ring, 0, keep - first);
            }
            ring.release();
            ring = other;
        }
        head = 0;
        capacity = newCapacity;
    }

    /** Forgets every byte and returns the ring to its allocator; nothing can be stored afterwards. */
    void release() {
        released = true;
        readable = 0;
        head = 0;
        if (ring != null) {
            ring.release();
            ring = null;
        }
    }
}
