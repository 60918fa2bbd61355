/*
 * TcpSender: the send half of a connection (RFC 9293 3.3.1 send sequence variables SND.UNA, SND.NXT, SND.WND,
 * SND.WL1, SND.WL2, ISS): segmentation of the send ring under the peer's window and the congestion window, Nagle's
 * algorithm and sender SWS avoidance (RFC 1122 4.2.3.4, RFC 9293 3.7.4 / 3.8.6.2.1), the ACK processing of RFC 9293
 * 3.10.7.4 "fifth" (with RFC 5961 5.2 ACK validation), the retransmission timer of RFC 6298 with Karn's rule or
 * RFC 7323 timestamps (RTTM), the persist timer with zero-window probes (PersistTimer) and
 * the R2 give-up (RFC 1122 4.2.3.5; the user timeout is in UserTimeout). Loss recovery is delegated to a LossRecovery:
 * RenoRecovery (RFC 5681 3.2, RFC 6582, RFC 3042) without SACK, SackRecovery (RFC 6675, RFC 8985 RACK-TLP) with it;
 * this class sends what they decide (NextSeg retransmissions; tail loss probes through LossTimer). Every segment in
 * flight has a record in the SackScoreboard (with or without SACK), which also feeds the delivery rate samples
 * (DeliveryRate) handed to the congestion control after each ACK; a control that sets a pacing rate (BBR) is paced by
 * the Pacer.
 *
 * Beyond the RFC variables this keeps sndMax, the highest sequence number sent: after a retransmission timeout
 * SND.NXT goes back to SND.UNA (go-back-N) while sndMax stays, as in BSD.
 */
package io.ustack.tcp;

import io.ustack.engine.StackCounters;
import io.ustack.engine.Timer;
import io.ustack.engine.TimerWheel;
import io.ustack.spi.WsaError;
import io.ustack.wire.TcpSegment;

import static io.ustack.tcp.SequenceNumbers.geq;
import static io.ustack.tcp.SequenceNumbers.gt;
import static io.ustack.tcp.SequenceNumbers.leq;
import static io.ustack.tcp.SequenceNumbers.lt;

/** Send state of one connection. Engine thread only. */
final class TcpSender {
    /** RFC 9293 3.7.1 / RFC 1122 4.2.2.6: the send MSS when the peer sends no MSS option. */
    static final int DEFAULT_MSS = 536;
    /** The smallest send MSS we accept from a peer (tiny MSS values only cost CPU; Linux uses 48 too). */
    static final int MIN_MSS = 48;

    private final TcpConnection conn;
    private final TimerWheel timers;
    private final StackCounters counters;
    private final int maxRetries;
    private final int synRetries;
    private final long rtoMaxNanos;
    final SendBuffer buffer;
    final RttEstimator rtt;
    final CongestionControl cc;
    final Timer rtoTimer;
    final PersistTimer persistTimer;
    /** RACK reordering timer (RFC 8985 6.3) or tail loss probe timer (RFC 8985 7.2). */
    final LossTimer lossTimer;
    final Pacer pacer;
    /** A record of every segment in flight (the SACK scoreboard; without SACK only cumulative ACKs remove them). */
    final SackScoreboard board;
    private final TcpConfig config;
    /** RenoRecovery, or SackRecovery once SACK-permitted was exchanged. */
    LossRecovery recovery;
    /** The SACK recovery (null without SACK). */
    SackRecovery sack;
    /** Spurious-episode detection (D-SACK, F-RTO) and the undo of its reduction (SACK, or F-RTO without it). */
    final RecoveryUndo undo = new RecoveryUndo();

