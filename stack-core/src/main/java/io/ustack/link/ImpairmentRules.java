/*
 * ImpairmentRules: what an ImpairedLink does to the frames of ONE direction (transmit or receive): loss (independent,
 * or in bursts after the simple Gilbert model, i.e. Gilbert-Elliott with no loss in the good state and total loss in
 * the bad one), reordering, duplication, single-bit corruption, delay with jitter, and a bit-rate limit with a bounded
 * queue. The same knobs as Linux netem, which these kernels lack. Parsed and printed by Impairment.
 */
package io.ustack.link;

import java.util.concurrent.TimeUnit;

/**
 * One direction's impairments. All percentages are 0..100; times are nanoseconds; zero turns a knob off.
 *
 * @param lossPercent       share of frames lost
 * @param lossBurst         0 for independent losses; else the mean length (frames, at least 1) of a loss burst, the
 *                          long-run loss share staying {@code lossPercent} (simple Gilbert model)
 * @param reorderPercent    share of frames held back and sent after the next {@code reorderGap} frames
 * @param reorderGap        how many later frames overtake a held frame (at least 1)
 * @param reorderHoldNanos  longest a frame is held for reordering when fewer than {@code reorderGap} frames follow
 * @param duplicatePercent  share of frames sent twice
 * @param corruptPercent    share of frames with one bit flipped (never in the Ethernet header)
 * @param delayNanos        fixed delay added to every frame
 * @param jitterNanos       the delay varies uniformly within +-jitter (never below zero; jitter never reorders)
 * @param rateBitsPerSecond 0 for no limit; else frames leave no faster than this many bits per second
 * @param limit             frames a direction may hold at once (delayed, rate-limited or held); more are dropped
 */
public record ImpairmentRules(
        double lossPercent,
        double lossBurst,
        double reorderPercent,
        int reorderGap,
        long reorderHoldNanos,
        double duplicatePercent,
        double corruptPercent,
        long delayNanos,
        long jitterNanos,
        long rateBitsPerSecond,
        int limit) {

    public static final int DEFAULT_REORDER_GAP = 1;
    public static final long DEFAULT_REORDER_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    public static final int DEFAULT_LIMIT = 1000;
    /** Longest delay, jitter or hold accepted (keeps every time sum far from overflow). */
    public static final long MAX_TIME_NANOS = TimeUnit.HOURS.toNanos(1);
    /** Fastest rate accepted: 1 Tbit/s. */
    public static final long MAX_RATE_BITS_PER_SECOND = 1_000_000_000_000L;
    public static final int MAX_LIMIT = 1 << 20;

    /** No impairment. */
    public static final ImpairmentRules NONE = new ImpairmentRules(0, 0, 0, DEFAULT_REORDER_GAP,
            DEFAULT_REORDER_HOLD_NANOS, 0, 0, 0, 0, 0, DEFAULT_LIMIT);

    public ImpairmentRules {
        checkPercent("loss", lossPercent);
        checkPercent("reorder", reorderPercent);
        checkPercent("duplicate", duplicatePercent);
        checkPercent("corrupt", corruptPercent);
        if (!(lossBurst == 0 || lossBurst >= 1) || !Double.isFinite(lossBurst)) {
            throw new IllegalArgumentException("lossburst is the mean length of a loss burst in frames: 0 (off) or at"
                    + " least 1, was " + lossBurst);
        }
        if (lossBurst >= 1) {
            double maxLoss = 100 * lossBurst / (lossBurst + 1);
            if (lossPercent <= 0 || lossPercent > maxLoss) {
                throw new IllegalArgumentException("lossburst=" + lossBurst + " needs loss in (0, "
                        + maxLoss + "]% (bursts of mean length B allow at most B/(B+1) loss), loss was "
                        + lossPercent);
            }
        }
        if (reorderGap < 1) {
            throw new IllegalArgumentException("gap (frames that overtake a reordered frame) must be at least 1, was "
                    + reorderGap);
        }
        checkTime("hold", reorderHoldNanos);
        checkTime("delay", delayNanos);
        checkTime("jitter", jitterNanos);
        if (rateBitsPerSecond < 0 || rateBitsPerSecond > MAX_RATE_BITS_PER_SECOND) {
            throw new IllegalArgumentException("rate must be within 0 (no limit)..1tbit, was " + rateBitsPerSecond
                    + " bit/s");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit (frames queued per direction) must be within 1.." + MAX_LIMIT
                    + ", was " + limit);
        }
    }

    /** True if any knob changes the frames or their timing ({@code limit} alone does not). */
    public boolean impairs() {
        return lossPercent > 0 || reorderPercent > 0 || duplicatePercent > 0 || corruptPercent > 0
                || delayNanos > 0 || jitterNanos > 0 || rateBitsPerSecond > 0;
    }

    public ImpairmentRules withLoss(double percent, double burst) {
        return new ImpairmentRules(percent, burst, reorderPercent, reorderGap, reorderHoldNanos, duplicatePercent,
                corruptPercent, delayNanos, jitterNanos, rateBitsPerSecond, limit);
    }

    public ImpairmentRules withReorder(double percent, int gap, long holdNanos) {
        return new ImpairmentRules(lossPercent, lossBurst, percent, gap, holdNanos, duplicatePercent,
                corruptPercent, delayNanos, jitterNanos, rateBitsPerSecond, limit);
    }

    public ImpairmentRules withDuplicate(double percent) {
        return new ImpairmentRules(lossPercent, lossBurst, reorderPercent, reorderGap, reorderHoldNanos, percent,
                corruptPercent, delayNanos, jitterNanos, rateBitsPerSecond, limit);
    }

    public ImpairmentRules withCorrupt(double percent) {
        return new ImpairmentRules(lossPercent, lossBurst, reorderPercent, reorderGap, reorderHoldNanos,
                duplicatePercent, percent, delayNanos, jitterNanos, rateBitsPerSecond, limit);
    }

    public ImpairmentRules withDelay(long delay, long jitter) {
        return new ImpairmentRules(lossPercent, lossBurst, reorderPercent, reorderGap, reorderHoldNanos,
                duplicatePercent, corruptPercent, delay, jitter, rateBitsPerSecond, limit);
    }

    public ImpairmentRules withRate(long bitsPerSecond) {
        return new ImpairmentRules(lossPercent, lossBurst, reorderPercent, reorderGap, reorderHoldNanos,
                duplicatePercent, corruptPercent, delayNanos, jitterNanos, bitsPerSecond, limit);
    }

    public ImpairmentRules withLimit(int frames) {
        return new ImpairmentRules(lossPercent, lossBurst, reorderPercent, reorderGap, reorderHoldNanos,
                duplicatePercent, corruptPercent, delayNanos, jitterNanos, rateBitsPerSecond, frames);
    }

    private static void checkPercent(String name, double value) {
        if (!(value >= 0 && value <= 100)) {
            throw new IllegalArgumentException(name + " is a percentage within 0..100, was " + value);
        }
    }

    private static void checkTime(String name, long nanos) {
        if (nanos < 0 || nanos > MAX_TIME_NANOS) {
            throw new IllegalArgumentException(name + " must be within 0..1h, was " + nanos + "ns");
        }
    }
}
