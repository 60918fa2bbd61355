/*
 * TcpConnection: one TCP connection (the TCB of RFC 9293 3.3.1) and its user calls (RFC 9293 3.10.1-3.10.6: OPEN,
 * SEND, RECEIVE, CLOSE, ABORT, STATUS). The send and receive halves live in TcpSender and TcpReceiver; arriving
 * segments are processed by SegmentArrives; this class owns the state, the lifecycle (TIME-WAIT of RFC 9293 3.4.2,
 * the FIN-WAIT-2 timeout, resets on close with unread data per RFC 1122 4.2.2.13) and the user events; timer
 * expiries arrive through ConnectionTimers.
 */
package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;

import java.util.Objects;

/**
 * A TCP connection. Every method runs on the engine thread. Handler events are delivered after the work that
 * caused them (see {@link TcpHandler}).
 */
public final class TcpConnection {

    final TcpLayer layer;
    private final int localIp;
    private final int localPort;
    private final int remoteIp;
    private final int remotePort;
    final TcpSender sender;
    final TcpReceiver receiver;
    final KeepAlive keepalive;
    /** Null without a user timeout. */
    final UserTimeout userTimeout;
    /** When the last acceptable segment arrived (keep-alive and zero-window user timeout). */
    long lastReceivedAt;
    /** A soft error reported by ICMP (RFC 1122 4.2.3.9), reported instead of WSAETIMEDOUT if the connection dies. */
    int softError;
    /** Ring sizes: fixed or auto-sized. */
    final BufferSizing buffers;
    /** RFC 7323 timestamps (RTTM, PAWS). */
    final Timestamps timestamps;
    /** We offer SACK-permitted (RFC 2018 section 2) in our SYN. */
    private final boolean sackOffered;
    /** Timer expiries, and the TIME-WAIT / FIN-WAIT-2 close timer. */
    final ConnectionTimers timers;
    /** Created by a listener (passive OPEN). */
    final boolean passive;
    /** The listener this connection belongs to until accepted. */
    TcpListener listener;

    private TcpState state = TcpState.CLOSED;
    private TcpHandler handler = TcpHandler.NONE;
    /** Both sides sent the window scale option. */
    private boolean windowScaling;
    /** The user called shutdownOutput() or close(): no more writes, FIN queued (or pending the handshake). */
    private boolean outputShutdown;
    /** The user called close() or abort(): it will not read any more. */
    private boolean userClosed;
    private int error;
    private final ConnectionEvents events = new ConnectionEvents();

    TcpConnection(TcpLayer layer, TcpConfig config, int localIp, int localPort, int remoteIp, int remotePort,
            int iss, TcpListener listener) {
        this.layer = layer;
        this.localIp = localIp;
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.listener = listener;
        this.passive = listener != null;
        int ourMss = layer.ourMss(config);
        this.timers = new ConnectionTimers(this, config); // the sender and receiver take their timers from it
        this.timestamps = new Timestamps(config.timestamps(),
                layer.timestampOffset(localIp, localPort, remoteIp, remotePort));
        this.sackOffered = config.sack();
        this.sender = new TcpSender(this, config, layer.timers(), layer.counters(), iss, ourMss);
        this.receiver = new TcpReceiver(this, config, layer.timers(), ourMss);
        this.keepalive = new KeepAlive(this, config);
        this.buffers = new BufferSizing(this, config);
        this.userTimeout = config.userTimeoutNanos() > 0 ? new UserTimeout(this, config.userTimeoutNanos(), iss) : null;
    }

    // ================================================================== user API

    public TcpState state() {
        return state;
    }

    public int localAddress() {
        return localIp;
    }

    public int localPort() {
        return localPort;
    }

    public int remoteAddress() {
        return remoteIp;
    }

    public int remotePort() {
        return remotePort;
    }

    /** Sets the event handler (for an accepted connection: right after accept). Fires nothing by itself. */
    public void handler(TcpHandler h) {
        this.handler = Objects.requireNonNull(h);
    }

    TcpHandler handler() {
        return handler;
    }

    /** In-order bytes ready to read. */
    public int available() {
        return receiver.buffer.readable();
    }

    /**
     * RFC 9293 3.10.3 RECEIVE: moves up to {@code maxBytes} readable bytes to {@code dst}'s writer index and returns
     * how many; 0 when nothing is readable (check {@link #isInputShutdown()} and {@link #error()}). Sends a window
     * update when the read opened the window enough.
     */
    public int read(ByteBuf dst, int maxBytes) {
        int n = receiver.read(dst, maxBytes);
        if (n > 0) {
            long now = layer.now();
            buffers.onRead(n, now);
            if (receivesData() && receiver.windowUpdateWorthwhile()) {
                receiver.ackNow = true;
                output(now);
            }
            maybeReleaseReceiveBuffer();
            flushEvents();
        }
        return n;
    }