    /** ISS */
    int iss;
    /** SND.UNA */
    int sndUna;
    /** SND.NXT: the next sequence number to (re)send. */
    int sndNxt;
    /** The highest sequence number sent so far, plus one. */
    int sndMax;
    /** End of the last sub-MSS segment sent (Minshall's SND.SML, draft-minshall-nagle). */
    int sndSml;
    /** SND.WND in bytes (already scaled). */
    int sndWnd;
    /** SND.WL1, SND.WL2 */
    int sndWl1;
    int sndWl2;
    /** MAX.SND.WND of RFC 5961 and of sender SWS avoidance: the largest window the peer offered. */
    int maxSndWnd;
    /** Snd.Wind.Shift of RFC 7323 (0 unless both SYNs carried the option). */
    int sndWscale;
    /** Effective send MSS: the most payload per segment (RFC 9293 3.7.1, less the per-segment options). */
    int smss;
    /** Option bytes every segment carries (12 with RFC 7323 timestamps), taken off the MSS. */
    int segmentOptionBytes;
    /** Sequence number of the first byte in {@link #buffer}. */
    private int bufferSeq;
    boolean finQueued;
    /** Sequence number of our FIN once queued. */
    int finSeq;
    /** When data was last sent (RFC 5681 4.1 restart after idle), and whether the rule applies. */
    private long lastDataSentAt;
    private final boolean restartAfterIdle;
    /** Nagle's algorithm (TCP_NODELAY off). */
    boolean nagle = true;
    /** write() accepted less than asked: tell the user when room frees up. */
    boolean writableWanted;

    // RFC 6298 / Karn: one segment timed at a time, never a retransmitted one
    private boolean timing;
    private int timedSeq;
    private long timedAt;
    boolean synRetransmitted;

    /** Fast recovery (RFC 5681 / RFC 6582 / RFC 6675) or, with SACK, timeout recovery is in progress. */
    boolean inRecovery;

    /** Tail loss probes sent (RFC 8985 7.3). */
    int lossProbes;
    /** Retransmission timeouts after the handshake (statistics, tests). */
    int timeouts;
    /** Consecutive retransmission timeouts without progress (R2 counter). */
    int retries;

    TcpSender(TcpConnection conn, TcpConfig config, TimerWheel timers, StackCounters counters, int iss, int smss) {
        this.conn = conn;
        this.timers = timers;
        this.counters = counters;
        this.maxRetries = config.maxRetries();
        this.synRetries = config.synRetries();
        this.rtoMaxNanos = config.rtoMaxNanos();
        this.buffer = new SendBuffer(config.allocator(), config.sendBufferSize());
        this.rtt = new RttEstimator(config.rtoInitialNanos(), config.rtoMinNanos(), config.rtoMaxNanos());
        this.smss = smss;
        this.cc = config.congestionControl().create(smss, config);
        this.rtoTimer = conn.timers.timer(ConnectionTimers.Kind.RETRANSMIT);
        this.persistTimer = new PersistTimer(this, timers, conn.timers.timer(ConnectionTimers.Kind.PERSIST), maxRetries,
                rtoMaxNanos);
        this.lossTimer = new LossTimer(this, timers, conn.timers.timer(ConnectionTimers.Kind.LOSS));
        this.pacer = new Pacer(timers, conn.timers.timer(ConnectionTimers.Kind.PACING));
        this.config = config;
        this.restartAfterIdle = config.slowStartAfterIdle();
        // one record per segment in flight: the send buffer in segments of at least 512 bytes, at most 8192
        this.board = new SackScoreboard(scoreboardCapacity(buffer.capacity()));
        this.iss = iss;
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndMax = iss;
        this.sndSml = iss;
        this.bufferSeq = iss + 1; // the SYN takes ISS; data starts after it
        this.recovery = new RenoRecovery(this, iss, config);
    }

    /** Scoreboard records for a send ring of {@code sendBufferBytes} (it grows with the ring, BufferSizing). */
    static int scoreboardCapacity(int sendBufferBytes) {
        return Math.min(8192, Math.max(64, sendBufferBytes / 512 + 16));
    }

    /**
     * The negotiated send MSS (RFC 9293 3.7.1: the peer's MSS option, or 536, bounded by ours), less the options
     * every segment carries ({@link #segmentOptionBytes}).
     */
    void mss(int peerMss, int ourMss) {
        int m = peerMss > 0 ? peerMss : DEFAULT_MSS;
        smss = Math.max(MIN_MSS, Math.min(m, ourMss) - segmentOptionBytes);
        cc.mss(smss);
    }

    /** Whether both SYNs carried SACK-permitted (RFC 2018 section 2): selects the loss recovery. */
    void sackPermitted(boolean on) {
        if (on && sack == null) {
            sack = new SackRecovery(this, board, config);
            recovery = sack;
        } else if (!on && sack != null) {
            sack = null;
            recovery = new RenoRecovery(this, iss, config);
        }
    }

