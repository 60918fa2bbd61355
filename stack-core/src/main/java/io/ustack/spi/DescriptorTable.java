/*
 * DescriptorTable: the socket descriptor table, the hot allocation path of WSPSocket/WSPCloseSocket (what
 * WPUCreateSocketHandle provides to a non-IFS provider). Lock-free, bounded, garbage-free; a descriptor carries a
 * generation so a closed and reused slot never answers to an old descriptor.
 */
package io.ustack.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A bounded table of descriptors, each naming one live value.
 *
 * <p><b>Descriptor format.</b> {@code generation << slotBits | slot}, where {@code slotBits} is the number of bits
 * needed for {@code capacity} slots and the generation (1 .. 2^(31-slotBits)-1) is bumped every time the slot is
 * handed out. A descriptor is therefore always positive: never 0 and never INVALID_SOCKET. A stale descriptor (its
 * slot freed, possibly reused) is rejected until the slot's generation wraps around, i.e. after 2^(31-slotBits)-1
 * further reuses of that very slot (2047 at the largest capacity, 2^20; 2^21-1 at capacity 1024).
 *
 * <p><b>Free slots.</b> Slots are split into contiguous blocks, one per stripe; each stripe is a Treiber stack of
 * slot indices whose head is a long holding a 32-bit modification tag (ABA guard) and the top index + 1. Heads sit
 * on separate cache lines. A thread pops from its home stripe (kept per thread, moved to another stripe after a
 * failed CAS, so contending threads spread out) and steals from the other stripes when it is empty; a freed slot
 * always goes back to the stripe that owns it. Allocation reports "full" only when two consecutive sweeps see
 * every stripe empty with unchanged tags, so at one instant between them all slots were in use: a WSAEMFILE is
 * never caused by a slot that was merely moving between stripes.
 *
 * <p><b>Lookup</b> ({@link #get}) is wait-free: read the slot's live descriptor, the value, and the live descriptor
 * again. <b>Free</b> is a CAS of the live descriptor to 0, so of two threads closing the same descriptor exactly one
 * succeeds. Nothing is allocated after construction except one small per-thread probe on a thread's first call.
 *
 * @param <T> the value a descriptor names
 */
public final class DescriptorTable<T> {
    /** Largest capacity: leaves at least 11 bits of generation. */
    public static final int MAX_CAPACITY = 1 << 20;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle REFS = MethodHandles.arrayElementVarHandle(Object[].class);
    /** Longs between two stripe heads: 128 bytes, two cache lines (adjacent-line prefetch). */
    private static final int PAD = 16;
    private static final long INDEX_MASK = 0xffffffffL;
    private static final long TAG_ONE = 1L << 32;
    private static final ThreadLocal<int[]> PROBE = ThreadLocal.withInitial(DescriptorTable::newProbe);
    private static final AtomicInteger PROBE_SEED = new AtomicInteger();

    private final int capacity;
    private final int slotBits;
    private final int slotMask;
    private final int maxGeneration;
    private final int stripes;
    private final int blockShift;
    /** Stripe heads at (stripe + 1) * PAD: tag << 32 | (top slot + 1), 0 index = empty. */
    private final long[] heads;
    /** Per slot: the next free slot + 1 in its stripe's stack (0 = end). Meaningful while the slot is free. */
    private final int[] next;
    /** Per slot: the generation of the last hand-out. Touched only by the slot's current owner. */
    private final int[] generations;
    /** Per slot: the descriptor it currently answers to, 0 when free. */
    private final int[] live;
    private final Object[] values;
    /** Test hook run between reading a stripe head and its CAS in pop (null outside tests). */
    private final Runnable beforePopCas;

    /** A table of {@code capacity} descriptors with a stripe count suited to this machine. */
    public DescriptorTable(int capacity) {
        this(capacity, defaultStripes());
    }

    /** Four stripes per processor, rounded up to a power of two, at most 64. */
    private static int defaultStripes() {
        int want = 4 * Runtime.getRuntime().availableProcessors();
        return Math.min(64, Integer.highestOneBit(want - 1) << 1);
    }

    /**
     * A table of {@code capacity} descriptors whose free slots are spread over about {@code stripes} stacks.
     *
     * @throws IllegalArgumentException unless 1 &lt;= capacity &lt;= MAX_CAPACITY and stripes &gt;= 1
     */
    public DescriptorTable(int capacity, int stripes) {
        this(capacity, stripes, null);
    }

    /** As {@link #DescriptorTable(int, int)}, with a hook that lets a test force an interleaving inside pop. */
    DescriptorTable(int capacity, int stripes, Runnable beforePopCas) {
        this.beforePopCas = beforePopCas;
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be 1.." + MAX_CAPACITY + ": " + capacity);
        }
        if (stripes < 1) {
            throw new IllegalArgumentException("stripes must be positive: " + stripes);
        }
        this.capacity = capacity;
        this.slotBits = 32 - Integer.numberOfLeadingZeros(capacity - 1);
        this.slotMask = (1 << slotBits) - 1;
        this.maxGeneration = (int) ((1L << (31 - slotBits)) - 1);
        int perStripe = (capacity + Math.min(stripes, capacity) - 1) / Math.min(stripes, capacity);
        this.blockShift = 32 - Integer.numberOfLeadingZeros(perStripe - 1);
        this.stripes = (capacity + (1 << blockShift) - 1) >>> blockShift;
        this.heads = new long[(this.stripes + 2) * PAD];
        this.next = new int[capacity];
        this.generations = new int[capacity];
        this.live = new int[capacity];
        this.values = new Object[capacity];
        // Each stripe's stack holds its block in ascending order (lowest slot on top).
        for (int s = 0; s < this.stripes; s++) {
            int first = s << blockShift;
            int last = Math.min(capacity, (s + 1) << blockShift) - 1;
            for (int slot = first; slot < last; slot++) {
                next[slot] = slot + 2;
            }
            next[last] = 0;
            heads[(s + 1) * PAD] = first + 1;
        }
        VarHandle.releaseFence();
    }

    private static int[] newProbe() {
        // Golden-ratio steps: the first threads start on well separated stripes. Never 0 (xorshift fixpoint).
        int p = PROBE_SEED.addAndGet(0x9E3779B9);
        return new int[] {p == 0 ? 1 : p};
    }

    /** Maps a probe to a stripe by its high bits (multiply-shift, no division). */
    private int stripeOf(int probe) {
        return (int) (((probe & INDEX_MASK) * stripes) >>> 32);
    }

    /** The number of descriptors the table holds. */
    public int capacity() {
        return capacity;
    }

    /** The number of stripes (free-slot stacks). */
    public int stripes() {
        return stripes;
    }

    /** Bits of a descriptor that hold the slot. */
    public int slotBits() {
        return slotBits;
    }

    /** The largest generation before it wraps to 1. */
    public int maxGeneration() {
        return maxGeneration;
    }

    /**
     * Hands out a descriptor naming {@code value}.
     *
     * @return a positive descriptor, or INVALID_SOCKET if all {@link #capacity()} descriptors are in use
     */
    public int allocate(T value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        int[] probe = PROBE.get();
        int stripe = stripeOf(probe[0]);
        for (;;) {
            int s = stripe;
            for (int i = 0; i < stripes; i++) {
                int slot = pop(s, probe);
                if (slot >= 0) {
                    return publish(slot, value);
                }
                if (++s == stripes) {
                    s = 0;
                }
            }
            if (confirmFull()) {
                return Winsock.INVALID_SOCKET;
            }
        }
    }

    /** Pops a free slot of {@code stripe}, or -1 if it is empty; moves the probe on a lost CAS. */
    private int pop(int stripe, int[] probe) {
        int hi = (stripe + 1) * PAD;
        for (;;) {
            long h = (long) LONGS.getVolatile(heads, hi);
            int top = (int) h;
            if (top == 0) {
                return -1;
            }
            int below = next[top - 1];
            if (beforePopCas != null) {
                beforePopCas.run();
            }
            if (LONGS.compareAndSet(heads, hi, h, ((h & ~INDEX_MASK) + TAG_ONE) | (below & INDEX_MASK))) {
                return top - 1;
            }
            probe[0] = rehash(probe[0]);
        }
    }

    private static int rehash(int p) {
        p ^= p << 13;
        p ^= p >>> 17;
        p ^= p << 5;
        return p;
    }

    /** Double collect: every stripe empty in two sweeps with the same tag sum means all were empty at once. */
    private boolean confirmFull() {
        long first = 0;
        for (int s = 0; s < stripes; s++) {
            long h = (long) LONGS.getVolatile(heads, (s + 1) * PAD);
            if ((int) h != 0) {
                return false;
            }
            first += h >>> 32;
        }
        long second = 0;
        for (int s = 0; s < stripes; s++) {
            long h = (long) LONGS.getVolatile(heads, (s + 1) * PAD);
            if ((int) h != 0) {
                return false;
            }
            second += h >>> 32;
        }
        return first == second;
    }

    private int publish(int slot, T value) {
        int g = generations[slot] + 1;
        if (g > maxGeneration) {
            g = 1;
        }
        generations[slot] = g;
        REFS.setRelease(values, slot, value);
        int d = g << slotBits | slot;
        INTS.setRelease(live, slot, d);
        return d;
    }

    /** The value {@code descriptor} names, or null if it is not a live descriptor of this table. Wait-free. */
    @SuppressWarnings("unchecked")
    public T get(int descriptor) {
        if (descriptor <= 0) {
            return null;
        }
        int slot = descriptor & slotMask;
        if (slot >= capacity || (int) INTS.getAcquire(live, slot) != descriptor) {
            return null;
        }
        Object v = REFS.getAcquire(values, slot);
        if ((int) INTS.getAcquire(live, slot) != descriptor) {
            return null;
        }
        return (T) v;
    }

    /** True if {@code descriptor} is live. */
    public boolean isLive(int descriptor) {
        return get(descriptor) != null;
    }

    /**
     * Frees {@code descriptor}; its slot may be handed out again (with a new generation).
     *
     * @return the value it named, or null if it was not live (never issued, already freed, or stale)
     */
    @SuppressWarnings("unchecked")
    public T free(int descriptor) {
        if (descriptor <= 0) {
            return null;
        }
        int slot = descriptor & slotMask;
        if (slot >= capacity || !INTS.compareAndSet(live, slot, descriptor, 0)) {
            return null;
        }
        Object v = REFS.get(values, slot);
        REFS.setRelease(values, slot, null);
        push(slot);
        return (T) v;
    }

    private void push(int slot) {
        int hi = ((slot >>> blockShift) + 1) * PAD;
        for (;;) {
            long h = (long) LONGS.getVolatile(heads, hi);
            next[slot] = (int) h;
            if (LONGS.compareAndSet(heads, hi, h, ((h & ~INDEX_MASK) + TAG_ONE) | (slot + 1))) {
                return;
            }
        }
    }

    /** The slot of a descriptor (no liveness check). */
    public int slotOf(int descriptor) {
        return descriptor & slotMask;
    }

    /** The generation of a descriptor (no liveness check). */
    public int generationOf(int descriptor) {
        return descriptor >>> slotBits;
    }

    /** Live descriptors now (a racy count under concurrent use). */
    public int liveCount() {
        int n = 0;
        for (int slot = 0; slot < capacity; slot++) {
            if ((int) INTS.getAcquire(live, slot) != 0) {
                n++;
            }
        }
        return n;
    }

    /** Calls {@code action} with each descriptor live at the time its slot is visited. */
    public void forEachLive(IntConsumer action) {
        for (int slot = 0; slot < capacity; slot++) {
            int d = (int) INTS.getAcquire(live, slot);
            if (d != 0) {
                action.accept(d);
            }
        }
    }
}
