/*
 * TcpReceiver: the receive half of a connection (RFC 9293 3.3.1 receive sequence variables RCV.NXT, RCV.WND, IRS):
 * the acceptability test (3.10.7.4 "first"), segment text processing with out-of-order reassembly ("seventh",
 * RFC 5681 4.2 immediate ACKs for out-of-order data), FIN sequencing ("eighth"), the advertised window with receiver
 * silly window syndrome avoidance (RFC 9293 3.8.6.2.2, RFC 1122 4.2.3.3) and window scaling (RFC 7323 2.3), and
 * delayed ACKs (RFC 1122 4.2.3.2, RFC 5681 4.2: at least every second full-sized segment) with a quick-ack mode
 * that acknowledges every segment while the peer is likely in slow start (connection start, after idle, after
 * out-of-order data), and the SACK blocks of RFC 2018 / D-SACK of RFC 2883 (SackBlocks).
 */
package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.ustack.engine.Timer;
import io.ustack.engine.TimerWheel;
import io.ustack.wire.TcpSegment;

import static io.ustack.tcp.SequenceNumbers.gt;
import static io.ustack.tcp.SequenceNumbers.inWindow;

/** Receive state of one connection. Engine thread only. */
final class TcpReceiver {
    /** The largest window field value (RFC 9293 3.1). */
    static final int MAX_WINDOW_FIELD = 0xFFFF;
    /** RFC 7323 2.3: the shift count is at most 14. */
    static final int MAX_WINDOW_SCALE = 14;

    private final TcpConnection conn;
    private final TimerWheel timers;
    private final long delayedAckNanos;
    final ReceiveBuffer buffer;
    private final Assembler assembler;
    final Timer delayedAckTimer;

    /** IRS */
    int irs;
    /** RCV.NXT */
    int rcvNxt;
    /** The right edge of the window last advertised (RCV.NXT + RCV.WND when it was sent); never moves left. */
    int rcvAdv;
    /** Our shift count Rcv.Wind.Shift (0 unless both sides sent the window scale option). */
    int rcvWscale;
    /** The shift count we offer in our SYN (used once the peer offers one too). */
    final int offeredWscale;
    /** The MSS we announced: the size of a "full-sized segment" for delayed ACKs. */
    int rcvMss;
    boolean finReceived;
    private boolean outOfOrderFin;
    private int outOfOrderFinSeq;
    /** An ACK must go out now (out-of-order data, FIN, window update, unacceptable segment). */
    boolean ackNow;
    /** In-order bytes received since the last ACK we sent. */
    private int unackedBytes;
    /** The payload of a full-sized segment from the peer: rcvMss less the per-segment options (timestamps). */
    int rcvSegment;
    /** RFC 2018 blocks to report. */
    final SackBlocks sack = new SackBlocks();
    /** Quick-ack mode: how many more segments are acknowledged at once (as Linux, at most 16). */
    private int quickAcks;
    private final boolean quickAckEnabled;
    /** When in-order data last arrived (for quick-ack after idle). */
    private long lastDataAt;
    static final int MAX_QUICKACKS = 16;
    /** An idle receiver re-enters quick-ack mode: the sender restarts from its restart window (RFC 5681 4.1). */
    static final long QUICKACK_IDLE_NANOS = 1_000_000_000L;

    TcpReceiver(TcpConnection conn, TcpConfig config, TimerWheel timers, int rcvMss) {
        this.conn = conn;
        this.timers = timers;
        this.delayedAckNanos = config.delayedAckNanos();
        this.buffer = new ReceiveBuffer(config.allocator(), config.receiveBufferSize());
        this.assembler = new Assembler(config.maxOutOfOrderRanges());
        this.delayedAckTimer = conn.timers.timer(ConnectionTimers.Kind.DELAYED_ACK);
        this.rcvMss = rcvMss;
        this.rcvSegment = rcvMss;
        this.quickAckEnabled = config.quickAck();
        this.offeredWscale = config.windowScaling() ? scaleFor(config.receiveBufferLimit()) : -1;
    }

    /** RFC 7323 2.3: the smallest shift that lets a 16-bit window field cover the whole buffer (at most 14). */
    static int scaleFor(int bufferSize) {
        int s = 0;
        while (s < MAX_WINDOW_SCALE && ((long) MAX_WINDOW_FIELD << s) < bufferSize) {
            s++;
        }
        return s;
    }