    boolean connectionSynchronized() {
        return conn.state().isSynchronized();
    }

    TcpExtCounters extCounters() {
        return conn.layer.extCounters();
    }

    Timestamps timestamps() {
        return conn.timestamps;
    }

    void stopTiming() {
        timing = false;
    }

    /** FlightSize of RFC 5681: sent and not yet acknowledged. */
    int flightSize() {
        return sndMax - sndUna;
    }

    /** Data (not SYN/FIN) sent and not yet acknowledged, or still unsent: what the send ring holds. */
    int buffered() {
        return buffer.size();
    }

    /** Bytes of the ring not yet sent at all. */
    int unsent() {
        int u = buffer.size() - (sndNxt - bufferSeq);
        return Math.max(u, 0);
    }

    /** FIN queued and not sent from the current SND.NXT on. */
    boolean finUnsent() {
        return finQueued && leq(sndNxt, finSeq);
    }

    boolean finAcked() {
        return finQueued && gt(sndUna, finSeq);
    }

    /** Everything queued (data and a queued FIN) has been acknowledged. */
    boolean allAcked() {
        return sndUna == sndMax && unsent() == 0 && !finUnsent();
    }

    /** Queues our FIN after every byte written so far (RFC 9293 3.10.4 CLOSE). */
    void queueFin() {
        if (!finQueued) {
            finQueued = true;
            finSeq = bufferSeq + buffer.size();
        }
    }

    // ------------------------------------------------------------------ handshake

    /** Sends (or re-sends) our SYN, as SYN-ACK when a peer SYN was received. Arms the retransmission timer. */
    void sendSyn(boolean withAck, long now) {
        conn.emit(iss, withAck ? TcpSegment.SYN | TcpSegment.ACK : TcpSegment.SYN, 0, 0, now);
        if (sndMax == iss) {
            sndNxt = iss + 1;
            sndMax = iss + 1;
            timing = true;
            timedSeq = iss + 1;
            timedAt = now;
        }
        if (!rtoTimer.isArmed()) {
            timers.schedule(rtoTimer, now + rtt.rto());
        }
    }

