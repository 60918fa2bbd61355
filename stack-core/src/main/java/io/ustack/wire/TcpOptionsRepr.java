/*
 * TcpOptionsRepr: an immutable form of the TCP options this stack understands (RFC 9293 3.2, RFC 7323, RFC 2018),
 * for tests and non-hot paths; the hot path uses the mutable TcpOptions holder.
 */
package io.ustack.wire;

import java.util.Arrays;

/**
 * Options of one segment. {@code mss} and {@code windowScale} are -1 when absent; {@code sackBlocks} holds
 * left/right edge pairs (0 to 4 pairs) in wire order.
 */
public record TcpOptionsRepr(int mss, int windowScale, boolean sackPermitted, boolean timestamps, int tsVal,
        int tsEcr, int[] sackBlocks) {

    /** No options at all. */
    public static final TcpOptionsRepr NONE = new TcpOptionsRepr(-1, -1, false, false, 0, 0, new int[0]);

    public TcpOptionsRepr {
        if ((sackBlocks.length & 1) != 0 || sackBlocks.length > 2 * TcpOptions.MAX_SACK_BLOCKS) {
            throw new IllegalArgumentException("sackBlocks must hold 0..4 left/right pairs");
        }
        sackBlocks = sackBlocks.clone();
    }

    /** Snapshot of a holder. */
    public static TcpOptionsRepr of(TcpOptions o) {
        int[] blocks = new int[2 * o.sackBlockCount()];
        for (int i = 0; i < o.sackBlockCount(); i++) {
            blocks[2 * i] = o.sackLeft(i);
            blocks[2 * i + 1] = o.sackRight(i);
        }
        return new TcpOptionsRepr(o.mss(), o.windowScale(), o.sackPermitted(), o.hasTimestamps(), o.tsVal(),
                o.tsEcr(), blocks);
    }

    /** Loads these options into {@code target} (cleared first) and returns it. */
    public TcpOptions toOptions(TcpOptions target) {
        target.clear().mss(mss).windowScale(windowScale).sackPermitted(sackPermitted);
        if (timestamps) {
            target.timestamps(tsVal, tsEcr);
        }
        for (int i = 0; i < sackBlocks.length; i += 2) {
            target.addSackBlock(sackBlocks[i], sackBlocks[i + 1]);
        }
        return target;
    }

    @Override
    public int[] sackBlocks() {
        return sackBlocks.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpOptionsRepr r && r.mss == mss && r.windowScale == windowScale
                && r.sackPermitted == sackPermitted && r.timestamps == timestamps && r.tsVal == tsVal
                && r.tsEcr == tsEcr && Arrays.equals(r.sackBlocks, sackBlocks);
    }

    @Override
    public int hashCode() {
        int h = mss * 31 + windowScale;
        h = h * 31 + (sackPermitted ? 1 : 0);
        h = h * 31 + (timestamps ? 1 : 0);
        h = h * 31 + tsVal;
        h = h * 31 + tsEcr;
        return h * 31 + Arrays.hashCode(sackBlocks);
    }

    @Override
    public String toString() {
        return "TcpOptionsRepr[mss=" + mss + ", ws=" + windowScale + ", sackOK=" + sackPermitted + ", ts="
                + (timestamps ? Integer.toUnsignedString(tsVal) + "/" + Integer.toUnsignedString(tsEcr) : "none")
                + ", sack=" + Arrays.toString(sackBlocks) + "]";
    }
}
