/*
 * BufferBudget: a stack-wide byte budget for socket buffers. Each socket reserves its send and receive buffer
 * space when it is created and returns it when it is destroyed; a reservation that does not fit fails, which
 * WSPSocket reports as WSAENOBUFS. Lock-free and garbage-free.
 */
package io.ustack.spi;

import java.util.concurrent.atomic.AtomicLong;

/** A fixed number of bytes that reservations take from and give back to. Thread-safe. */
public final class BufferBudget {
    private final long capacity;
    private final AtomicLong reserved = new AtomicLong();

    /** A budget of {@code capacity} bytes. */
    public BufferBudget(long capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        this.capacity = capacity;
    }

    /** Takes {@code bytes} from the budget if they fit; false (and nothing taken) otherwise. */
    public boolean tryReserve(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative: " + bytes);
        }
        for (;;) {
            long r = reserved.get();
            if (bytes > capacity - r) {
                return false;
            }
            if (reserved.compareAndSet(r, r + bytes)) {
                return true;
            }
        }
    }

    /** Gives back {@code bytes} taken by an earlier {@link #tryReserve}. */
    public void release(long bytes) {
        long after = reserved.addAndGet(-bytes);
        if (after < 0) {
            reserved.addAndGet(bytes);
            throw new IllegalStateException("released more than reserved: " + bytes);
        }
    }

    public long capacity() {
        return capacity;
    }

    public long reserved() {
        return reserved.get();
    }

    public long available() {
        return capacity - reserved.get();
    }

    @Override
    public String toString() {
        return "BufferBudget[" + reserved() + "/" + capacity + "]";
    }
}
