/*
 * LossTimer: the timer of RFC 8985 that is not the retransmission timer. One Timer serves two uses that never run
 * together: the RACK reordering timer (section 6.3), armed while a segment's reordering window has not yet passed,
 * and the tail loss probe timeout (section 7.2), armed after sending when a probe may be sent and it would come
 * before the RTO; when the probe timeout expires, the probe of section 7.3 goes out (new data if the peer's window
 * allows, otherwise the highest segment sent again) and the RTO is armed behind it.
 */
package io.ustack.tcp;

import io.ustack.engine.Timer;
import io.ustack.engine.TimerWheel;

/** RACK reordering / tail loss probe timer of one sender. Engine thread only. */
final class LossTimer {
    private final TcpSender snd;
    private final TimerWheel timers;
    private final Timer timer;
    /** The timer is armed (or was last armed) for a tail loss probe rather than for RACK reordering. */
    private boolean probe;

    LossTimer(TcpSender snd, TimerWheel timers, Timer timer) {
        this.snd = snd;
        this.timers = timers;
        this.timer = timer;
    }

    /** Arms the RACK reordering timer {@code timeout} from now (0: disarm it, unless a probe is pending). */
    void armReorder(long timeout, long now) {
        if (timeout > 0) {
            probe = false;
            timers.schedule(timer, now + timeout);
        } else if (!probe) {
            timers.cancel(timer);
        }
    }

    /** RFC 8985 7.2: (re)schedules the probe timeout when a probe may be sent, unless the RTO fires first. */
    void schedulePto(long now) {
        SackRecovery s = snd.sack;
        if (s == null || s.rack == null || (timer.isArmed() && !probe)) {
            return; // no RACK-TLP, or the reordering timer is running
        }
        if (snd.sndUna == snd.sndMax || !s.rack.mayScheduleProbe(s.board, snd.inRecovery)) {
            if (probe) {
                timers.cancel(timer);
            }
            return;
        }
        long at = now + RackTlp.pto(snd.rtt.hasSample(), snd.rtt.srtt(), snd.flightSize(), snd.smss);
        if (snd.rtoTimer.isArmed() && at - snd.rtoTimer.deadline() >= 0) {
            timers.cancel(timer); // the RTO comes first
            return;
        }
        probe = true;
        timers.schedule(timer, at);
    }

    /** The timer expired: the RACK reordering timeout, or the tail loss probe (RFC 8985 7.3). */
    void onExpiry(long now) {
        if (snd.sndUna == snd.sndMax || !snd.connectionSynchronized()) {
            return;
        }
        if (!probe) {
            snd.recovery.onReorderTimeout(now);
            return;
        }
        probe = false;
        SackRecovery s = snd.sack;
        if (s == null || s.rack == null || snd.inRecovery) {
            return;
        }
        int unsent = snd.unsent();
        boolean finUnsent = snd.finUnsent();
        int room = snd.sndWnd - (snd.sndNxt - snd.sndUna);
        if ((unsent > 0 || finUnsent) && room > 0 && !s.board.full()) {
            int len = Math.min(Math.min(unsent, snd.smss), room);
            snd.transmit(snd.sndNxt, len, finUnsent && len == unsent, now);
            s.rack.probeSent(snd.sndMax, false);
        } else if (s.board.count() > 0) {
            snd.retransmitRecord(s.board.count() - 1, now);
            s.rack.probeSent(snd.sndMax, true);
        } else {
            return;
        }
        snd.lossProbes++;
        snd.extCounters().lossProbes++;
        timers.schedule(snd.rtoTimer, now + snd.rtt.rto());
    }

    void cancel() {
        timers.cancel(timer);
    }
}