    /** The SYN was received: RCV.NXT = SEG.SEQ + 1, IRS = SEG.SEQ (RFC 9293 3.10.7.2 / 3.10.7.3). */
    void init(int irs) {
        this.irs = irs;
        this.rcvNxt = irs + 1;
        this.rcvAdv = rcvNxt + Math.min(buffer.free(), MAX_WINDOW_FIELD);
        enterQuickAck();
    }

    /** Acknowledge the next segments at once (as Linux's tcp_incr_quickack: about half a window, at most 16). */
    void enterQuickAck() {
        if (quickAckEnabled) {
            quickAcks = Math.max(quickAcks, Math.min(MAX_QUICKACKS, Math.max(2, buffer.capacity() / (2 * rcvMss))));
        }
    }

    /**
     * Before the acceptability test: a segment with text below RCV.NXT is (at least partly) a duplicate; with SACK
     * it is reported as a D-SACK block (RFC 2883 4.1 case 1).
     */
    void noteDuplicate(Segment seg) {
        if (seg.payloadLength > 0 && SequenceNumbers.lt(seg.seq, rcvNxt)) {
            int end = seg.seq + seg.payloadLength;
            sack.duplicate(seg.seq, SequenceNumbers.lt(end, rcvNxt) ? end : rcvNxt);
        }
    }

    /** RCV.WND: what the peer may still send beyond RCV.NXT according to our last advertisement. */
    int rcvWnd() {
        int w = rcvAdv - rcvNxt;
        return Math.max(w, 0);
    }

    /**
     * RFC 9293 3.10.7.4 "first": the four-case acceptability test. The FIN is not counted in the length, so a FIN
     * exactly at the right edge (it needs no buffer) is accepted even with a zero window.
     */
    boolean acceptable(Segment seg) {
        int len = seg.payloadLength + (seg.has(TcpSegment.SYN) ? 1 : 0);
        int wnd = rcvWnd();
        if (len == 0) {
            return wnd == 0 ? seg.seq == rcvNxt : inWindow(seg.seq, rcvNxt, wnd);
        }
        if (wnd == 0) {
            return false;
        }
        return inWindow(seg.seq, rcvNxt, wnd) || inWindow(seg.seq + len - 1, rcvNxt, wnd);
    }

    /** Cuts off what lies before RCV.NXT or beyond the window (RFC 9293 3.10.7.4, after the acceptability test). */
    void trim(Segment seg) {
        int before = rcvNxt - seg.seq;
        if (before > 0) {
            seg.trimFront(before);
        }
        seg.trimBack(rcvWnd() - (seg.seq - rcvNxt));
    }

    /**
     * RFC 9293 3.10.7.4 "seventh" and the sequencing part of "eighth": stores the (trimmed) text, advances RCV.NXT over
     * whatever became contiguous, and tells whether the peer's FIN is now reached (RCV.NXT then includes it).
     *
     * @return true if the FIN was reached by this call
     */
    boolean processText(Segment seg, long now) {
        int len = seg.payloadLength;
        int off = seg.seq - rcvNxt;
        boolean fin = seg.has(TcpSegment.FIN);
        if (len > 0 && !finReceived) {
            int n = Math.min(len, buffer.free() - off);
            if (n < len) {
                fin = false; // part of the text did not fit: the FIN comes again with it
            }
            if (n > 0) {
                boolean hadHoles = !assembler.isEmpty();
                if (hadHoles && off > 0 && assembler.covers(off, off + n)) {
                    sack.duplicate(seg.seq, seg.seq + n); // RFC 2883 4.1 case 2: inside an out-of-order block
                }
                buffer.writeAt(off, seg.buf, seg.payloadOffset, n);
                int advance = -1;
                if (assembler.add(off, off + n)) {
                    advance = assembler.popFront();
                } else if (off == 0) {
                    // every range is in use, but text at RCV.NXT needs none: take it (refusing it would refuse
                    // the sender's retransmission of SND.UNA for ever, the only segment it sends after a timeout)
                    assembler.advance(n);
                    advance = n;
                }
                if (advance < 0) {
                    fin = false;
                    ackNow = true; // no room to remember another range: dropped, let the sender know where we are
                    conn.layer.extCounters().outOfOrderDrops++;
                } else {
                    if (advance > 0) {
                        buffer.commit(advance);
                        rcvNxt += advance;
                        conn.signalReadable();
                    }
                    if (off > 0) {
                        sack.arrived(seg.seq);
                    } else if (hadHoles) {
                        sack.prune(rcvNxt);
                    }
                    if (off > 0 || hadHoles) {
                        ackNow = true; // RFC 5681 4.2: out-of-order data and hole fills are acknowledged at once
                        enterQuickAck(); // the sender is recovering: its window is small, ACK every segment
                    } else {
                        if (now - lastDataAt > QUICKACK_IDLE_NANOS) {
                            enterQuickAck();
                        }
                        unackedBytes += n;
                    }
                    lastDataAt = now;
                }
            } else {
                ackNow = true;
            }
        }
        if (fin && !finReceived) {
            int finSeq = seg.seq + len;
            if (gt(finSeq, rcvNxt)) {
                outOfOrderFin = true;
                outOfOrderFinSeq = finSeq;
                ackNow = true;
            } else if (finSeq == rcvNxt) {
                return finReached();
            }
        }
        if (outOfOrderFin && !finReceived && rcvNxt == outOfOrderFinSeq) {
            return finReached();
        }
        if (unackedBytes > 0 && !ackNow) {
            scheduleAck(now);
        }
        return false;
    }

