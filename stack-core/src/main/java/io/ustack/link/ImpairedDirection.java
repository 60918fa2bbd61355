/*
 * ImpairedDirection: the impairment pipeline of one direction of an ImpairedLink, in netem's order:
 *
 *   offer -> loss -> duplicate (a clean copy) -> corrupt (copy, one bit flipped) -> reorder hold | time queue -> rate
 *
 * The time queue is a FIFO: a frame is due at arrival + delay + jitter, but never before the frame queued ahead of it
 * (jitter alone never reorders). A frame picked for reordering waits in the hold until `gap` later frames entered the
 * time queue, then enters right behind the last of them; if they do not come within `hold` (+ delay), it enters at
 * the tail when its hold expires. The head of the time queue leaves when it is due and the rate allows: the rate is a
 * token bucket one frame deep, kept as the earliest time the next frame may leave (GCRA form), so frames leave
 * spaced by their length in bits / rate. Frames in the hold and the queue together are at most `limit`; more are
 * dropped (drop-tail). Each random choice has its own stream split from the direction's seed, so turning one knob on
 * does not change the choices of another.
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;

import java.util.SplittableRandom;

/**
 * One direction of an {@link ImpairedLink}. Engine thread only; allocates per frame only the copies the duplicate
 * and corrupt rules make.
 *
 * <p>Ownership: {@link #offer} is told whether it owns the frame. A frame it owns is released or passed on; a borrowed
 * frame is passed on at once, copied, or retained to be kept. Frames in the rings always hold one reference of ours.
 */
final class ImpairedDirection {
    /** Where frames leave the direction. */
    interface Egress {
        /**
         * Passes the frame on with its checksum state; releases it afterwards if {@code owned}. Returns false if the
         * next hop refused it.
         */
        boolean emit(ByteBuf frame, ChecksumState checksum, boolean owned);
    }

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int MAX_RATED_BYTES = 1 << 24;

    private final ImpairmentRules rules;
    private final ImpairmentCounters counters;
    private final Egress egress;
    private final int protectedBytes;
    private final int limit;
    private final double lossChance;
    private final boolean burstLoss;
    private final double burstEnterChance;
    private final double burstLeaveChance;
    private final double reorderChance;
    private final double duplicateChance;
    private final double corruptChance;
    private final long delay;
    private final long jitter;
    private final long rate;
    private final SplittableRandom lossRandom;
    private final SplittableRandom duplicateRandom;
    private final SplittableRandom corruptRandom;
    private final SplittableRandom reorderRandom;
    private final SplittableRandom jitterRandom;
    private final FrameRing timeQueue;
    private final FrameRing held;

    private boolean inBurst;
    /** Frames that entered the time queue or went straight through (not held ones); marks count in these. */
    private long admitted;
    private long lastDue = Long.MIN_VALUE;
    /** Earliest time the next frame may leave under the rate (the GCRA's theoretical arrival time). */
    private long rateFree = Long.MIN_VALUE;
    /** Remainder of the last frame's transmission time, in bit-nanoseconds (units of 1/rate ns). */
    private long rateCarry;

    /**
     * @param protectedBytes leading bytes never corrupted (14 for Ethernet framing: the L2 header stays deliverable)
     * @param random         this direction's random source; split here into one stream per rule
     */
    ImpairedDirection(ImpairmentRules rules, int protectedBytes, SplittableRandom random, ImpairmentCounters counters,
            Egress egress) {
        this.rules = rules;
        this.counters = counters;
        this.egress = egress;
        this.protectedBytes = protectedBytes;
        this.limit = rules.limit();
        this.lossChance = rules.lossPercent() / 100;
        this.burstLoss = rules.lossBurst() >= 1;
        // simple Gilbert: bad state lasts 1/leave frames on average and is occupied enter/(enter+leave) of the time
        this.burstLeaveChance = burstLoss ? 1 / rules.lossBurst() : 0;
        this.burstEnterChance = burstLoss ? lossChance * burstLeaveChance / (1 - lossChance) : 0;
        this.reorderChance = rules.reorderPercent() / 100;
        this.duplicateChance = rules.duplicatePercent() / 100;
        this.corruptChance = rules.corruptPercent() / 100;
        this.delay = rules.delayNanos();
        this.jitter = rules.jitterNanos();
        this.rate = rules.rateBitsPerSecond();
        this.lossRandom = random.split();
        this.duplicateRandom = random.split();
        this.corruptRandom = random.split();
        this.reorderRandom = random.split();
        this.jitterRandom = random.split();
        this.timeQueue = new FrameRing(limit);
        this.held = new FrameRing(limit);
    }

    /** Frames held now (time queue and reorder hold). */
    int queued() {
        return timeQueue.size() + held.size();
    }

