/*
 * UserTimeout: the user timeout of RFC 9293 3.8.3 (and section 3.10.8 "USER TIMEOUT": flush, signal the user,
 * delete the TCB) with the meaning RFC 5482 section 1 gives it: the longest time transmitted data may remain
 * unacknowledged. The clock therefore starts when the oldest unacknowledged byte (or the SYN) was first sent, not
 * when SND.UNA last advanced: after a partial ACK the head may have been sent long before that ACK. When data waits
 * for a zero window instead (nothing outstanding), RFC 1122 4.2.2.17 forbids giving up while the peer answers the
 * probes, so the clock runs from the oldest zero-window probe not answered yet (as Linux does).
 *
 * To know when the head was first sent without per-segment state, the first transmission of new sequence space
 * leaves a mark (end sequence number, time): a small ring of marks at least timeout/16 apart (the last one is
 * stretched when they are closer or the ring is full), so a mark's time is an upper bound of when every byte
 * below its sequence number was first sent. The verdict is late by at most that spacing, never early. A timer at
 * the head's deadline does the rest; nothing runs per ACK. Only connections with a user timeout have one.
 */
package io.ustack.tcp;

import io.ustack.engine.Timer;
import io.ustack.spi.WsaError;
import io.ustack.wire.TcpSegment;

import static io.ustack.tcp.SequenceNumbers.gt;
import static io.ustack.tcp.SequenceNumbers.leq;

/** User timeout of one connection. Engine thread only. */
final class UserTimeout {
    static final int MARKS = 32;
    private static final long MIN_SPACING_NANOS = 1_000_000L;

    private final TcpConnection conn;
    private final Timer timer;
    private final long timeoutNanos;
    private final long spacingNanos;
    private final int[] markEnd = new int[MARKS];
    private final long[] markTime = new long[MARKS];
    private final long[] markCreated = new long[MARKS];
    private int first;
    private int count;
    /** The end of the sequence space sent so far (SYN and FIN included). */
    private int highest;
    /** A probe (<SEQ=SND.UNA-1>, no data) went out and nothing arrived since; when the first such was sent. */
    private boolean probeOutstanding;
    private long probeSentAt;

    UserTimeout(TcpConnection conn, long timeoutNanos, int iss) {
        this.conn = conn;
        this.timer = new Timer(this::onTimer);
        this.timeoutNanos = timeoutNanos;
        this.spacingNanos = Math.max(MIN_SPACING_NANOS, timeoutNanos / 16);
        this.highest = iss;
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    /** A segment of this connection went out (from TcpConnection.emit). */
    void onSend(int seq, int flags, int dataLength, long now) {
        int end = seq + dataLength + ((flags & TcpSegment.SYN) != 0 ? 1 : 0)
                + ((flags & TcpSegment.FIN) != 0 ? 1 : 0);
        boolean fresh = (flags & TcpSegment.RST) == 0 && gt(end, highest);
        if (fresh) {
            highest = end;
            int last = (first + count - 1) & (MARKS - 1);
            if (count > 0 && (count == MARKS || now - markCreated[last] < spacingNanos)) {
                markEnd[last] = end; // stretch the last mark: its time stays an upper bound
                markTime[last] = now;
            } else {
                int i = (first + count) & (MARKS - 1);
                markEnd[i] = end;
                markTime[i] = now;
                markCreated[i] = now;
                count++;
            }
        } else if (dataLength == 0 && flags == TcpSegment.ACK && seq == conn.sender.sndUna - 1
                && (!probeOutstanding || conn.lastReceivedAt - probeSentAt >= 0)) {
            probeOutstanding = true;
            probeSentAt = now;
        }
        if (!timer.isArmed() && (fresh || conn.sender.buffered() > 0)) {
            conn.layer.timers().schedule(timer, now + timeoutNanos);
        }
    }

    /** When the oldest unacknowledged sequence number was first sent at the latest, or -1 if none is. */
    long headSentAt() {
        int una = conn.sender.sndUna;
        while (count > 0 && leq(markEnd[first], una)) {
            first = (first + 1) & (MARKS - 1);
            count--;
        }
        return count > 0 ? markTime[first] : -1;
    }

    void stop() {
        conn.layer.timers().cancel(timer);
    }

    private void onTimer(long now) {
        conn.layer.updateTime(now);
        TcpState s = conn.state();
        if (s == TcpState.CLOSED || s == TcpState.TIME_WAIT) {
            return;
        }
        long origin = headSentAt();
        if (origin < 0) {
            if (!conn.sender.persistTimer.isArmed() || !probeOutstanding
                    || conn.lastReceivedAt - probeSentAt >= 0) {
                return; // nothing unanswered: the next transmission or probe re-arms
            }
            origin = probeSentAt; // zero window: a probe is unanswered since then
        }
        if (now - origin < timeoutNanos) {
            conn.layer.timers().schedule(timer, origin + timeoutNanos);
            return;
        }
        conn.layer.extCounters().userTimeouts++;
        conn.giveUp(WsaError.WSAETIMEDOUT, now);
        conn.flushEvents();
    }
}