    private boolean finReached() {
        finReceived = true;
        outOfOrderFin = false;
        rcvNxt++; // the FIN occupies one sequence number
        ackNow = true;
        conn.signalReadable();
        return true;
    }

    /** RFC 1122 4.2.3.2 / RFC 5681 4.2: ACK every second full-sized segment at once, otherwise after a delay. */
    private void scheduleAck(long now) {
        if (quickAcks > 0) {
            quickAcks--;
            ackNow = true;
        } else if (delayedAckNanos == 0 || unackedBytes >= 2 * rcvSegment) {
            ackNow = true;
        } else if (!delayedAckTimer.isArmed()) {
            timers.schedule(delayedAckTimer, now + delayedAckNanos);
        }
    }

    /** SACK information was due but did not fit in the segment being sent (a full data segment). */
    boolean sackShort;

    /** Some segment with our current ACK went out; if {@link #sackShort}, a pure ACK still has to carry SACK. */
    void onAckSent() {
        ackNow = sackShort && ackNow;
        unackedBytes = 0;
        timers.cancel(delayedAckTimer);
    }

    /** Moves readable bytes to the user; returns the count. */
    int read(ByteBuf dst, int max) {
        return buffer.read(dst, max);
    }

    /** Receiver SWS avoidance threshold: the right edge moves by at least min(buffer/2, MSS). */
    private int swsThreshold() {
        return Math.max(1, Math.min(buffer.capacity() / 2, rcvMss));
    }

    /** The window we could offer now, honouring SWS avoidance; at least the one already advertised. */
    private int offerableWindow() {
        int current = rcvWnd();
        int free = buffer.free();
        return free - current >= swsThreshold() ? free : current;
    }

    /**
     * After the user read: is a window update worth an ACK of its own? (The edge would move by at least the SWS
     * threshold and the window at least double, or the current window is below one segment.)
     */
    boolean windowUpdateWorthwhile() {
        int current = rcvWnd();
        int offer = offerableWindow();
        return offer - current >= swsThreshold() && (current <= offer / 2 || current < rcvMss);
    }

    /**
     * The window field for an outgoing segment (RFC 7323 2.3: scaled, except in a SYN), and records the new right
     * edge. The edge never moves left (RFC 9293 3.8.6.2.2): when scaling would round it down, it rounds up.
     */
    int windowField(boolean syn) {
        int shift = syn ? 0 : rcvWscale;
        int current = rcvWnd();
        int wnd = offerableWindow();
        int field = Math.min(wnd >>> shift, MAX_WINDOW_FIELD);
        if (((long) field << shift) < current) {
            field = Math.min((int) (((long) current + (1L << shift) - 1) >>> shift), MAX_WINDOW_FIELD);
        }
        int edge = rcvNxt + (int) ((long) field << shift);
        if (gt(edge, rcvAdv)) {
            rcvAdv = edge;
        }
        return field;
    }

    /** Returns the ring to its allocator (connection over, or user closed). */
    void release() {
        buffer.release();
        assembler.clear();
        sack.clear();
    }

    Assembler assembler() {
        return assembler;
    }

    int outOfOrderRanges() {
        return assembler.count();
    }
}