    /** The peer's FIN has arrived: no byte comes after those readable now. */
    public boolean finReceived() {
        return receiver.finReceived;
    }

    /** The peer's FIN has arrived and every byte before it has been read. */
    public boolean isInputShutdown() {
        return receiver.finReceived && receiver.buffer.readable() == 0;
    }

    /** Free bytes in the send buffer (0 once output is shut down or the connection is over). */
    public int sendSpace() {
        return outputShutdown || error != 0 || state == TcpState.CLOSED ? 0 : sender.buffer.free();
    }

    /**
     * RFC 9293 3.10.2 SEND: copies up to {@code maxBytes} from {@code src}'s reader index (advancing it) into the
     * send buffer and starts output. Returns the bytes accepted; when that is less than asked, onWritable follows once
     * there is room. Before the handshake completes, data is queued.
     *
     * @throws WsaException WSAESHUTDOWN after shutdownOutput/close, the connection's error after a failure,
     *     WSAENOTCONN when closed
     */
    public int write(ByteBuf src, int maxBytes) {
        if (error != 0) {
            throw new WsaException(error, "connection failed");
        }
        if (outputShutdown) {
            throw new WsaException(WsaError.WSAESHUTDOWN, "output already shut down");
        }
        if (state == TcpState.CLOSED || state == TcpState.LISTEN) {
            throw new WsaException(WsaError.WSAENOTCONN, "not connected");
        }
        int wanted = Math.min(maxBytes, src.readableBytes());
        int n = sender.buffer.write(src, wanted);
        if (n < wanted) {
            sender.writableWanted = true;
            // a ring the window has outgrown is enlarged here and filled at once, rather than announced with
            // onWritable in the middle of the caller's own write (which would re-enter the caller's send loop)
            while (n < wanted && buffers.growSendRing()) {
                n += sender.buffer.write(src, wanted - n);
            }
            sender.writableWanted = n < wanted;
        }
        if (n > 0) {
            output(layer.now());
            flushEvents();
        }
        return n;
    }

    /** RFC 9293 3.10.4 CLOSE of the sending direction: a FIN follows the queued data (half-close). */
    public void shutdownOutput() {
        if (outputShutdown || state == TcpState.CLOSED) {
            outputShutdown = true;
            return;
        }
        outputShutdown = true;
        queueFinIfSynchronized();
        output(layer.now());
        flushEvents();
    }

    private void queueFinIfSynchronized() {
        if (state == TcpState.ESTABLISHED) {
            sender.queueFin();
            state = TcpState.FIN_WAIT_1;
        } else if (state == TcpState.CLOSE_WAIT) {
            sender.queueFin();
            state = TcpState.LAST_ACK;
        }
        // SYN-SENT / SYN-RECEIVED: queued until ESTABLISHED (RFC 9293 3.10.4)
    }

    /**
     * RFC 9293 3.10.4 CLOSE: orderly close of both directions. If unread data remains, the connection is reset
     * instead (RFC 1122 4.2.2.13); so is it if data arrives afterwards.
     */
    public void close() {
        if (userClosed) {
            return;
        }
        userClosed = true;
        long now = layer.now();
        if (state == TcpState.CLOSED) {
            receiver.release();
            return;
        }
        if (state == TcpState.SYN_SENT) {
            terminate(0); // nothing was synchronized: just delete the TCB
        } else if (receiver.buffer.readable() > 0 && state != TcpState.TIME_WAIT) {
            sendReset(now); // RFC 1122 4.2.2.13: unread data is lost, tell the peer
            terminate(WsaError.WSAECONNABORTED);
        } else {
            outputShutdown = true;
            queueFinIfSynchronized();
            if (state == TcpState.FIN_WAIT_2) {
                timers.armFinWait2(now);
            }
            output(now);
            maybeReleaseReceiveBuffer();
        }
        flushEvents();
    }

    /** RFC 9293 3.10.5 ABORT (SO_LINGER 0): a reset now; onClosed(WSAECONNABORTED). */
    public void abort() {
        if (state == TcpState.CLOSED) {
            userClosed = true;
            receiver.release();
            return;
        }
        userClosed = true;
        resetAndTerminate(WsaError.WSAECONNABORTED, layer.now());
        flushEvents();
    }

    /** TCP_NODELAY: {@code true} turns Nagle's algorithm off. */
    public void noDelay(boolean on) {
        sender.nagle = !on;
        if (on && state.isSynchronized()) {
            output(layer.now());
            flushEvents();
        }
    }

    /** SO_RCVBUF: a fixed receive ring (auto-sizing off; see BufferSizing.setReceive). */
    public void receiveBufferSize(int bytes) {
        buffers.setReceive(bytes, layer.now());
    }

