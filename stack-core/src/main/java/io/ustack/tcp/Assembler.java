/*
 * Assembler: which byte ranges past RCV.NXT have arrived out of order (the queue of RFC 9293 3.10.7.4 "seventh,
 * process the segment text" keeps such segments "for later processing"). A fixed-capacity, sorted set of disjoint,
 * non-adjacent half-open intervals, offsets relative to RCV.NXT; later the source of SACK blocks (RFC 2018).
 */
package io.ustack.tcp;

/** Fixed-capacity interval set over offsets from RCV.NXT. Allocation-free after construction. */
final class Assembler {
    private final int[] starts;
    private final int[] ends;
    private int count;

    Assembler(int capacity) {
        starts = new int[capacity];
        ends = new int[capacity];
    }

    boolean isEmpty() {
        return count == 0;
    }

    int count() {
        return count;
    }

    int start(int i) {
        return starts[i];
    }

    int end(int i) {
        return ends[i];
    }

    /** Whether [start, end) lies entirely inside one range. */
    boolean covers(int start, int end) {
        int i = firstEndingAtOrAfter(end); // the only range that can hold it: every earlier one ends before end
        return i < count && starts[i] <= start;
    }

    /** The index of the range holding offset {@code off}, or -1. */
    int indexContaining(int off) {
        int i = firstEndingAtOrAfter(off + 1);
        return i < count && starts[i] <= off ? i : -1;
    }

    /** The smallest index whose range ends at or after {@code off} ({@link #count} if none): a binary search. */
    private int firstEndingAtOrAfter(int off) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] < off) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The end of the last range (0 if empty): one past the highest byte held. */
    int highestEnd() {
        return count == 0 ? 0 : ends[count - 1];
    }

    /**
     * Marks [start, end) as received, merging with overlapping or adjacent ranges. Returns false (and changes
     * nothing) if that would need more ranges than the capacity (for a range at offset 0 the caller then uses
     * {@link #advance}: in-order text must never be refused for lack of room to remember out-of-order text).
     */
    boolean add(int start, int end) {
        if (start >= end) {
            return true;
        }
        // first range that ends at or after start (could touch or overlap)
        int i = firstEndingAtOrAfter(start);
        // ranges i..j-1 overlap or touch [start, end)
        int j = i;
        while (j < count && starts[j] <= end) {
            j++;
        }
        if (i == j) {
            if (count == starts.length) {
                return false;
            }
            System.arraycopy(starts, i, starts, i + 1, count - i);
            System.arraycopy(ends, i, ends, i + 1, count - i);
            starts[i] = start;
            ends[i] = end;
            count++;
            return true;
        }
        int mergedStart = Math.min(start, starts[i]);
        int mergedEnd = Math.max(end, ends[j - 1]);
        starts[i] = mergedStart;
        ends[i] = mergedEnd;
        int removed = j - i - 1;
        if (removed > 0) {
            System.arraycopy(starts, j, starts, i + 1, count - j);
            System.arraycopy(ends, j, ends, i + 1, count - j);
            count -= removed;
        }
        return true;
    }

    /**
     * If a range starts at offset 0, removes it, moves every other range down by its length (RCV.NXT advances
     * over it) and returns that length; otherwise returns 0.
     */
    int popFront() {
        if (count == 0 || starts[0] != 0) {
            return 0;
        }
        int n = ends[0];
        count--;
        for (int k = 0; k < count; k++) {
            starts[k] = starts[k + 1] - n;
            ends[k] = ends[k + 1] - n;
        }
        return n;
    }

    /**
     * RCV.NXT advanced by {@code n} bytes that lie before every range (text at offset 0 that touches none): every
     * range moves down by {@code n}. Unlike {@link #add}, this never needs a free slot, so in-order text is always
     * taken, even when the out-of-order ranges have used up the capacity.
     */
    void advance(int n) {
        if (n <= 0 || count > 0 && n >= starts[0]) {
            throw new IllegalArgumentException("advance " + n + " over " + this);
        }
        for (int k = 0; k < count; k++) {
            starts[k] -= n;
            ends[k] -= n;
        }
    }

    void clear() {
        count = 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Assembler[");
        for (int k = 0; k < count; k++) {
            sb.append(k == 0 ? "" : " ").append(starts[k]).append("..").append(ends[k]);
        }
        return sb.append(']').toString();
    }
}
