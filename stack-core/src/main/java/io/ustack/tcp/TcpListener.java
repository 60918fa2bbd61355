/*
 * TcpListener: a passive OPEN (RFC 9293 3.10.1) in the LISTEN state: SYNs to its address and port create
 * connections in SYN-RECEIVED (RFC 9293 3.10.7.2); once established they wait in the accept queue, bounded with
 * the half-open ones by the backlog.
 */
package io.ustack.tcp;

import io.ustack.engine.StackCounters;
import io.ustack.wire.DropReason;
import io.ustack.wire.TcpSegment;

import java.util.ArrayDeque;
import java.util.Objects;

/** A listening socket. Engine thread only. */
public final class TcpListener {
    private final TcpLayer layer;
    private final int localIp;
    private final int localPort;
    private final int backlog;
    /** Options accepted connections inherit (as SO_RCVBUF etc. of a listening socket). */
    private final TcpConfig config;
    private TcpListenHandler handler;
    private final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    private int halfOpen;
    private boolean closed;
    private boolean acceptablePending;

    TcpListener(TcpLayer layer, TcpConfig config, int localIp, int localPort, int backlog,
            TcpListenHandler handler) {
        this.layer = layer;
        this.config = config;
        this.localIp = localIp;
        this.localPort = localPort;
        this.backlog = backlog;
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
            counters.drop(DropReason.TCP_UNACCEPTABLE);
            writer.sendResetFor(seg, now); // second: <SEQ=SEG.ACK><CTL=RST>
            return;
        }
        if (!seg.has(TcpSegment.SYN)) {
            counters.drop(DropReason.TCP_UNACCEPTABLE); // fourth: anything else is dropped
            return;
        }
        if (acceptQueue.size() + halfOpen >= backlog) {
            counters.drop(DropReason.TCP_BACKLOG_FULL); // the peer will retransmit its SYN
            return;
        }
        // third: a SYN. Text and FIN in it are not acknowledged, so the peer sends them again later.
        TcpConnection c = layer.newConnection(config, seg.dstIp, seg.dstPort, seg.srcIp, seg.srcPort, this,
                now);
        halfOpen++;
        c.passiveOpen(seg, now);
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