    /**
     * Our SYN is acknowledged (RFC 9293 3.10.7.3 SYN-SENT "fourth", or 3.10.7.4 SYN-RECEIVED "fifth"): SND.UNA
     * moves past it and the send window is taken from the segment ({@code scaled}: not a SYN).
     */
    void onSynAcked(Segment seg, boolean scaled, long now) {
        sndUna = seg.ack;
        if (lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        long tsRtt = conn.timestamps.rttSample(seg, now);
        if (tsRtt >= 0) {
            rtt.sample(tsRtt); // RFC 7323 4.1
            timing = false;
        } else if (timing && geq(seg.ack, timedSeq)) {
            rtt.sample(now - timedAt);
            timing = false;
        }
        if (synRetransmitted) {
            rtt.onSynRetransmittedHandshakeDone();
        }
        retries = 0;
        sndWnd = scaled ? scaledWindow(seg.window) : seg.window;
        maxSndWnd = sndWnd;
        sndWl1 = seg.seq;
        sndWl2 = seg.ack;
        timers.cancel(rtoTimer);
    }

    private int scaledWindow(int field) {
        return field << sndWscale; // at most 65535 << 14, below 2^30
    }

    // ------------------------------------------------------------------ ACK processing

    /**
     * RFC 9293 3.10.7.4 "fifth, check the ACK field" for ESTABLISHED and later states.
     *
     * @return false if the segment is to be dropped (an ACK has been requested where the RFC says so)
     */
    boolean processAck(Segment seg, long now) {
        int ack = seg.ack;
        if (gt(ack, sndMax)) {
            conn.challengeAck(now); // acknowledges something not yet sent (RFC 5961 5.2, throttled per 7)
            return false;
        }
        if (lt(ack, sndUna - Math.max(maxSndWnd, 1))) {
            conn.challengeAck(now); // RFC 5961 5.2: older than SND.UNA - MAX.SND.WND
            return false;
        }
        persistTimer.onAck();
        board.beginAck(now);
        int newWnd = scaledWindow(seg.window);
        boolean duplicate = ack == sndUna && seg.payloadLength == 0
                && (seg.flags & (TcpSegment.SYN | TcpSegment.FIN)) == 0 && newWnd == sndWnd && sndMax != sndUna;
        // window update: SND.UNA =< SEG.ACK and (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK))
        if (geq(ack, sndUna) && (lt(sndWl1, seg.seq) || (sndWl1 == seg.seq && leq(sndWl2, ack)))) {
            if (newWnd > sndWnd) {
                persistTimer.onWindowGrew();
            }
            sndWnd = newWnd;
            sndWl1 = seg.seq;
            sndWl2 = ack;
            maxSndWnd = Math.max(maxSndWnd, newWnd);
        }
        if (gt(ack, sndUna)) {
            newAck(seg, ack, now);
        } else if (recovery.onAck(seg, 0, duplicate, now) && !rtoTimer.isArmed() && sndUna != sndMax) {
            timers.schedule(rtoTimer, now + rtt.rto());
        }
        DeliveryRate rate = board.rate();
        if (rate.hasSample()) {
            boolean valid = rate.generate();
            int lost = board.newlyLostBytes;
            board.newlyLostBytes = 0;
            cc.onDelivered(rate, valid, lost, recovery.inFlight(), now);
        }
        return true;
    }

    /** An RTT measurement: for the congestion control and the delivery rate estimator. */
    void onRttMeasured(long sample, int ack, long now) {
        board.rate().onRttSample(sample);
        cc.onRttSample(sample, ack, sndMax, now);
    }

    private void newAck(Segment seg, int ack, long now) {
        int acked = ack - sndUna;
        if (gt(ack, bufferSeq)) {
            int n = Math.min(ack - bufferSeq, buffer.size());
            buffer.consume(n);
            bufferSeq += n;
            if (writableWanted && (buffer.free() >= buffer.capacity() / 4 || buffer.size() == 0)) {
                writableWanted = false;
                conn.signalWritable();
            }
        }
        sndUna = ack;
        if (sack == null) {
            board.cumulativeAck(ack); // SackRecovery does it itself, before the SACK blocks
        }
        if (lt(sndNxt, sndUna)) {
            sndNxt = sndUna; // a late ACK for data sent before a timeout's go-back-N
        }
        retries = 0;
        long sample = conn.timestamps.rttSample(seg, now);
        if (sample >= 0) {
            // RFC 7323 4.1 and Appendix G: every ACK of new data measures; weigh by the samples per window
            rtt.sample(sample, Math.max(1, (flightSize() + acked + 2 * smss - 1) / (2 * smss)));
            timing = false;
        } else if (timing && geq(ack, timedSeq)) {
            sample = now - timedAt;
            rtt.sample(sample); // RFC 6298 with Karn's rule: the timed segment was never retransmitted
            timing = false;
        }
        if (sample >= 0 && sack == null) {
            onRttMeasured(sample, ack, now);
        }
        boolean restartTimer = recovery.onAck(seg, acked, false, now);
        if (sndUna == sndMax) {
            timers.cancel(rtoTimer); // RFC 6298 5.2
        } else if (restartTimer) {
            timers.schedule(rtoTimer, now + rtt.rto()); // RFC 6298 5.3
        }
    }

    // ------------------------------------------------------------------ output

    /**
     * Sends whatever the windows, Nagle and SWS avoidance allow; manages the persist timer. The segments of one call
     * are one burst of the SegmentWriter (merged into super-segments on a link with segmentation offload).
     */
    void output(long now) {
        SegmentWriter writer = conn.layer.writer();
        writer.beginBurst();
        try {
            burst(now);
        } finally {
            writer.endBurst();
        }
    }

    private void burst(long now) {
        if (restartAfterIdle && sndUna == sndMax && lastDataSentAt != 0 && now - lastDataSentAt > rtt.rto()
                && unsent() > 0) {
            cc.onIdleRestart(now); // RFC 5681 4.1: nothing sent for longer than an RTO
            lastDataSentAt = 0;
        }
        long pacingRate = cc.pacingRate();
        while (true) {
            if (sack != null) {
                // RFC 6675 NextSeg rule 1 under "cwnd - pipe >= 1 SMSS" (section 5 step (C))
                int i = sack.nextLost();
                if (i >= 0) {
                    // the first retransmission of a recovery is not held back by cwnd, and a timeout's not by the
                    // pacer either: a retransmission timer that fires must put a segment on the wire (as Linux)
                    boolean timeoutRetransmission = sack.forceRetransmit && sack.rtoRecovery;
                    if (!sack.forceRetransmit && recovery.window(cc.cwnd()) - recovery.inFlight() < smss
                            || !timeoutRetransmission && !pacer.mayTransmit(pacingRate, now)) {
                        break;
                    }
                    sack.forceRetransmit = false;
                    retransmitRecord(i, now);
                    continue;
                }
            }
            int unsent = unsent();
            boolean finUnsent = finUnsent();
            if (unsent < smss && !finUnsent && recovery.inFlight() < cc.cwnd() && board.lostBytes == 0) {
                board.rate().markAppLimited(recovery.inFlight()); // delivery rate draft section 3.4
            }
            if (unsent == 0 && !finUnsent) {
                break;
            }
            if (board.full()) {
                break; // as many segments in flight as the scoreboard can follow
            }
            int room = Math.min(sndWnd - (sndNxt - sndUna), recovery.window(cc.cwnd()) - recovery.inFlight());
            int len = Math.min(Math.min(unsent, smss), Math.max(room, 0));
            if (unsent > 0) {
                if (len <= 0) {
                    break; // the peer's window or cwnd is full
                }
                if (len < smss) {
                    boolean all = len == unsent;
                    // Minshall's variant of Nagle (as Linux): hold a small segment only while an earlier small
                    // segment is unacknowledged, so the tail of a large write never waits for a delayed ACK.
                    boolean smallInFlight = gt(sndSml, sndUna) && leq(sndSml, sndMax);
                    // RFC 1122 4.2.3.4: send a partial segment only if it empties the queue and Nagle allows it
                    // (no small segment unacknowledged, Nagle off, or the FIN follows), or if it is at least half of
                    // the largest window the peer ever offered
                    boolean ok = (all && (!smallInFlight || !nagle || finUnsent)) || len >= maxSndWnd / 2;
                    if (!ok) {
                        break;
                    }
                }
            } else if (room <= 0) {
                break; // a lone FIN also waits for the window
            }
            if (!pacer.mayTransmit(pacingRate, now)) {
                break;
            }
            transmit(sndNxt, len, finUnsent && len == unsent, now);
        }
        persistTimer.update(sndMax == sndUna && (unsent() > 0 || finUnsent()), now);
        lossTimer.schedulePto(now);
    }

    /** Sends [seq, seq+len) of the ring (plus our FIN if {@code fin}) and does the bookkeeping. */
    void transmit(int seq, int len, boolean fin, long now) {
        int flags = TcpSegment.ACK;
        if (fin) {
            flags |= TcpSegment.FIN;
        }
        int dataOffset = seq - bufferSeq;
        if (len > 0 && dataOffset + len == buffer.size()) {
            flags |= TcpSegment.PSH; // the segment empties the send queue
        }
        boolean retransmission = lt(seq, sndMax);
        conn.emit(seq, flags, dataOffset, len, now);
        if (len > 0) {
            lastDataSentAt = now | 1; // never 0: 0 means "nothing sent yet"
        }
        pacer.onTransmit(len, cc.pacingRate(), now);
        recovery.onTransmit(len + (fin ? 1 : 0));
        if (retransmission) {
            counters.tcpRetransmits++;
            if (sack == null) {
                int i = board.indexOf(seq); // the rate snapshot of a go-back-N or fast retransmission
                if (i >= 0 && board.start(i) == seq) {
                    board.markRetransmitted(i, now);
                }
            }
        }
        int end = seq + len + (fin ? 1 : 0);
        if (len > 0 && len < smss) {
            sndSml = seq + len;
        }
        if (gt(end, sndNxt)) {
            sndNxt = end;
        }
        if (gt(end, sndMax)) {
            board.append(seq, end, now);
            if (!timing && !retransmission) {
                timing = true;
                timedSeq = end;
                timedAt = now;
            }
            sndMax = end;
        }
        if (!rtoTimer.isArmed()) {
            timers.schedule(rtoTimer, now + rtt.rto()); // RFC 6298 5.1
        }
    }

    /** Retransmits scoreboard record {@code i} (cut to one SMSS if the MSS shrank since). */
    void retransmitRecord(int i, long now) {
        int start = board.start(i);
        boolean fin = finQueued && board.end(i) == finSeq + 1;
        int len = board.end(i) - start - (fin ? 1 : 0);
        if (len > smss) {
            board.split(i, smss);
            len = board.end(i) - start;
            fin = false;
        }
        board.markRetransmitted(i, now);
        undo.onRetransmit();
        transmit(start, len, fin, now);
    }

    /**
     * Retransmits the first unacknowledged segment (RFC 6298 5.4, RFC 5681 3.2 step 2, RFC 6582 partial ACK),
     * regardless of the windows, never going past what was sent before.
     */
    void retransmitHead(long now) {
        int dataOffset = sndUna - bufferSeq;
        int sentData = Math.min(buffer.size(), (finQueued && geq(sndMax, finSeq) ? finSeq : sndMax) - bufferSeq);
        int len = Math.max(0, Math.min(smss, sentData - dataOffset));
        boolean fin = finQueued && gt(sndMax, finSeq) && sndUna + len == finSeq;
        if (len == 0 && !fin) {
            return;
        }
        transmit(sndUna, len, fin, now);
    }

    // ------------------------------------------------------------------ timers

    /** RFC 6298 5.4-5.7: the retransmission timer expired. */
    void onRetransmitTimer(long now) {
        if (sndUna == sndMax) {
            return;
        }
        retries++;
        boolean handshake = !conn.state().isSynchronized();
        int limit = handshake ? synRetries : maxRetries;
        if (retries > limit) { // the user timeout has its own timer (UserTimeout)
            conn.giveUp(WsaError.WSAETIMEDOUT, now);
            return;
        }
        timing = false; // Karn's rule
        rtt.backOff();  // 5.5
        if (handshake) {
            synRetransmitted = true;
            counters.tcpRetransmits++;
            sendSyn(conn.state() == TcpState.SYN_RECEIVED, now);
            return;
        }
        timeouts++;
        extCounters().retransmitTimeouts++;
        // RFC 5681 3.1 equation 4 and the loss window; then the recovery retransmits (go-back-N without SACK,
        // every segment not SACKed with it)
        if (sack != null || config.frto()) { // RenoRecovery ends it unless F-RTO begins
            undo.begin(sndUna, cc.cwnd(), cc.ssthresh());
        }
        // ssthresh is computed once per loss episode: not again for a timer that retransmits again, nor for a
        // timeout inside a fast recovery whose entry already reduced it (RFC 5681 3.1's one reduction per window
        // of loss; a second cut for the same losses is what collapses the window on a lossy path)
        boolean inFastRecovery = inRecovery && (sack == null || !sack.rtoRecovery);
        cc.onRetransmitTimeout(flightSize(), retries > 1 || inFastRecovery, now);
        lossTimer.cancel();
        recovery.onRetransmitTimeout(now);
        board.newlyLostBytes = 0; // the timeout itself reset the window: not also losses of the next ACK
    }

    /** A probe or keep-alive style segment without data at {@code seq}. */
    void emitProbe(int seq, int flags, long now) {
        conn.emit(seq, flags, 0, 0, now);
    }

    void giveUp(int wsaError, long now) {
        conn.giveUp(wsaError, now);
    }

    /** Stops the timers and returns the ring. */
    void release() {
        timers.cancel(rtoTimer);
        persistTimer.cancel();
        lossTimer.cancel();
        pacer.cancel();
        buffer.release();
    }

    void stopTimers() {
        timers.cancel(rtoTimer);
        persistTimer.cancel();
        lossTimer.cancel();
        pacer.cancel();
    }

    @Override
    public String toString() {
        return "snd[una=" + Integer.toUnsignedString(sndUna - iss) + " nxt=" + Integer.toUnsignedString(sndNxt - iss)
                + " max=" + Integer.toUnsignedString(sndMax - iss) + " wnd=" + sndWnd + " buffered=" + buffer.size()
                + " " + cc + " " + recovery + " rto=" + rtt.rto() / 1_000_000 + "ms]";
    }
}
