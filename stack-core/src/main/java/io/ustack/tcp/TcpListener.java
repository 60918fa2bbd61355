/*
 * TcpListener: a passive OPEN (RFC 9293 3.10.1) in the LISTEN state: SYNs to its address and port create
 * connections in SYN-RECEIVED (RFC 9293 3.10.7.2); once established they wait in the accept queue, bounded with
 * the half-open ones by the backlog. The half-open ones are bounded by the SYN backlog too (RFC 4987 3.1); when
 * either bound is reached, SYNs are answered with SYN cookies (RFC 4987 3.6, see SynCookies) and an ACK that
 * carries a valid cookie becomes a connection, unless the accept queue itself is full.
 */
package io.ustack.tcp;

import io.ustack.engine.StackCounters;
import io.ustack.wire.DropReason;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;

import java.util.ArrayDeque;
import java.util.Objects;

/** A listening socket. Engine thread only. */
public final class TcpListener {
    private final TcpLayer layer;
    private final int localIp;
    private final int localPort;
    private final int backlog;
    /** The most half-open connections kept (min of the backlog and TcpConfig.synBacklog). */
    private final int synBacklog;
    /** Options accepted connections inherit (as SO_RCVBUF etc. of a listening socket). */
    private final TcpConfig config;
    private TcpListenHandler handler;
    private final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    private int halfOpen;
    private boolean closed;
    private boolean acceptablePending;
    /** When the last SYN cookie was sent; cookies are only checked for a while after that. */
    private long lastCookieAt;
    private boolean cookiesSent;

    TcpListener(TcpLayer layer, TcpConfig config, int localIp, int localPort, int backlog,
            TcpListenHandler handler) {
        this.layer = layer;
        this.config = config;
        this.localIp = localIp;
        this.localPort = localPort;
        this.backlog = backlog;
        this.synBacklog = Math.min(backlog, config.synBacklog());
        this.handler = Objects.requireNonNull(handler);
    }

    /** The next established connection, or null if none waits. Set its handler right away. */
    public TcpConnection accept() {
        TcpConnection c = acceptQueue.poll();
        if (c != null) {
            c.accepted();
        }
        return c;
    }

    /** Established connections waiting in {@link #accept()}. */
    public int pending() {
        return acceptQueue.size();
    }

    /** Connections still in SYN-RECEIVED. */
    public int halfOpen() {
        return halfOpen;
    }

    public int localPort() {
        return localPort;
    }

    /** The local address, 0 for any. */
    public int localAddress() {
        return localIp;
    }

    public boolean isClosed() {
        return closed;
    }

    public void handler(TcpListenHandler h) {
        this.handler = Objects.requireNonNull(h);
    }

    /** Stops listening; connections not yet accepted are reset. Half-open ones are reset when they complete. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        layer.removeListener(this);
        long now = layer.now();
        TcpConnection c;
        while ((c = acceptQueue.poll()) != null) {
            c.abandon(now);
        }
    }

    /** RFC 9293 3.10.7.2: a segment for this listener and no connection. */
    void segmentArrives(Segment seg, StackCounters counters, SegmentWriter writer, long now) {
        if (seg.has(TcpSegment.RST)) {
            counters.drop(DropReason.TCP_UNACCEPTABLE); // first: an incoming RST is ignored
            return;
        }
        if (seg.has(TcpSegment.ACK)) {
            if (!seg.has(TcpSegment.SYN) && cookieRecentlySent(now) && completeCookieHandshake(seg, now)) {
                return;
            }
            counters.drop(DropReason.TCP_UNACCEPTABLE);
            writer.sendResetFor(seg, now); // second: <SEQ=SEG.ACK><CTL=RST>
            return;
        }
        if (!seg.has(TcpSegment.SYN)) {
            counters.drop(DropReason.TCP_UNACCEPTABLE); // fourth: anything else is dropped
            return;
        }
        if (acceptQueue.size() >= backlog) {
            counters.drop(DropReason.TCP_BACKLOG_FULL); // nothing could be accepted: the peer will retry
            return;
        }
        if (halfOpen >= synBacklog || acceptQueue.size() + halfOpen >= backlog) {
            layer.extCounters().synBacklogOverflows++;
            if (config.synCookies()) {
                sendCookie(seg, writer, now);
            } else {
                counters.drop(DropReason.TCP_BACKLOG_FULL); // the peer will retransmit its SYN
            }
            return;
        }
        // third: a SYN. Text and FIN in it are not acknowledged, so the peer sends them again later.
        TcpConnection c = layer.newConnection(config, seg.dstIp, seg.dstPort, seg.srcIp, seg.srcPort, this,
                now);
        halfOpen++;
        c.passiveOpen(seg, now);
    }

    /**
     * RFC 6191 / RFC 1122 4.2.2.13: a SYN (no ACK, no RST) for a connection of this port in TIME-WAIT. If it is newer
     * than the old incarnation (TimeWaitReuse) and the backlog has room, the old TCB goes and the SYN opens a new
     * connection with an ISS above the old SND.NXT. Returns false to leave the SYN to TIME-WAIT's processing.
     */
    boolean reopenFromTimeWait(TcpConnection tw, Segment seg, long now) {
        if (closed || acceptQueue.size() + halfOpen >= backlog || halfOpen >= synBacklog
                || !TimeWaitReuse.allowed(tw, seg, config.timestamps())) {
            return false;
        }
        int iss = TimeWaitReuse.iss(layer.isn(seg.dstIp, seg.dstPort, seg.srcIp, seg.srcPort, now), tw);
        tw.terminate(0);
        tw.flushEvents();
        layer.extCounters().timeWaitReuses++;
        TcpConnection c = layer.newConnection(config, seg.dstIp, seg.dstPort, seg.srcIp, seg.srcPort, this, now,
                iss);
        halfOpen++;
        c.passiveOpen(seg, now);
        return true;
    }

