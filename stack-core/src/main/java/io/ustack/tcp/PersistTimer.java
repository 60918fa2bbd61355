/*
 * PersistTimer: the persist timer of one sender (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17 and 4.2.3.4). While nothing is
 * in flight and data (or a FIN) waits, either for a zero window or for sender SWS avoidance, the timer runs with an
 * RTO-based interval and its own exponential back-off, capped at the maximum RTO. On expiry it sends what the window
 * allows if it opened (overriding SWS avoidance), or else a zero-window probe: a segment with an old sequence number,
 * <SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK>, which draws an ACK carrying the current window (RFC 9293 3.10.7.4 "first").
 * The connection ends with WSAETIMEDOUT after as many unanswered probes as the retransmission limit allows (R2).
 */
package io.ustack.tcp;

import io.ustack.engine.Timer;
import io.ustack.engine.TimerWheel;
import io.ustack.spi.WsaError;
import io.ustack.wire.TcpSegment;

/** Zero-window probing of one sender. Engine thread only. */
final class PersistTimer {
    private final TcpSender snd;
    private final TimerWheel timers;
    private final Timer timer;
    private final int maxRetries;
    private final long rtoMaxNanos;
    /** Zero-window probes without any ACK in reply. */
    private int unansweredProbes;
    private int backoff;

    PersistTimer(TcpSender snd, TimerWheel timers, Timer timer, int maxRetries, long rtoMaxNanos) {
        this.snd = snd;
        this.timers = timers;
        this.timer = timer;
        this.maxRetries = maxRetries;
        this.rtoMaxNanos = rtoMaxNanos;
    }

    boolean isArmed() {
        return timer.isArmed();
    }

    /** An acceptable ACK arrived: the peer is alive. */
    void onAck() {
        unansweredProbes = 0;
    }

    /** The peer's window grew: the back-off starts again. */
    void onWindowGrew() {
        backoff = 0;
    }

    /** After output: runs while nothing is in flight and something waits to be sent, is stopped otherwise. */
    void update(boolean waiting, long now) {
        if (waiting) {
            if (!timer.isArmed()) {
                timers.schedule(timer, now + interval());
            }
        } else {
            timers.cancel(timer);
        }
    }

    void cancel() {
        timers.cancel(timer);
    }

    /** The timer expired: send into a window that opened, or probe a zero window (RFC 1122 4.2.3.4). */
    void onTimer(long now) {
        if (snd.sndMax != snd.sndUna || !snd.connectionSynchronized()) {
            return;
        }
        int unsent = snd.unsent();
        boolean finUnsent = snd.finUnsent();
        if (unsent == 0 && !finUnsent) {
            return;
        }
        int room = Math.min(snd.sndWnd, snd.cc.cwnd());
        if (room > 0) {
            int len = Math.min(Math.min(unsent, snd.smss), room);
            snd.transmit(snd.sndNxt, len, finUnsent && len == unsent, now);
            return;
        }
        if (++unansweredProbes > maxRetries) {
            snd.giveUp(WsaError.WSAETIMEDOUT, now);
            return;
        }
        snd.emitProbe(snd.sndUna - 1, TcpSegment.ACK, now);
        backoff++;
        timers.schedule(timer, now + interval());
    }

    private long interval() {
        long t = snd.rtt.rto();
        for (int i = 0; i < backoff && t < rtoMaxNanos; i++) {
            t <<= 1;
        }
        return Math.min(t, rtoMaxNanos);
    }
}
