/*
 * SackScoreboard: the data sender's record of every segment sent and not yet cumulatively acknowledged, for SACK
 * based loss recovery (RFC 6675 section 2 "scoreboard", section 4 IsLost / pipe) and RACK (RFC 8985 section 5.2:
 * per-segment transmit time, retransmitted and lost flags). Segments are kept in sequence order in a ring of
 * preallocated parallel arrays: appending, acknowledging and SACKing allocate nothing.
 *
 * Accounting (all bytes; "pipe" of RFC 6675 section 4 kept incrementally as in Linux's left_out/retrans_out):
 *   pipe = FlightSize - SACKed - lost + retransmitted-and-outstanding
 * A lost segment that was retransmitted counts once, a retransmission of a segment not deemed lost (TLP) twice.
 * D-SACK blocks (RFC 2883 section 4) are recognised and reported, never marked.
 *
 * Each record also carries the delivery-rate snapshot of its last transmission (DeliveryRate, draft-cheng-iccrg-
 * delivery-rate-estimation section 3.2); delivering a record (cumulatively or by SACK) feeds the rate sample. The
 * board follows every segment in flight with or without SACK (without SACK only cumulative ACKs remove records).
 */
package io.ustack.tcp;

import io.ustack.wire.TcpOptions;

import static io.ustack.tcp.SequenceNumbers.gt;
import static io.ustack.tcp.SequenceNumbers.leq;
import static io.ustack.tcp.SequenceNumbers.lt;

/** Per-segment send records. Engine thread only. */
final class SackScoreboard {
    static final int SACKED = 1;
    /** Deemed lost (by RACK, RFC 6675 IsLost or a timeout) and not SACKed since. */
    static final int LOST = 2;
    /** Retransmitted; that retransmission is still outstanding (not deemed lost). */
    static final int RETRANS = 4;
    static final int EVER_RETRANS = 8;
    /** Sent while the sender was application-limited (DeliveryRate). */
    static final int APP_LIMITED = 16;
    /** RFC 6675 DupThresh. */
    static final int DUP_THRESH = 3;

    private int mask;
    private int[] starts;
    private int[] ends;
    private long[] xmitTs;
    private byte[] flags;
    /** Delivery-rate snapshots at the last transmission: C.delivered, C.delivered_time, C.first_sent_time. */
    private long[] rateDelivered;
    private long[] rateDeliveredTime;
    private long[] rateFirstSent;
    private final DeliveryRate rate;
    private long ackNow;
    private int head;
    private int count;
    /** The last transmit time recorded: times are made strictly increasing, so they also order transmissions. */
    private long lastStamp = Long.MIN_VALUE;

    int sackedBytes;
    int sackedSegments;
    int lostBytes;
    /** Bytes newly deemed lost since the congestion control last consumed them (BBR's rs.losses). */
    int newlyLostBytes;
    int retransBytes;
    /** Position (from the head) before which no record is LOST and not RETRANS: where nextLost() starts. */
    private int lostHint;
    /** The end of the highest record ever retransmitted (RACK must look at retransmissions up to there). */
    int retransHighEnd;
    boolean anyRetransmitted;

    // ---- what the ACK being processed delivered (RFC 8985 section 6.2 steps 2 and 3)
    boolean delivered;
    long deliveredXmitTs;
    int deliveredEnd;
    boolean deliveredRetransmitted;
    boolean deliveredOriginal;
    long deliveredOriginalXmitTs;
    int deliveredOriginalEnd;
    /** Lowest end of a never-retransmitted segment delivered by this ACK. */
    int minOriginalEnd;
    /** Highest end of anything delivered by this ACK. */
    int maxDeliveredEnd;
    int newlySackedBytes;
    boolean dsack;
    int dsackLeft;
    int dsackRight;

    SackScoreboard(int capacity) {
        this(capacity, new DeliveryRate());
    }

    SackScoreboard(int capacity, DeliveryRate rate) {
        int c = Integer.highestOneBit(Math.max(16, capacity - 1)) << 1;
        mask = c - 1;
        starts = new int[c];
        ends = new int[c];
        xmitTs = new long[c];
        flags = new byte[c];
        rateDelivered = new long[c];
        rateDeliveredTime = new long[c];
        rateFirstSent = new long[c];
        this.rate = rate;
    }