    // ------------------------------------------------------------------ SYN cookies (RFC 4987 3.6)

    /** Answers {@code syn} with a stateless SYN-ACK whose sequence number is a cookie. */
    private void sendCookie(Segment syn, SegmentWriter writer, long now) {
        SynCookies cookies = layer.synCookies();
        int mssIndex = SynCookies.mssIndex(syn.options.mss());
        int iss = cookies.cookie(syn.dstIp, syn.dstPort, syn.srcIp, syn.srcPort, syn.seq, mssIndex, now);
        TcpOptions peer = syn.options;
        TcpOptions o = writer.clearedOptions().mss(layer.ourMss(config));
        if (config.timestamps() && peer.hasTimestamps()) {
            // window scale and SACK survive only inside the timestamp (see SynCookies)
            int peerWscale = config.windowScaling() ? peer.windowScale() : -1;
            boolean sack = config.sack() && peer.sackPermitted();
            if (peerWscale >= 0) {
                o.windowScale(TcpReceiver.scaleFor(config.receiveBufferLimit()));
            }
            o.sackPermitted(sack);
            o.timestamps(SynCookies.encodeTsVal(Timestamps.tsValFor(
                    layer.timestampOffset(syn.dstIp, syn.dstPort, syn.srcIp, syn.srcPort), now), peerWscale, sack), peer.tsVal());
        }
        int window = Math.min(config.receiveBufferSize(), TcpReceiver.MAX_WINDOW_FIELD);
        writer.send(syn.dstIp, syn.dstPort, syn.srcIp, syn.srcPort, iss, syn.seq + 1,
                TcpSegment.SYN | TcpSegment.ACK, window, o, null, 0, 0, now);
        layer.extCounters().synCookiesSent++;
        cookiesSent = true;
        lastCookieAt = now;
    }

    private boolean cookieRecentlySent(long now) {
        return cookiesSent
                && SynCookies.counter(now) - SynCookies.counter(lastCookieAt) <= SynCookies.MAX_AGE;
    }

    /**
     * An ACK for no connection while cookies are in use: if it carries a valid cookie, rebuild the connection and
     * let it process the ACK (and any data) in SYN-RECEIVED. Returns false if the cookie is not valid (the caller
     * answers with a reset, as for any stray ACK).
     */
    private boolean completeCookieHandshake(Segment seg, long now) {
        int irs = seg.seq - 1;
        int iss = seg.ack - 1;
        int mssIndex = layer.synCookies().check(seg.dstIp, seg.dstPort, seg.srcIp, seg.srcPort, irs, iss, now);
        if (mssIndex < 0) {
            layer.extCounters().synCookiesInvalid++;
            return false;
        }
        if (acceptQueue.size() >= backlog) {
            layer.counters().drop(DropReason.TCP_BACKLOG_FULL); // the peer's next segment carries the cookie again
            return true;
        }
        layer.extCounters().synCookiesValid++;
        TcpOptions peer = layer.synCookies().decodedOptions(mssIndex, seg);
        if (!config.timestamps()) {
            peer.clearTimestamps().windowScale(-1).sackPermitted(false);
        }
        TcpConnection c = layer.newConnection(config, seg.dstIp, seg.dstPort, seg.srcIp, seg.srcPort, this, now,
                iss);
        halfOpen++;
        cookieOpen(c, seg, peer, now);
        SegmentArrives.process(c, seg, layer.counters(), layer.writer(), now);
        if (c.state() == TcpState.SYN_RECEIVED) {
            c.terminate(0); // cannot happen for a segment that validated; never leave a TCB without a timer
        }
        c.flushEvents();
        flushEvents();
        return true;
    }

    /**
     * Rebuilds the TCB of a validated cookie in SYN-RECEIVED as if our SYN-ACK had been sent, with the peer's
     * options as the cookie kept them; processing {@code seg} then completes the handshake.
     */
    private static void cookieOpen(TcpConnection c, Segment seg, TcpOptions peer, long now) {
        c.receiver.init(seg.seq - 1);
        c.negotiate(peer, now);
        c.timestamps.lastAckSent = c.receiver.rcvNxt;
        c.state(TcpState.SYN_RECEIVED);
        c.sender.sndNxt = c.sender.iss + 1; // the SYN-ACK was sent (statelessly)
        c.sender.sndMax = c.sender.iss + 1;
    }

    /** A child completed the handshake. */
    void onEstablished(TcpConnection c) {
        halfOpen--;
        if (closed) {
            c.abandon(layer.now());
            return;
        }
        acceptQueue.add(c);
        acceptablePending = true;
    }

    /** A child ended before being accepted. */
    void onChildClosed(TcpConnection c) {
        if (!acceptQueue.remove(c)) {
            halfOpen--;
        }
    }

    void flushEvents() {
        if (acceptablePending) {
            acceptablePending = false;
            if (!closed && !acceptQueue.isEmpty()) {
                handler.onAcceptable(this);
            }
        }
    }

    @Override
    public String toString() {
        return "TcpListener[" + io.ustack.wire.Ipv4Address.toString(localIp) + ":" + localPort + " pending="
                + acceptQueue.size() + " halfOpen=" + halfOpen + "]";
    }
}
