/*
 * ConnectionTimers: the timer expiries of one TCP connection. The retransmission timer (RFC 6298 5), the persist
 * timer (RFC 9293 3.8.6.1), the pacing timer, the RACK reordering / tail loss probe timer (RFC 8985 6.3, 7) and the
 * delayed ACK timer (RFC 1122 4.2.3.2) belong to TcpSender and TcpReceiver; their expiries come here, which
 * advances the layer's clock, lets the owner act, sends what is then due and delivers the user events that follow.
 * The close timer is this class's own: 2*MSL in TIME-WAIT (RFC 9293 3.4.2), or the FIN-WAIT-2 timeout after the
 * user closed (the peer never sent its FIN: a reset, then CLOSED).
 */
package io.ustack.tcp;

import io.ustack.engine.Timer;

/** Engine timer callbacks and the close timer of one connection. Engine thread only. */
final class ConnectionTimers {
    private final TcpConnection conn;
    private final Timer closeTimer;
    private final long timeWaitNanos;
    private final long finWait2Nanos;

    ConnectionTimers(TcpConnection conn, TcpConfig config) {
        this.conn = conn;
        this.closeTimer = new Timer(this::onCloseTimer);
        this.timeWaitNanos = config.timeWaitNanos();
        this.finWait2Nanos = config.finWait2TimeoutNanos();
    }

    // ================================================================== close timer

    /** The user closed in FIN-WAIT-2: wait that long for the peer's FIN. */
    void armFinWait2(long now) {
        conn.layer.timers().schedule(closeTimer, now + finWait2Nanos);
    }

    /** RFC 9293 3.4.2: (re)start the 2*MSL wait of TIME-WAIT. */
    void restartTimeWait(long now) {
        conn.layer.timers().schedule(closeTimer, now + timeWaitNanos);
    }

    void cancelClose() {
        conn.layer.timers().cancel(closeTimer);
    }

    private void onCloseTimer(long now) {
        conn.layer.updateTime(now);
        if (conn.state() == TcpState.TIME_WAIT) {
            conn.terminate(0);
        } else if (conn.state() == TcpState.FIN_WAIT_2 && conn.userClosed()) {
            conn.sendReset(now); // the peer never sent its FIN
            conn.terminate(0);
        }
        conn.flushEvents();
    }

    // ================================================================== timers of the sender and receiver

    /** Whose timer expired: what acts before the output. */
    enum Kind {
        /** TcpSender's retransmission timer (RFC 6298 5.4-5.7). */
        RETRANSMIT,
        /** The zero-window probe timer (PersistTimer, RFC 9293 3.8.6.1). */
        PERSIST,
        /** The RACK reordering / tail loss probe timer (LossTimer, RFC 8985 6.3, 7). */
        LOSS,
        /** The pacer's release time: nothing acts, the output sends what is now allowed. */
        PACING,
        /** TcpReceiver's delayed ACK timer (RFC 1122 4.2.3.2): the owed ACK goes out. */
        DELAYED_ACK
    }

    /** A timer of {@code kind}; its owner creates it once and arms it as often as needed. */
    Timer timer(Kind kind) {
        return new Timer(now -> expired(kind, now));
    }

    private void expired(Kind kind, long now) {
        conn.layer.updateTime(now);
        switch (kind) {
            case RETRANSMIT -> conn.sender.onRetransmitTimer(now);
            case PERSIST -> conn.sender.persistTimer.onTimer(now);
            case LOSS -> conn.sender.lossTimer.onExpiry(now);
            case PACING -> {
            }
            case DELAYED_ACK -> {
                if (conn.state() != TcpState.CLOSED) {
                    conn.receiver.ackNow = true;
                }
            }
        }
        conn.output(now); // nothing once CLOSED
        conn.flushEvents();
    }
}