    DeliveryRate rate() {
        return rate;
    }

    int capacity() {
        return mask + 1;
    }

    /**
     * Room for at least {@code segments} records (the send ring grew, BufferSizing): bigger arrays, the records
     * copied in order. Allocates only when it grows.
     */
    void ensureCapacity(int segments) {
        if (segments <= mask + 1) {
            return;
        }
        int c = Integer.highestOneBit(segments - 1) << 1;
        int[] s = new int[c];
        int[] e = new int[c];
        long[] x = new long[c];
        byte[] f = new byte[c];
        long[] rd = new long[c];
        long[] rt = new long[c];
        long[] rf = new long[c];
        for (int i = 0; i < count; i++) {
            int from = slot(i);
            s[i] = starts[from];
            e[i] = ends[from];
            x[i] = xmitTs[from];
            f[i] = flags[from];
            rd[i] = rateDelivered[from];
            rt[i] = rateDeliveredTime[from];
            rf[i] = rateFirstSent[from];
        }
        starts = s;
        ends = e;
        xmitTs = x;
        flags = f;
        rateDelivered = rd;
        rateDeliveredTime = rt;
        rateFirstSent = rf;
        head = 0;
        mask = c - 1;
    }

    int count() {
        return count;
    }

    boolean full() {
        return count == mask + 1;
    }

    private int slot(int i) {
        return (head + i) & mask;
    }

    int start(int i) {
        return starts[slot(i)];
    }

    int end(int i) {
        return ends[slot(i)];
    }

    long xmitTs(int i) {
        return xmitTs[slot(i)];
    }

    int flags(int i) {
        return flags[slot(i)];
    }

    boolean is(int i, int flag) {
        return (flags[slot(i)] & flag) != 0;
    }

    private int length(int i) {
        return ends[slot(i)] - starts[slot(i)];
    }

    /** RFC 6675 section 4 pipe for the given FlightSize (SND.MAX - SND.UNA). */
    int pipe(int flightSize) {
        return Math.max(0, flightSize - sackedBytes - lostBytes + retransBytes);
    }

    /** A new segment [start, end) went out at {@code now}. The caller checks {@link #full()} first. */
    void append(int start, int end, long now) {
        int s = slot(count);
        starts[s] = start;
        ends[s] = end;
        xmitTs[s] = stamp(now);
        rate.onSend(count == 0, xmitTs[s]);
        flags[s] = (byte) (rate.appLimitedNow() ? APP_LIMITED : 0);
        snapshotRate(s);
        count++;
    }

    /** Section 3.2 of the delivery rate draft: what was delivered when slot {@code s} was (re)sent. */
    private void snapshotRate(int s) {
        rateDelivered[s] = rate.delivered;
        rateDeliveredTime[s] = rate.deliveredTime;
        rateFirstSent[s] = rate.firstSentTime;
    }

    /**
     * A transmit time for a segment sent at {@code now}: one nanosecond after the previous one if the clock has not
     * moved, so that RACK (RFC 8985 RACK_sent_after) never mistakes the order of segments sent in one instant.
     */
    private long stamp(long now) {
        lastStamp = lastStamp == Long.MIN_VALUE || now - lastStamp > 0 ? now : lastStamp + 1;
        return lastStamp;
    }

