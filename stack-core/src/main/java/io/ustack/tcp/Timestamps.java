/*
 * Timestamps: the RFC 7323 timestamps option of one connection: negotiation on the SYNs (section 3.2), the TSval
 * clock (section 4.1 / 5.4: one tick per millisecond of the engine's time, plus a per-connection offset), TS.Recent
 * and Last.ACK.sent (section 4.3), round-trip time measurement from TSecr (section 4.1, Appendix G with RFC 6298),
 * and PAWS (section 5.3 rule R1) with the 24-day rule for idle connections (section 5.5).
 */
package io.ustack.tcp;

import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;

import static io.ustack.tcp.SequenceNumbers.leq;

/** Timestamp state of one connection. Engine thread only. */
final class Timestamps {
    /** RFC 7323 5.5: TS.Recent older than 24 days is invalid (the 1 ms clock could have wrapped past it). */
    static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L;
    /** Option bytes every segment carries once timestamps are on (NOP NOP kind length TSval TSecr). */
    static final int OPTION_BYTES = 12;
    private static final long NANOS_PER_TICK = 1_000_000L;

    /** Whether we offer the option in our SYN (configuration). */
    final boolean offered;
    /** Both SYNs carried the option: every segment carries one now. */
    boolean enabled;
    /** Added to the millisecond clock (RFC 7323 5.4: a per-connection offset, hiding uptime). */
    private final int offset;
    /** TS.Recent: the TSval to echo. */
    int tsRecent;
    /** When TS.Recent was last set (engine nanoseconds). */
    private long tsRecentAge;
    /** Last.ACK.sent: the ACK field of the last segment we sent. */
    int lastAckSent;

    /** {@code offset}: the connection's TSval offset, a keyed hash of its 4-tuple (TcpLayer.timestampOffset). */
    Timestamps(boolean offered, int offset) {
        this.offered = offered;
        this.offset = offset;
    }

    /** The TSval for a segment sent at {@code now}. */
    int tsVal(long now) {
        return (int) (now / NANOS_PER_TICK) + offset;
    }

    /** The TSval a connection with {@code offset} sends at {@code now} (SYN cookies answer before it exists). */
    static int tsValFor(int offset, long now) {
        return (int) (now / NANOS_PER_TICK) + offset;
    }

    /**
     * The peer's SYN (or SYN-ACK) arrived (RFC 7323 3.2): timestamps are on if both sides sent the option; TS.Recent
     * starts at the SYN's TSval.
     */
    void negotiate(TcpOptions peer, long now) {
        enabled = offered && peer.hasTimestamps();
        if (enabled) {
            tsRecent = peer.tsVal();
            tsRecentAge = now;
        }
    }

    /** Puts TSval/TSecr in {@code options} for an outgoing segment; {@code synSent}: our SYN (nothing to echo). */
    void addTo(TcpOptions options, boolean synSent, long now) {
        options.timestamps(tsVal(now), synSent ? 0 : tsRecent);
    }

    /**
     * RFC 7323 5.3 R1 (PAWS): a non-RST segment whose TSval is older than TS.Recent is an old duplicate, unless
     * TS.Recent is itself older than 24 days (5.5), in which case it is no longer used. A segment without the
     * option is not checked: RFC 7323 3.2 says SHOULD drop it, but like Linux we accept it (middleboxes strip
     * options) and it simply does not update TS.Recent.
     *
     * @return true if the segment must be dropped (the caller acknowledges it, RFC 7323 5.3 R1)
     */
    boolean pawsReject(Segment seg, long now) {
        if (!enabled || seg.has(TcpSegment.RST)) {
            return false;
        }
        if (!seg.options.hasTimestamps()) {
            return false;
        }
        if (seg.options.tsVal() - tsRecent >= 0) {
            return false;
        }
        if (now - tsRecentAge > PAWS_IDLE_NANOS) {
            // 5.5: TS.Recent is too old to compare with; accept, and let this segment's TSval replace it
            tsRecent = seg.options.tsVal();
            tsRecentAge = now;
            return false;
        }
        return true;
    }

    /**
     * RFC 7323 4.3 (2): after the segment was found acceptable, TS.Recent takes its TSval if that is not older and
     * the segment starts at or before Last.ACK.sent. {@code seq} is the segment's original SEG.SEQ.
     */
    void update(Segment seg, int seq, long now) {
        if (enabled && seg.options.hasTimestamps() && seg.options.tsVal() - tsRecent >= 0
                && leq(seq, lastAckSent)) {
            tsRecent = seg.options.tsVal();
            tsRecentAge = now;
        }
    }

    /**
     * RFC 7323 4.1 / 4.2: the round-trip time that the TSecr of an ACK acknowledging new data measures, in
     * nanoseconds (millisecond resolution), or -1 if the segment gives none.
     */
    long rttSample(Segment seg, long now) {
        if (!enabled || !seg.options.hasTimestamps() || seg.options.tsEcr() == 0) {
            return -1;
        }
        int ticks = tsVal(now) - seg.options.tsEcr();
        if (ticks < 0) {
            return -1; // echoes a value we never sent
        }
        return Math.max(1, ticks) * NANOS_PER_TICK; // below one tick: count one (RFC 6298 clock granularity)
    }
}
