/*
 * ImpairmentCounters: what an ImpairedLink did to the frames of one direction (for tests, logs and replays).
 */
package io.ustack.link;

/**
 * Counts of one direction of an {@link ImpairedLink}. Written by the engine thread; read them there, or elsewhere as
 * an approximate snapshot (for logs).
 */
public final class ImpairmentCounters {
    long offered;
    long passed;
    long lost;
    long overflowed;
    long reordered;
    long duplicated;
    long corrupted;
    long delayed;
    long throttled;
    long refused;

    /** Frames that entered this direction. */
    public long offered() {
        return offered;
    }

    /** Frames that left it: handed to the wrapped link (transmit) or to the stack (receive), duplicates included. */
    public long passed() {
        return passed;
    }

    /** Frames dropped by the loss rule. */
    public long lost() {
        return lost;
    }

    /** Frames dropped because the direction already held {@code limit} frames (drop-tail). */
    public long overflowed() {
        return overflowed;
    }

    /** Frames held back to be overtaken by later ones. */
    public long reordered() {
        return reordered;
    }

    /** Extra copies made by the duplicate rule. */
    public long duplicated() {
        return duplicated;
    }

    /** Frames that had one bit flipped. */
    public long corrupted() {
        return corrupted;
    }

    /** Frames that waited in the time queue (for the delay, the rate, or frames ahead of them) instead of passing. */
    public long delayed() {
        return delayed;
    }

    /** Frames that left later than their delay alone required, because of the rate limit. */
    public long throttled() {
        return throttled;
    }

    /** Transmit only: frames the wrapped link refused (its queue full, or down) when they were finally sent. */
    public long refused() {
        return refused;
    }

    /** Frames dropped here for any reason (lost or overflowed). */
    public long dropped() {
        return lost + overflowed;
    }

    @Override
    public String toString() {
        return "offered=" + offered + " passed=" + passed + " lost=" + lost + " overflowed=" + overflowed
                + " reordered=" + reordered + " duplicated=" + duplicated + " corrupted=" + corrupted
                + " delayed=" + delayed + " throttled=" + throttled + " refused=" + refused;
    }
}
