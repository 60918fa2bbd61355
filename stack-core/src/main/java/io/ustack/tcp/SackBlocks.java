/*
 * SackBlocks: the SACK blocks a data receiver reports (RFC 2018 section 4): the first block holds the segment that
 * triggered the ACK, the following ones repeat the most recently reported blocks, and every block is an out-of-order
 * range of the reassembly Assembler. A duplicate segment is reported once as a D-SACK block in first position
 * (RFC 2883 section 4, cases 1 and 2: below RCV.NXT, or inside an out-of-order block).
 */
package io.ustack.tcp;

import io.ustack.wire.TcpOptions;

import static io.ustack.tcp.SequenceNumbers.lt;

/** Recency of the receiver's out-of-order ranges. Fixed arrays; engine thread only. */
final class SackBlocks {
    /** How many recent arrivals are remembered (at most 4 blocks fit in any TCP header). */
    private static final int RECENT = TcpOptions.MAX_SACK_BLOCKS;

    /** SACK-permitted was exchanged on the SYNs. */
    boolean enabled;
    /** Sequence numbers of recent out-of-order arrivals, most recent first. */
    private final int[] recent = new int[RECENT];
    private int recentCount;
    private boolean dsackPending;
    private int dsackLeft;
    private int dsackRight;
    private final int[] seenStarts = new int[RECENT + 1];

    /** An out-of-order segment starting at {@code seq} was stored: its block goes first from now on. */
    void arrived(int seq) {
        int n = Math.min(recentCount, RECENT - 1);
        System.arraycopy(recent, 0, recent, 1, n);
        recent[0] = seq;
        recentCount = n + 1;
    }

    /** A duplicate [left, right) arrived: report it as D-SACK in the next ACK (RFC 2883). */
    void duplicate(int left, int right) {
        if (enabled && lt(left, right)) {
            dsackPending = true;
            dsackLeft = left;
            dsackRight = right;
        }
    }

    boolean dsackPending() {
        return dsackPending;
    }

    /** Whether an ACK now would carry at least one block. */
    boolean anyToReport(Assembler assembler) {
        return enabled && (dsackPending || !assembler.isEmpty());
    }

    /**
     * Appends up to {@code maxBlocks} blocks to {@code options}: the D-SACK block first if one is pending, then the
     * blocks of the most recent arrivals, then the other out-of-order ranges from the highest down.
     *
     * @return the number of blocks added
     */
    int fill(TcpOptions options, Assembler assembler, int rcvNxt, int maxBlocks) {
        if (!enabled || maxBlocks <= 0) {
            return 0;
        }
        int added = 0;
        int seen = 0;
        if (dsackPending) {
            options.addSackBlock(dsackLeft, dsackRight);
            added++;
        }
        for (int r = 0; r < recentCount && added < maxBlocks; r++) {
            int off = recent[r] - rcvNxt;
            if (off < 0) {
                continue; // now below RCV.NXT
            }
            int i = assembler.indexContaining(off);
            if (i < 0 || contains(seenStarts, seen, assembler.start(i))) {
                continue;
            }
            seenStarts[seen++] = assembler.start(i);
            options.addSackBlock(rcvNxt + assembler.start(i), rcvNxt + assembler.end(i));
            added++;
        }
        for (int i = assembler.count() - 1; i >= 0 && added < maxBlocks; i--) {
            if (contains(seenStarts, seen, assembler.start(i))) {
                continue;
            }
            if (seen < seenStarts.length) {
                seenStarts[seen++] = assembler.start(i);
            }
            options.addSackBlock(rcvNxt + assembler.start(i), rcvNxt + assembler.end(i));
            added++;
        }
        return added;
    }

    /** An ACK carrying the pending D-SACK block went out. */
    void dsackSent() {
        dsackPending = false;
    }

    /** Forgets arrivals now below RCV.NXT (keeps the array short). */
    void prune(int rcvNxt) {
        int k = 0;
        for (int r = 0; r < recentCount; r++) {
            if (!lt(recent[r], rcvNxt)) {
                recent[k++] = recent[r];
            }
        }
        recentCount = k;
    }

    private static boolean contains(int[] values, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (values[i] == v) {
                return true;
            }
        }
        return false;
    }

    void clear() {
        recentCount = 0;
        dsackPending = false;
    }
}
