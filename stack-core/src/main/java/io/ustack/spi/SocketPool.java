/*
 * SocketPool: recycles ProviderSocket objects so WSPSocket/WSPCloseSocket allocate nothing in steady state. A small
 * per-thread cache serves the common case without shared writes (so threads creating sockets in parallel do not
 * contend on one cache line); a bounded lock-free queue takes overflow and feeds threads whose cache is empty.
 */
package io.ustack.spi;

import org.jctools.queues.MpmcArrayQueue;

/** A pool of released ProviderSockets. Thread-safe; objects may be returned by a thread other than the taker. */
final class SocketPool {
    /** Sockets a thread keeps for itself before returning them to the shared queue. */
    static final int THREAD_CACHE = 16;

    private static final class Cache {
        final ProviderSocket[] sockets = new ProviderSocket[THREAD_CACHE];
        int size;
    }

    private final MpmcArrayQueue<ProviderSocket> shared;
    private final ThreadLocal<Cache> caches = ThreadLocal.withInitial(Cache::new);

    /** A pool whose shared part holds up to {@code sharedCapacity} objects (excess ones are left to the GC). */
    SocketPool(int sharedCapacity) {
        this.shared = new MpmcArrayQueue<>(Math.max(2, sharedCapacity));
    }

    /** A released socket object, or a new one. */
    ProviderSocket take() {
        Cache c = caches.get();
        if (c.size > 0) {
            ProviderSocket s = c.sockets[--c.size];
            c.sockets[c.size] = null;
            return s;
        }
        ProviderSocket s = shared.poll();
        return s != null ? s : new ProviderSocket();
    }

    /** Returns an object whose socket was released (no descriptor and no token can reach it any more). */
    void give(ProviderSocket s) {
        Cache c = caches.get();
        if (c.size < THREAD_CACHE) {
            c.sockets[c.size++] = s;
            return;
        }
        shared.offer(s);
    }
}
