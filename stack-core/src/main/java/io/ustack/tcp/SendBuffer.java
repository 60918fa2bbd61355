/*
 * SendBuffer: the send side's byte store (RFC 9293 3.3.1, the part of the sequence space from SND.UNA to the end of
 * the user's data): a ring over one buffer of SO_SNDBUF bytes. Segments copy out of it into packet buffers when they
 * are (re)transmitted; acknowledged bytes are dropped from its head. The ring buffer is allocated on first use and
 * released when the connection ends. It can be resized (auto-sizing, SO_SNDBUF) without losing bytes: a new ring
 * is allocated, the bytes copied to its start, the old ring released.
 */
package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Ring of unacknowledged and unsent bytes. Offsets are relative to the first unacknowledged byte. */
final class SendBuffer {
    private final ByteBufAllocator allocator;
    private int capacity;
    private ByteBuf ring;
    private int head;
    private int size;
    private boolean released;

    SendBuffer(ByteBufAllocator allocator, int capacity) {
        this.allocator = allocator;
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    /** Bytes held (unacknowledged + unsent). */
    int size() {
        return size;
    }

    int free() {
        return released ? 0 : capacity - size;
    }

    /** Copies up to {@code max} bytes from {@code src}'s reader index (advancing it); returns the count. */
    int write(ByteBuf src, int max) {
        int n = Math.min(Math.min(max, src.readableBytes()), free());
        if (n <= 0) {
            return 0;
        }
        if (ring == null) {
            ring = allocator.directBuffer(capacity, capacity);
        }
        int tail = head + size;
        if (tail >= capacity) {
            tail -= capacity;
        }
        int first = Math.min(n, capacity - tail);
        int from = src.readerIndex();
        ring.setBytes(tail, src, from, first);
        if (n > first) {
            ring.setBytes(0, src, from + first, n - first);
        }
        src.skipBytes(n);
        size += n;
        return n;
    }

    /** Appends {@code length} bytes starting {@code offset} bytes past the head to {@code dst}'s writer index. */
    void copyTo(int offset, int length, ByteBuf dst) {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IndexOutOfBoundsException("copy " + offset + "+" + length + " of " + size);
        }
        if (length == 0) {
            return;
        }
        int pos = head + offset;
        if (pos >= capacity) {
            pos -= capacity;
        }
        int first = Math.min(length, capacity - pos);
        dst.writeBytes(ring, pos, first);
        if (length > first) {
            dst.writeBytes(ring, 0, length - first);
        }
    }

    /** Drops {@code n} acknowledged bytes from the head. */
    void consume(int n) {
        if (n < 0 || n > size) {
            throw new IllegalArgumentException("consume " + n + " of " + size);
        }
        size -= n;
        head = size == 0 ? 0 : (head + n) % capacity;
    }

    /**
     * Gives the ring {@code newCapacity} bytes (at least {@link #size()}), keeping every byte it holds. Nothing is
     * allocated before the first write.
     */
    void resize(int newCapacity) {
        if (newCapacity < size || newCapacity < 1) {
            throw new IllegalArgumentException("resize to " + newCapacity + " with " + size + " held");
        }
        if (released || newCapacity == capacity) {
            return;
        }
        if (ring != null) {
            ByteBuf bigger = allocator.directBuffer(newCapacity, newCapacity);
            int first = Math.min(size, capacity - head);
            bigger.setBytes(0, ring, head, first);
            if (size > first) {
                bigger.setBytes(first, ring, 0, size - first);
            }
            ring.release();
            ring = bigger;
        }
        head = 0;
        capacity = newCapacity;
    }

    /** Returns the ring to its allocator; the buffer holds nothing afterwards and accepts no more bytes. */
    void release() {
        released = true;
        size = 0;
        head = 0;
        if (ring != null) {
            ring.release();
            ring = null;
        }
    }
}