    /** SO_SNDBUF: a fixed send ring (auto-sizing off; see BufferSizing.setSend). */
    public void sendBufferSize(int bytes) {
        buffers.setSend(bytes);
    }

    /** The receive ring's size now (auto-sizing changes it). */
    public int receiveBufferSize() {
        return receiver.buffer.capacity();
    }

    /** The send ring's size now (auto-sizing changes it). */
    public int sendBufferSize() {
        return sender.buffer.capacity();
    }

    /** SO_KEEPALIVE (RFC 1122 4.2.3.6) with the timing of the layer's or the connection's TcpConfig. */
    public void keepAlive(boolean on) {
        keepalive.enable(on, layer.now());
    }

    public boolean keepAlive() {
        return keepalive.enabled();
    }

    /** The last soft error an ICMP message reported (RFC 1122 4.2.3.9), or 0. */
    public int softError() {
        return softError;
    }

    /** The pending error (a WSA code), or 0. */
    public int error() {
        return error;
    }

    // ================================================================== opening

    /** RFC 9293 3.10.1 active OPEN: send the SYN. */
    void activeOpen(long now) {
        state = TcpState.SYN_SENT;
        sender.sendSyn(false, now);
    }

    /** RFC 9293 3.10.7.2 LISTEN, a SYN arrived: answer with SYN-ACK and go to SYN-RECEIVED. */
    void passiveOpen(Segment seg, long now) {
        receiver.init(seg.seq);
        negotiate(seg.options, now);
        state = TcpState.SYN_RECEIVED;
        sender.sendSyn(true, now);
    }

    /**
     * Takes the peer's SYN options: timestamps (RFC 7323 3.2), SACK-permitted (RFC 2018 2), MSS (RFC 9293 3.7.1,
     * less the 12 bytes of timestamps every segment will carry) and window scale (RFC 7323 2.2 / 2.3).
     */
    void negotiate(TcpOptions peer, long now) {
        timestamps.negotiate(peer, now);
        boolean sack = sackOffered && peer.sackPermitted();
        receiver.sack.enabled = sack;
        sender.sackPermitted(sack);
        int optionBytes = timestamps.enabled ? Timestamps.OPTION_BYTES : 0;
        sender.segmentOptionBytes = optionBytes;
        sender.mss(peer.mss(), receiver.rcvMss);
        receiver.rcvSegment = receiver.rcvMss - optionBytes;
        if (peer.windowScale() >= 0 && receiver.offeredWscale >= 0) {
            windowScaling = true;
            sender.sndWscale = Math.min(peer.windowScale(), TcpReceiver.MAX_WINDOW_SCALE);
            receiver.rcvWscale = receiver.offeredWscale;
        } else {
            windowScaling = false;
            sender.sndWscale = 0;
            receiver.rcvWscale = 0;
        }
    }

    /** The handshake completed (from SYN-SENT or SYN-RECEIVED). */
    void established(long now) {
        state = TcpState.ESTABLISHED;
        lastReceivedAt = now;
        keepalive.start(now);
        if (outputShutdown) {
            queueFinIfSynchronized();
        }
        if (listener != null) {
            listener.onEstablished(this);
        } else {
            events.connected();
        }
    }

    // ================================================================== closing

