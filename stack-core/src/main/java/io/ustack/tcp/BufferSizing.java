/*
 * BufferSizing: the sizes of one connection's receive and send rings: fixed by the user (SO_RCVBUF / SO_SNDBUF),
 * or auto-sized to the path (in the manner of Linux's tcp_moderate_rcvbuf and send buffer expansion) within
 * TcpConfig's [min, max] per direction.
 *
 * Receive side, dynamic right-sizing: the window must cover what the sender can deliver in a round trip, so the
 * receiver measures how many bytes the application consumed during each of its RTT estimates and keeps the ring at
 * about twice that (room for a round of losses), plus a margin for a sender still doubling its rate in slow start
 * (the growth seen between the last two rounds, counted twice, since the window offered now is used a round later).
 * The receiver's RTT comes from the echoed timestamps of arriving data (RFC 7323 4.1, the data segment answers the
 * ACK whose TSval it echoes) or, without timestamps, from the time a full advertised window takes to arrive (an
 * upper bound, hence the minimum of such samples is kept, drifting up slowly); before any sample, the handshake's.
 * The window scale offered in the SYN is chosen for the maximum (TcpReceiver).
 *
 * Send side: when the application could not write everything and the usable window (the congestion window, but
 * no more than the peer ever offered) has outgrown half the ring, the ring grows to two such windows (one in
 * flight, one queued behind it), at least doubling so that copies stay rare, and the writer is woken. The SACK
 * scoreboard, which follows every segment in flight, grows with it.
 *
 * Rings only grow here; a user size (SO_RCVBUF / SO_SNDBUF) turns auto-sizing off for its direction. Growth
 * allocates a new ring and copies (SendBuffer / ReceiveBuffer.resize); it happens at most once per round trip, and
 * the checks on the per-segment path are a few comparisons.
 */
package io.ustack.tcp;

import static io.ustack.tcp.SequenceNumbers.geq;

/** Buffer auto-sizing of one connection. Engine thread only. */
final class BufferSizing {
    /** Rings grow in whole pages. */
    static final int GRANULE = 4096;
    /** Segments a round trip is assumed to carry before any measurement (RFC 6928 initial window). */
    static final int INITIAL_SEGMENTS = 10;
    /** The safety margin, in segments, on top of twice the bytes per round trip. */
    static final int MARGIN_SEGMENTS = 16;

    private final TcpConnection conn;
    private boolean receiveAuto;
    private boolean sendAuto;
    private final int receiveMin;
    private final int receiveMax;
    private final int sendMin;
    private final int sendMax;

    // receiver RTT
    private long rcvRtt;
    private int rttSeq;
    private long rttStart;
    private boolean rttMeasuring;

    // bytes consumed per round
    private long consumed;
    private long roundStartConsumed;
    private long roundStart;
    private boolean roundStarted;
    /** The most bytes consumed in one round so far. */
    private long perRound;

    BufferSizing(TcpConnection conn, TcpConfig config) {
        this.conn = conn;
        this.receiveAuto = config.receiveBufferAuto();
        this.sendAuto = config.sendBufferAuto();
        this.receiveMin = config.receiveBufferMin();
        this.receiveMax = config.receiveBufferMax();
        this.sendMin = config.sendBufferMin();
        this.sendMax = config.sendBufferMax();
    }

    // ------------------------------------------------------------------ user sizes

    /**
     * SO_RCVBUF: fixes the receive ring at {@code bytes} (at least the configured minimum) and turns receive
     * auto-sizing off. The window already offered is never taken back (RFC 9293 3.8.6.2.2), so the ring does not
     * shrink below the bytes it holds plus that window; the window scale was fixed by the SYN.
     */
    void setReceive(int bytes, long now) {
        receiveAuto = false;
        TcpReceiver rcv = conn.receiver;
        ReceiveBuffer buf = rcv.buffer;
        int keep = Math.min(buf.capacity(), buf.readable() + rcv.rcvWnd());
        buf.resize(Math.max(Math.max(bytes, receiveMin), keep), keep);
        if (conn.receivesData() && rcv.windowUpdateWorthwhile()) {
            rcv.ackNow = true; // a bigger ring: tell the peer at once
            conn.output(now);
            conn.flushEvents();
        }
    }

    /** SO_SNDBUF: fixes the send ring at {@code bytes} (at least the minimum and what it holds); no auto-sizing. */
    void setSend(int bytes) {
        sendAuto = false;
        SendBuffer buf = conn.sender.buffer;
        int before = buf.capacity();
        buf.resize(Math.max(Math.max(bytes, sendMin), buf.size()));
        if (buf.capacity() > before) {
            growScoreboard(buf.capacity());
            wakeWriter();
        }
    }