    /** The index of the record holding {@code seq}, or -1 (binary search: records are in sequence order). */
    int indexOf(int seq) {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (lt(seq, start(mid))) {
                hi = mid - 1;
            } else if (!lt(seq, end(mid))) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** Cuts record {@code i} after {@code len} bytes into two records (the path MSS shrank). O(records). */
    void split(int i, int len) {
        if (full() || len <= 0 || len >= length(i)) {
            return;
        }
        for (int k = count; k > i + 1; k--) {
            int to = slot(k);
            int from = slot(k - 1);
            starts[to] = starts[from];
            ends[to] = ends[from];
            xmitTs[to] = xmitTs[from];
            flags[to] = flags[from];
            copyRate(from, to);
        }
        int a = slot(i);
        int b = slot(i + 1);
        starts[b] = starts[a] + len;
        ends[b] = ends[a];
        xmitTs[b] = xmitTs[a];
        flags[b] = flags[a];
        copyRate(a, b);
        ends[a] = starts[a] + len;
        if (is(i, SACKED)) {
            sackedSegments++;
        }
        count++;
    }

    private void copyRate(int from, int to) {
        rateDelivered[to] = rateDelivered[from];
        rateDeliveredTime[to] = rateDeliveredTime[from];
        rateFirstSent[to] = rateFirstSent[from];
    }

    /** Resets the per-ACK results; call before {@link #cumulativeAck} / {@link #applySack}. */
    void beginAck(long now) {
        ackNow = now;
        rate.beginAck();
        delivered = false;
        deliveredOriginal = false;
        deliveredRetransmitted = false;
        newlySackedBytes = 0;
        dsack = false;
    }

    private void deliver(int i) {
        int s = slot(i);
        long t = xmitTs[s];
        int e = ends[s];
        boolean retrans = (flags[s] & EVER_RETRANS) != 0;
        rate.onDelivered(ends[s] - starts[s], rateDelivered[s], rateDeliveredTime[s], rateFirstSent[s], t,
                (flags[s] & APP_LIMITED) != 0, ackNow);
        if (!delivered || t - deliveredXmitTs > 0 || (t == deliveredXmitTs && gt(e, deliveredEnd))) {
            deliveredXmitTs = t;
            deliveredEnd = e;
            deliveredRetransmitted = retrans;
        }
        if (!delivered || gt(e, maxDeliveredEnd)) {
            maxDeliveredEnd = e;
        }
        delivered = true;
        if (!retrans) {
            if (!deliveredOriginal || t - deliveredOriginalXmitTs > 0) {
                deliveredOriginalXmitTs = t;
                deliveredOriginalEnd = e;
            }
            if (!deliveredOriginal || lt(e, minOriginalEnd)) {
                minOriginalEnd = e;
            }
            deliveredOriginal = true;
        }
    }

    /** SND.UNA advanced to {@code una}: drops the records below it. */
    void cumulativeAck(int una) {
        int popped = 0;
        while (count > 0 && leq(end(0), una)) {
            int f = flags(0);
            int len = length(0);
            if ((f & SACKED) != 0) {
                sackedBytes -= len;
                sackedSegments--;
            } else {
                deliver(0);
            }
            if ((f & LOST) != 0) {
                lostBytes -= len;
            }
            if ((f & RETRANS) != 0) {
                retransBytes -= len;
            }
            head = (head + 1) & mask;
            count--;
            popped++;
        }
        lostHint = Math.max(0, lostHint - popped);
        if (count > 0 && lt(start(0), una)) {
            // the peer acknowledged part of a segment
            int cut = una - start(0);
            int f = flags(0);
            if ((f & SACKED) != 0) {
                sackedBytes -= cut;
            }
            if ((f & LOST) != 0) {
                lostBytes -= cut;
            }
            if ((f & RETRANS) != 0) {
                retransBytes -= cut;
            }
            starts[slot(0)] = una;
        }
        if (count == 0) {
            anyRetransmitted = false;
        }
    }

    /**
     * Marks the segments the SACK blocks of {@code o} cover entirely (RFC 2018 section 5), ignoring blocks outside
     * (SND.UNA, SND.MAX]; recognises a D-SACK first block (RFC 2883 section 4).
     */
    void applySack(TcpOptions o, int una, int sndMax) {
        int n = o.sackBlockCount();
        for (int b = 0; b < n; b++) {
            int left = o.sackLeft(b);
            int right = o.sackRight(b);
            if (!lt(left, right) || gt(right, sndMax)) {
                continue;
            }
            if (b == 0 && (leq(right, una) || (n > 1 && leq(o.sackLeft(1), left) && leq(right, o.sackRight(1))))) {
                dsack = true; // below the cumulative ACK or inside the second block: a duplicate was received
                dsackLeft = left;
                dsackRight = right;
                continue;
            }
            if (leq(right, una)) {
                continue;
            }
            if (lt(left, una)) {
                left = una;
            }
            markRange(left, right);
        }
    }

    private void markRange(int left, int right) {
        int i = indexOf(left);
        if (i < 0) {
            return;
        }
        if (start(i) != left) {
            i++; // partly covered: only whole segments are marked
        }
        for (; i < count && leq(end(i), right); i++) {
            int s = slot(i);
            int f = flags[s];
            if ((f & SACKED) != 0) {
                continue;
            }
            int len = ends[s] - starts[s];
            deliver(i);
            if ((f & LOST) != 0) {
                lostBytes -= len;
            }
            if ((f & RETRANS) != 0) {
                retransBytes -= len;
            }
            flags[s] = (byte) ((f & EVER_RETRANS) | SACKED);
            sackedBytes += len;
            sackedSegments++;
            newlySackedBytes += len;
        }
    }

    /** Deems record {@code i} lost (again, if its retransmission is deemed lost). */
    void markLost(int i) {
        int s = slot(i);
        int f = flags[s];
        if ((f & SACKED) != 0) {
            return;
        }
        int len = ends[s] - starts[s];
        if ((f & RETRANS) != 0) {
            retransBytes -= len;
            f &= ~RETRANS;
        }
        if ((f & LOST) == 0) {
            lostBytes += len;
            newlyLostBytes += len;
            f |= LOST;
        }
        flags[s] = (byte) f;
        if (i < lostHint) {
            lostHint = i;
        }
    }

    /** Record {@code i} was retransmitted at {@code now}. */
    void markRetransmitted(int i, long now) {
        int s = slot(i);
        int f = flags[s];
        if ((f & RETRANS) == 0) {
            retransBytes += ends[s] - starts[s];
        }
        xmitTs[s] = stamp(now);
        flags[s] = (byte) ((f & ~APP_LIMITED) | RETRANS | EVER_RETRANS | (rate.appLimitedNow() ? APP_LIMITED : 0));
        snapshotRate(s);
        if (!anyRetransmitted || gt(ends[s], retransHighEnd)) {
            retransHighEnd = ends[s];
        }
        anyRetransmitted = true;
    }

    /** RFC 6675 NextSeg rule 1: the first segment deemed lost and not retransmitted since, or -1. */
    int nextLost() {
        if (lostBytes <= 0) {
            return -1;
        }
        for (int i = lostHint; i < count; i++) {
            if ((flags(i) & (LOST | RETRANS | SACKED)) == LOST) {
                lostHint = i;
                return i;
            }
        }
        lostHint = count;
        return -1;
    }

    /**
     * RFC 6675 section 4 IsLost for every segment from the head: lost when DupThresh discontiguous SACKed segments,
     * or more than (DupThresh - 1) * SMSS SACKed bytes, lie above it. Returns whether anything was newly marked.
     */
    boolean markLostByDupThresh(int smss) {
        if (sackedSegments == 0) {
            return false;
        }
        boolean marked = false;
        int segsBelow = 0;
        int bytesBelow = 0;
        for (int i = 0; i < count; i++) {
            int f = flags(i);
            if ((f & SACKED) != 0) {
                segsBelow++;
                bytesBelow += length(i);
                continue;
            }
            boolean lost = sackedSegments - segsBelow >= DUP_THRESH
                    || sackedBytes - bytesBelow > (DUP_THRESH - 1) * smss;
            if (!lost) {
                break;
            }
            if ((f & LOST) == 0) {
                markLost(i);
                marked = true;
            }
        }
        return marked;
    }

    /**
     * A retransmission timeout (RFC 6675 section 5.1): every segment not SACKed is deemed lost. If the head segment
     * is SACKed the receiver reneged (RFC 2018 section 8): SACK information is discarded first.
     */
    void markAllLost() {
        if (count > 0 && is(0, SACKED)) {
            for (int i = 0; i < count; i++) {
                flags[slot(i)] &= ~SACKED;
            }
            sackedBytes = 0;
            sackedSegments = 0;
        }
        for (int i = 0; i < count; i++) {
            markLost(i);
        }
        lostHint = 0;
    }

    /** The sequence number just past the highest SACKed segment, or {@code una} if nothing is SACKed. */
    int highestSacked(int una) {
        if (sackedSegments == 0) {
            return una;
        }
        for (int i = count - 1; i >= 0; i--) {
            if (is(i, SACKED)) {
                return end(i);
            }
        }
        return una;
    }

    void clear() {
        head = 0;
        count = 0;
        sackedBytes = 0;
        sackedSegments = 0;
        lostBytes = 0;
        retransBytes = 0;
        lostHint = 0;
        anyRetransmitted = false;
    }

    @Override
    public String toString() {
        return "Scoreboard[segments=" + count + " sacked=" + sackedBytes + " lost=" + lostBytes + " retrans="
                + retransBytes + "]";
    }
}