    /** RFC 9293 3.10.7.4 "eighth": the peer's FIN is reached; state transition. */
    void finReceived(long now) {
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED -> state = TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 -> {
                if (sender.finAcked()) {
                    enterTimeWait(now);
                } else {
                    state = TcpState.CLOSING;
                }
            }
            case FIN_WAIT_2 -> enterTimeWait(now);
            default -> {
            }
        }
    }

    /** Our FIN was acknowledged in FIN-WAIT-1. */
    void finWait1Acked(long now) {
        state = TcpState.FIN_WAIT_2;
        if (userClosed) {
            timers.armFinWait2(now);
        }
    }

    /** RFC 9293 3.4.2: wait 2*MSL; the user sees the connection closed (orderly) now. */
    void enterTimeWait(long now) {
        state = TcpState.TIME_WAIT;
        sender.release();
        stopGuards();
        layer.timers().cancel(receiver.delayedAckTimer);
        receiver.ackNow = true; // the FIN (ours acknowledged, theirs now) gets its ACK
        timers.restartTimeWait(now);
        reportClosed(0);
        maybeReleaseReceiveBuffer();
    }

    /**
     * R2 reached, user timeout or keep-alive (RFC 1122 4.2.3.5): give up, reporting a soft error an ICMP message
     * left instead of a timeout (RFC 1122 4.2.3.9).
     */
    void giveUp(int wsaError, long now) {
        if (wsaError == WsaError.WSAETIMEDOUT && softError != 0) {
            wsaError = softError;
        }
        terminate(passive && listener != null ? 0 : wsaError);
    }

    private void stopGuards() {
        keepalive.stop();
        if (userTimeout != null) {
            userTimeout.stop();
        }
    }

    /** Reset and forget a connection no user ever saw (its listener closed before accepting it). */
    void abandon(long now) {
        listener = null;
        userClosed = true;
        resetAndTerminate(0, now);
    }

    /** A reset of ours (RFC 9293 3.10.5 / 3.10.4 with unread data), then CLOSED. */
    void resetAndTerminate(int wsaError, long now) {
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> sendReset(now);
            default -> {
            }
        }
        terminate(wsaError);
    }

    void sendReset(long now) {
        emit(sender.sndMax, TcpSegment.RST, 0, 0, now);
    }

    /** To CLOSED: timers off, out of the tables, buffers back, the user told (once). */
    void terminate(int wsaError) {
        if (state == TcpState.CLOSED) {
            return;
        }
        state = TcpState.CLOSED;
        timers.cancelClose();
        stopGuards();
        layer.timers().cancel(receiver.delayedAckTimer);
        sender.release();
        layer.remove(this);
        if (wsaError != 0) {
            error = wsaError;
            receiver.release(); // RFC 9293 3.10.7.4: a reset flushes the queues
        }
        if (listener != null) {
            userClosed = true; // never accepted: nobody will read
            listener.onChildClosed(this);
            listener = null;
        }
        maybeReleaseReceiveBuffer();
        reportClosed(wsaError);
    }

    private void reportClosed(int wsaError) {
        events.closed(wsaError);
    }

    private void maybeReleaseReceiveBuffer() {
        boolean over = state == TcpState.CLOSED || state == TcpState.TIME_WAIT;
        if (userClosed || (over && receiver.buffer.readable() == 0)) {
            receiver.release();
        }
    }

    /** States in which arriving text is accepted (RFC 9293 3.10.7.4 "seventh"). */
    boolean receivesData() {
        return state == TcpState.SYN_RECEIVED || state == TcpState.ESTABLISHED || state == TcpState.FIN_WAIT_1
                || state == TcpState.FIN_WAIT_2;
    }

    boolean userClosed() {
        return userClosed;
    }

    void state(TcpState s) {
        this.state = s;
    }

    /** Accepted by the user: no longer a listener's child. */
    void accepted() {
        listener = null;
    }

    // ================================================================== output

    /** Sends what the sender may send, then a pure ACK if one is still owed. */
    void output(long now) {
        if (state == TcpState.CLOSED) {
            return;
        }
        buffers.beforeOutput();
        if (state.isSynchronized() && state != TcpState.TIME_WAIT) {
            sender.output(now);
        }
        if (receiver.ackNow) {
            emit(sender.sndMax, TcpSegment.ACK, 0, 0, now);
        }
    }

    /** Builds and sends one segment of this connection. */
    void emit(int seq, int flags, int dataOffset, int dataLength, long now) {
        boolean syn = (flags & TcpSegment.SYN) != 0;
        boolean ack = (flags & TcpSegment.ACK) != 0;
        TcpOptions options = SegmentOptions.build(this, flags, dataLength, state == TcpState.SYN_SENT,
                windowScaling, sackOffered, now);
        int window = (flags & TcpSegment.RST) != 0 ? 0 : receiver.windowField(syn);
        layer.writer().send(localIp, localPort, remoteIp, remotePort, seq, ack ? receiver.rcvNxt : 0, flags, window,
                options, sender.buffer, dataOffset, dataLength, now);
        if (ack) {
            timestamps.lastAckSent = receiver.rcvNxt; // RFC 7323 4.3 Last.ACK.sent
            receiver.onAckSent();
        }
        if (userTimeout != null) {
            userTimeout.onSend(seq, flags, dataLength, now);
        }
    }

    /** RFC 5961 3.2 / 4.2 / 5.2: a challenge ACK, if the budget of RFC 5961 7 allows (ChallengeAckLimiter). */
    void challengeAck(long now) {
        layer.challengeAcks().challenge(this, now);
    }

    // ================================================================== events

    void signalReadable() {
        events.readable();
    }

    void signalWritable() {
        events.writable();
    }

    /** Delivers pending events (see {@link ConnectionEvents#flush}). */
    void flushEvents() {
        events.flush(this);
    }

    @Override
    public String toString() {
        return "TcpConnection[" + io.ustack.wire.Ipv4Address.toString(localIp) + ":" + localPort + " -> "
                + io.ustack.wire.Ipv4Address.toString(remoteIp) + ":" + remotePort + " " + state + " " + sender
                + " rcvNxt=" + Integer.toUnsignedString(receiver.rcvNxt - receiver.irs) + " rcvWnd="
                + receiver.rcvWnd() + "]";
    }
}