    private void wakeWriter() {
        TcpSender snd = conn.sender;
        if (snd.writableWanted && conn.state() != TcpState.CLOSED) {
            snd.writableWanted = false;
            conn.signalWritable();
            conn.flushEvents();
        }
    }

    boolean receiveAuto() {
        return receiveAuto;
    }

    boolean sendAuto() {
        return sendAuto;
    }

    /** The RTT estimate the receive side uses (0: none yet). */
    long receiverRtt() {
        if (rcvRtt > 0) {
            return rcvRtt;
        }
        return conn.sender.rtt.hasSample() ? conn.sender.rtt.srtt() : 0;
    }

    // ------------------------------------------------------------------ receive side

    /** In-window data was processed (RCV.NXT may have moved): receiver RTT measurement. */
    void onData(Segment seg, long now) {
        if (!receiveAuto) {
            return;
        }
        long ts = conn.timestamps.rttSample(seg, now);
        if (ts > 0 && seg.payloadLength > 0) {
            sample(ts);
            return;
        }
        TcpReceiver rcv = conn.receiver;
        if (rttMeasuring && geq(rcv.rcvNxt, rttSeq)) {
            sample(now - rttStart);
            rttMeasuring = false;
        }
        if (!rttMeasuring && rcv.rcvWnd() > 0) {
            rttMeasuring = true;
            rttSeq = rcv.rcvNxt + rcv.rcvWnd(); // a full window from now on has arrived: at least one round trip
            rttStart = now;
        }
    }

    private void sample(long r) {
        if (r <= 0) {
            return;
        }
        rcvRtt = rcvRtt == 0 || r < rcvRtt ? r : rcvRtt + (r - rcvRtt) / 8;
    }

    /** The user read {@code n} bytes: once per receiver RTT, size the ring to the rate seen. */
    void onRead(int n, long now) {
        if (!receiveAuto) {
            return;
        }
        consumed += n;
        long rtt = receiverRtt();
        if (!roundStarted) {
            roundStarted = true;
            roundStart = now;
            roundStartConsumed = consumed - n;
            perRound = (long) INITIAL_SEGMENTS * conn.receiver.rcvMss;
            return;
        }
        if (rtt == 0 || now - roundStart < rtt) {
            return;
        }
        long bytes = consumed - roundStartConsumed;
        roundStart = now;
        roundStartConsumed = consumed;
        if (bytes <= perRound) {
            return;
        }
        long window = 2 * bytes + (long) MARGIN_SEGMENTS * conn.receiver.rcvMss;
        window += 2 * window * Math.min(bytes - perRound, perRound) / perRound; // a sender still speeding up
        perRound = bytes;
        growReceive(window);
    }

    private void growReceive(long wanted) {
        TcpReceiver rcv = conn.receiver;
        long limit = Math.min(receiveMax, (long) TcpReceiver.MAX_WINDOW_FIELD << rcv.rcvWscale);
        int target = (int) Math.min(limit, roundUp(wanted));
        ReceiveBuffer buf = rcv.buffer;
        if (target > buf.capacity()) {
            buf.resize(target, buf.capacity());
            conn.layer.extCounters().receiveBufferGrowths++;
        }
    }

    // ------------------------------------------------------------------ send side

    /** Before output: grow the send ring if the writer is held back by it while cwnd would allow more. */
    void beforeOutput() {
        if (growSendRing()) {
            conn.sender.writableWanted = false;
            conn.signalWritable(); // delivered when the caller's work is done
        }
    }

    /**
     * Grows the send ring if the writer is held back by it (writableWanted) while cwnd and the peer's window would
     * allow more in flight. Tells nobody: the caller either signals the writer or, inside the writer's own call,
     * lets it write more at once (TcpConnection.write).
     *
     * @return whether the ring grew
     */
    boolean growSendRing() {
        if (!sendAuto) {
            return false;
        }
        TcpSender snd = conn.sender;
        if (!snd.writableWanted) {
            return false;
        }
        SendBuffer buf = snd.buffer;
        long wanted = 2L * Math.min(snd.cc.cwnd(), Math.max(snd.maxSndWnd, snd.sndWnd));
        if (wanted <= buf.capacity() || buf.capacity() >= sendMax) {
            return false;
        }
        int target = (int) Math.min(sendMax, Math.max(roundUp(wanted), 2L * buf.capacity()));
        buf.resize(target);
        growScoreboard(target);
        conn.layer.extCounters().sendBufferGrowths++;
        return true;
    }

    /** The scoreboard follows every segment in flight: room for what a ring of this size can send. */
    private void growScoreboard(int ringBytes) {
        conn.sender.board.ensureCapacity(TcpSender.scoreboardCapacity(ringBytes));
    }

    private static long roundUp(long bytes) {
        return (bytes + GRANULE - 1) / GRANULE * GRANULE;
    }
}