    /**
     * Runs one frame through the rules at time {@code now}; it leaves at once through the egress when nothing holds it.
     * The checksum state travels with the frame and its duplicate; a corrupted copy leaves as
     * {@link ChecksumState#NONE} so that the stack verifies (and drops) it.
     *
     * @return false if the frame was dropped for lack of room, or left at once and the egress refused it; true if it
     * was lost (a lossy wire does not tell the sender), queued, or passed on
     */
    boolean offer(ByteBuf frame, ChecksumState checksum, boolean owned, long now) {
        counters.offered++;
        if (lose()) {
            counters.lost++;
            if (owned) {
                frame.release();
            }
            return true;
        }
        ByteBuf twin = null;
        ChecksumState twinChecksum = checksum;
        if (chance(duplicateRandom, duplicateChance)) {
            twin = copyOf(frame);
            counters.duplicated++;
        }
        if (chance(corruptRandom, corruptChance)) {
            int length = frame.readableBytes();
            if (length > protectedBytes) {
                // copy on write: the frame may share memory with a buffer someone else still reads
                ByteBuf copy = copyOf(frame);
                long bit = corruptRandom.nextLong((long) (length - protectedBytes) * Byte.SIZE);
                int index = copy.readerIndex() + protectedBytes + (int) (bit >>> 3);
                copy.setByte(index, copy.getByte(index) ^ (1 << (int) (bit & 7)));
                if (owned) {
                    frame.release();
                }
                frame = copy;
                owned = true;
                checksum = ChecksumState.NONE; // a vouched-for checksum no longer holds: let the stack check it
                counters.corrupted++;
            }
        }
        boolean accepted = admit(frame, checksum, owned, now, true);
        if (twin != null) {
            admit(twin, twinChecksum, true, now, false);
        }
        return accepted;
    }

    /**
     * Sends the frames that are due at {@code now}, at most {@code max}; first moves held frames whose hold expired
     * into the time queue.
     *
     * @return frames sent
     */
    int drain(int max, long now) {
        while (!held.isEmpty() && held.headTime() <= now) {
            long due = Math.max(lastDue, held.headTime());
            lastDue = due;
            ChecksumState checksum = held.headChecksum();
            timeQueue.add(held.poll(), checksum, due, 0);
        }
        int sent = 0;
        while (sent < max && !timeQueue.isEmpty()) {
            long due = timeQueue.headTime();
            if (due > now || rateFree > now) {
                break;
            }
            ChecksumState checksum = timeQueue.headChecksum();
            ByteBuf frame = timeQueue.poll();
            sent++;
            send(frame, checksum, true, due);
        }
        return sent;
    }

    /** When {@link #drain} next has work (a frame due or a hold expiring); Long.MAX_VALUE if nothing is held. */
    long nextDue() {
        long next = Long.MAX_VALUE;
        if (!timeQueue.isEmpty()) {
            next = Math.max(timeQueue.headTime(), rateFree);
        }
        if (!held.isEmpty()) {
            next = Math.min(next, held.headTime());
        }
        return next;
    }

    /** Releases every held frame (on close). */
    void releaseAll() {
        held.releaseAll();
        timeQueue.releaseAll();
    }

    private boolean admit(ByteBuf frame, ChecksumState checksum, boolean owned, long now, boolean mayPass) {
        if (chance(reorderRandom, reorderChance)) {
            if (queued() >= limit) {
                return overflow(frame, owned);
            }
            held.add(owned ? frame : frame.retain(), checksum, now + delay + rules.reorderHoldNanos(),
                    admitted + rules.reorderGap());
            counters.reordered++;
            return true;
        }
        long due = now + delay;
        if (jitter > 0) {
            due = Math.max(now, due + jitterRandom.nextLong(-jitter, jitter + 1));
        }
        due = Math.max(due, lastDue);
        if (mayPass && timeQueue.isEmpty() && due <= now && rateFree <= now) {
            admitted++;
            lastDue = due;
            boolean sent = send(frame, checksum, owned, due);
            releaseOvertaken();
            return sent;
        }
        if (queued() >= limit) {
            return overflow(frame, owned);
        }
        admitted++;
        lastDue = due;
        timeQueue.add(owned ? frame : frame.retain(), checksum, due, 0);
        counters.delayed++;
        releaseOvertaken();
        return true;
    }

    /** Held frames that {@code gap} frames have now overtaken enter the time queue right behind the last of them. */
    private void releaseOvertaken() {
        while (!held.isEmpty() && held.headMark() <= admitted) {
            ChecksumState checksum = held.headChecksum();
            timeQueue.add(held.poll(), checksum, lastDue, 0);
        }
    }

    private boolean send(ByteBuf frame, ChecksumState checksum, boolean owned, long due) {
        if (rate > 0) {
            long departure = due;
            if (rateFree > due) {
                departure = rateFree;
                counters.throttled++;
            }
            long bits = (long) Math.min(frame.readableBytes(), MAX_RATED_BYTES) * Byte.SIZE;
            long bitNanos = bits * NANOS_PER_SECOND + (departure == rateFree ? rateCarry : 0);
            rateFree = departure + bitNanos / rate;
            rateCarry = bitNanos % rate;
        }
        counters.passed++;
        boolean ok = egress.emit(frame, checksum, owned);
        if (!ok) {
            counters.refused++;
        }
        return ok;
    }

    private boolean overflow(ByteBuf frame, boolean owned) {
        counters.overflowed++;
        if (owned) {
            frame.release();
        }
        return false;
    }

    private boolean lose() {
        if (lossChance == 0) {
            return false;
        }
        if (!burstLoss) {
            return lossRandom.nextDouble() < lossChance;
        }
        double u = lossRandom.nextDouble();
        if (inBurst) {
            if (u < burstLeaveChance) {
                inBurst = false;
            }
        } else if (u < burstEnterChance) {
            inBurst = true;
        }
        return inBurst;
    }

    private static boolean chance(SplittableRandom random, double probability) {
        return probability > 0 && random.nextDouble() < probability;
    }

    private static ByteBuf copyOf(ByteBuf frame) {
        int length = frame.readableBytes();
        ByteBuf copy = frame.alloc().buffer(length, length);
        copy.writeBytes(frame, frame.readerIndex(), length);
        return copy;
    }
}
