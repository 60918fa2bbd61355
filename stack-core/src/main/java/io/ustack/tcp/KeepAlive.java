/*
 * KeepAlive: TCP keep-alives (RFC 1122 4.2.3.6, RFC 9293 3.8.4) for one connection, off unless the user turns them
 * on (SO_KEEPALIVE). After the idle time without any acceptable segment from the peer, a probe <SEQ=SND.UNA-1>
 * <ACK=RCV.NXT><CTL=ACK> without data is sent (an old sequence number, so the peer answers with an ACK, RFC 9293
 * 3.10.7.4 "first"); then one per interval. After `count` unanswered probes the connection is reset and ends with
 * WSAETIMEDOUT (or with the soft error an ICMP message reported, RFC 1122 4.2.3.9). While data is outstanding or
 * waits for a window the retransmission and persist timers watch the peer, so no probes are sent (RFC 1122: only
 * when no data or acknowledgement has been received for an interval).
 *
 * The timer is re-armed lazily: arriving segments only store their time (TcpConnection.lastReceivedAt), and an
 * expiry that finds recent traffic re-arms for the remainder. Nothing happens per segment beyond that store.
 */
package io.ustack.tcp;

import io.ustack.engine.Timer;
import io.ustack.spi.WsaError;
import io.ustack.wire.TcpSegment;

/** Keep-alive state of one connection. Engine thread only. */
final class KeepAlive {
    private final TcpConnection conn;
    private final Timer timer;
    private final long idleNanos;
    private final long intervalNanos;
    private final int count;
    private final long userTimeoutNanos;
    private boolean enabled;
    /** Probes sent since the peer was last heard from. */
    private int probes;
    /** When the first of those probes was sent. */
    private long firstProbeAt;

    KeepAlive(TcpConnection conn, TcpConfig config) {
        this.conn = conn;
        this.timer = new Timer(this::onTimer);
        this.idleNanos = config.keepAliveIdleNanos();
        this.intervalNanos = config.keepAliveIntervalNanos();
        this.count = config.keepAliveCount();
        this.userTimeoutNanos = config.userTimeoutNanos();
        this.enabled = config.keepAlive();
    }

    boolean enabled() {
        return enabled;
    }

    int probes() {
        return probes;
    }

    /** SO_KEEPALIVE on or off; turning it on in a synchronized state arms the timer from the last arrival. */
    void enable(boolean on, long now) {
        enabled = on;
        probes = 0;
        if (!on) {
            conn.layer.timers().cancel(timer);
        } else if (probing(conn.state())) {
            schedule(Math.max(now, conn.lastReceivedAt + idleNanos));
        }
    }

    /** The connection became ESTABLISHED. */
    void start(long now) {
        probes = 0;
        if (enabled) {
            schedule(now + idleNanos);
        }
    }

    /** The connection ended or entered TIME-WAIT. */
    void stop() {
        conn.layer.timers().cancel(timer);
    }

    /** States in which keep-alives run: every synchronized state but TIME-WAIT. */
    private static boolean probing(TcpState s) {
        return s.isSynchronized() && s != TcpState.TIME_WAIT;
    }

    private void schedule(long deadline) {
        conn.layer.timers().schedule(timer, deadline);
    }

    private void onTimer(long now) {
        conn.layer.updateTime(now);
        if (!enabled || !probing(conn.state())) {
            return;
        }
        TcpSender snd = conn.sender;
        if (snd.sndMax != snd.sndUna || snd.buffered() > 0) {
            probes = 0; // the retransmission or persist timer watches the peer
            schedule(now + idleNanos);
            return;
        }
        long heard = conn.lastReceivedAt;
        if (probes > 0 && heard - firstProbeAt >= 0) {
            probes = 0; // answered
        }
        long elapsed = now - heard;
        if (probes == 0 && elapsed < idleNanos) {
            schedule(heard + idleNanos);
            return;
        }
        if (probes >= count || (userTimeoutNanos > 0 && probes > 0 && elapsed >= userTimeoutNanos)) {
            conn.layer.extCounters().keepAliveTimeouts++;
            conn.emit(snd.sndMax, TcpSegment.RST, 0, 0, now); // in case the peer is only deaf one way (as Linux)
            conn.giveUp(WsaError.WSAETIMEDOUT, now);
            conn.flushEvents();
            return;
        }
        if (probes == 0) {
            firstProbeAt = now;
        }
        probes++;
        conn.layer.extCounters().keepAliveProbes++;
        conn.emit(snd.sndUna - 1, TcpSegment.ACK, 0, 0, now);
        schedule(now + intervalNanos);
        conn.flushEvents();
    }
}
