/*
 * TcpConfig: the tunables of a TCP layer: MSS (RFC 9293 3.7.1), buffer sizes (SO_SNDBUF / SO_RCVBUF, hence the
 * window scale of RFC 7323 section 2), RTO bounds (RFC 6298), MSL and TIME-WAIT (RFC 9293 3.4.2), retry limits
 * (RFC 1122 4.2.3.5 R2 and the SYN R2), delayed ACK (RFC 1122 4.2.3.2 / RFC 5681 4.2), congestion control, the
 * ephemeral port range (RFC 6056 / IANA 49152-65535), keep-alives (RFC 9293 3.8.4, RFC 1122 4.2.3.6), the user
 * timeout (RFC 9293 3.8.3, RFC 5482), the RFC 5961 section 7 challenge ACK limit, the SYN backlog and SYN cookies
 * (RFC 4987 3.1 / 3.6), the smallest path MTU ICMP may impose (RFC 1191 3) and buffer auto-sizing bounds.
 * Each direction's ring sizes are a BufferSizeConfig; the setters' argument checks are in ConfigChecks.
 */
package io.ustack.tcp;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.time.Duration;
import java.util.Objects;

/**
 * Fluent, mutable configuration; a {@link TcpLayer} copies what it needs when a connection is created, so changing a
 * config later affects only new connections. Defaults follow common practice (Linux values where RFCs leave a choice).
 */
public final class TcpConfig {
    private int mss; // 0: derive from the interface MTU
    private BufferSizeConfig sendBuffer = BufferSizeConfig.DEFAULT;
    private BufferSizeConfig receiveBuffer = BufferSizeConfig.DEFAULT;
    private boolean keepAlive;
    private long keepAliveIdleNanos = Duration.ofHours(2).toNanos();
    private long keepAliveIntervalNanos = Duration.ofSeconds(75).toNanos();
    private int keepAliveCount = 9;
    private int challengeAckLimit = 1000;
    private int synBacklog = 1024;
    private boolean synCookies = true;
    private int minPathMtu = 552;
    private long rtoInitialNanos = Duration.ofSeconds(1).toNanos();
    private long rtoMinNanos = Duration.ofMillis(200).toNanos();
    private long rtoMaxNanos = Duration.ofSeconds(60).toNanos();
    private long mslNanos = Duration.ofSeconds(30).toNanos();
    private int maxRetries = 15;
    private long userTimeoutNanos; // 0: only maxRetries
    private int synRetries = 6;
    private long delayedAckNanos = Duration.ofMillis(40).toNanos();
    private long finWait2TimeoutNanos = Duration.ofSeconds(60).toNanos();
    private boolean windowScaling = true;
    private int maxOutOfOrderRanges = 256;
    private CongestionAlgorithm congestionControl = CongestionAlgorithm.CUBIC;
    // RFC 7323 timestamps, RFC 2018 SACK, RFC 8985 RACK-TLP, RFC 9406 HyStart++, quick-ack in slow start
    private boolean timestamps = true;
    private boolean sack = true;
    private boolean rackTlp = true;
    private boolean prr = true;
    private boolean frto = true;
    private InitialWindow initialWindow = InitialWindow.RFC6928;
    private boolean slowStartAfterIdle = true;
    private boolean hystart = true;
    private boolean quickAck = true;
    private int ephemeralPortFirst = 49152;
    private int ephemeralPortLast = 65535;
    private ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;

    public TcpConfig() {
    }

    /** A copy of {@code other}. */
    public TcpConfig(TcpConfig other) {
        mss = other.mss;
        sendBuffer = other.sendBuffer;
        receiveBuffer = other.receiveBuffer;
        keepAlive = other.keepAlive;
        keepAliveIdleNanos = other.keepAliveIdleNanos;
        keepAliveIntervalNanos = other.keepAliveIntervalNanos;
        keepAliveCount = other.keepAliveCount;
        challengeAckLimit = other.challengeAckLimit;
        synBacklog = other.synBacklog;
        synCookies = other.synCookies;
        minPathMtu = other.minPathMtu;
        rtoInitialNanos = other.rtoInitialNanos;
        rtoMinNanos = other.rtoMinNanos;
        rtoMaxNanos = other.rtoMaxNanos;
        mslNanos = other.mslNanos;
        maxRetries = other.maxRetries;
        userTimeoutNanos = other.userTimeoutNanos;
        synRetries = other.synRetries;
        delayedAckNanos = other.delayedAckNanos;
        finWait2TimeoutNanos = other.finWait2TimeoutNanos;
        windowScaling = other.windowScaling;
        maxOutOfOrderRanges = other.maxOutOfOrderRanges;
        congestionControl = other.congestionControl;
        timestamps = other.timestamps;
        sack = other.sack;
        rackTlp = other.rackTlp;
        prr = other.prr;
        frto = other.frto;
        initialWindow = other.initialWindow;
        slowStartAfterIdle = other.slowStartAfterIdle;
        hystart = other.hystart;
        quickAck = other.quickAck;
        ephemeralPortFirst = other.ephemeralPortFirst;
        ephemeralPortLast = other.ephemeralPortLast;
        allocator = other.allocator;
    }

    /** The MSS we announce and the upper bound of what we send; 0 (default) means interface MTU - 40. */
    public TcpConfig mss(int mss) {
        this.mss = mss == 0 ? 0 : ConfigChecks.inRange("mss", mss, 64, 65495);
        return this;
    }

    /**
     * SO_SNDBUF: a fixed size for the send ring (unacknowledged plus unsent bytes); turns send buffer auto-sizing
     * off, as setting SO_SNDBUF does on Linux.
     */
    public TcpConfig sendBufferSize(int bytes) {
        this.sendBuffer = sendBuffer.fixed(bytes);
        return this;
    }

    /**
     * SO_RCVBUF: a fixed size for the receive ring; the advertised window never exceeds it and the window scale is
     * chosen for it. Turns receive buffer auto-sizing off, as setting SO_RCVBUF does on Linux.
     */
    public TcpConfig receiveBufferSize(int bytes) {
        this.receiveBuffer = receiveBuffer.fixed(bytes);
        return this;
    }

    /**
     * Send buffer auto-sizing (the default, like Linux's tcp_wmem): the ring starts at {@code initial} bytes and
     * grows with the congestion window (to about two windows) up to {@code max}; {@code min} is the smallest size a
     * connection's setter accepts. Default 4 KiB / 256 KiB / 4 MiB.
     */
    public TcpConfig sendBufferAuto(int min, int initial, int max) {
        this.sendBuffer = BufferSizeConfig.auto(min, initial, max);
        return this;
    }

    /**
     * Receive buffer auto-sizing (the default, like Linux's tcp_rmem with tcp_moderate_rcvbuf): the ring starts at
     * {@code initial} bytes and grows to about twice what the application reads per round trip, up to {@code max};
     * the window scale offered in the SYN is chosen for {@code max}. {@code min} is the smallest size a connection's
     * setter accepts. Default 4 KiB / 256 KiB / 4 MiB.
     */
    public TcpConfig receiveBufferAuto(int min, int initial, int max) {
        this.receiveBuffer = BufferSizeConfig.auto(min, initial, max);
        return this;
    }

    /** RFC 6298 2.1 initial RTO (1 s). */
    public TcpConfig rtoInitial(Duration d) {
        this.rtoInitialNanos = ConfigChecks.positive(d);
        return this;
    }

    /** RFC 6298 2.4 lower bound (default 200 ms as Linux; the RFC's conservative value is 1 s). */
    public TcpConfig rtoMin(Duration d) {
        this.rtoMinNanos = ConfigChecks.positive(d);
        return this;
    }

    /** RFC 6298 2.5 upper bound (60 s). */
    public TcpConfig rtoMax(Duration d) {
        this.rtoMaxNanos = ConfigChecks.positive(d);
        return this;
    }

    /** Maximum segment lifetime; TIME-WAIT lasts 2*MSL (RFC 9293 3.4.2). Default 30 s. */
    public TcpConfig msl(Duration d) {
        this.mslNanos = ConfigChecks.positive(d);
        return this;
    }

    /** Consecutive retransmission timeouts (or unanswered zero-window probes) before WSAETIMEDOUT (R2). */
    public TcpConfig maxRetries(int n) {
        this.maxRetries = ConfigChecks.atLeast("maxRetries", n, 1);
        return this;
    }

    /**
     * RFC 9293 3.8.3 user timeout (RFC 5482 1: how long transmitted data may remain unacknowledged): give up with
     * WSAETIMEDOUT when the oldest unacknowledged byte (or the SYN) was sent this long ago, or when zero-window probes
     * have gone unanswered this long (0 = only maxRetries).
     */
    public TcpConfig userTimeout(Duration d) {
        long nanos = d.toNanos();
        if (nanos < 0) {
            throw new IllegalArgumentException("userTimeout " + d); // and the setting keeps its value
        }
        this.userTimeoutNanos = nanos;
        return this;
    }

    /** SYN (or SYN-ACK) retransmissions before connect fails with WSAETIMEDOUT. */
    public TcpConfig synRetries(int n) {
        this.synRetries = ConfigChecks.atLeast("synRetries", n, 0);
        return this;
    }

    /** Delayed ACK timeout (RFC 1122 4.2.3.2: at most 500 ms); zero turns delayed ACKs off. */
    public TcpConfig delayedAck(Duration d) {
        this.delayedAckNanos = ConfigChecks.nanosInRange("delayedAck", d, 0, 500_000_000L);
        return this;
    }

    /** How long a closed connection may wait in FIN-WAIT-2 for the peer's FIN. */
    public TcpConfig finWait2Timeout(Duration d) {
        this.finWait2TimeoutNanos = ConfigChecks.positive(d);
        return this;
    }

    /** Whether to offer the RFC 7323 window scale option (default on). */
    public TcpConfig windowScaling(boolean on) {
        this.windowScaling = on;
        return this;
    }

    /**
     * How many separate out-of-order byte ranges the receiver keeps (default 256; segments that would need more are
     * dropped and retransmitted, text at RCV.NXT is always taken). Under 10% loss with a window of a few MiB the
     * holes number in the hundreds: with 32, Linux sending 256 MiB to us through that loss sent 3-6% more segments
     * than with 256, and one run in four went at a tenth of the speed.
     */
    public TcpConfig maxOutOfOrderRanges(int n) {
        this.maxOutOfOrderRanges = ConfigChecks.inRange("maxOutOfOrderRanges", n, 1, 1024);
        return this;
    }

    public TcpConfig congestionControl(CongestionAlgorithm algorithm) {
        this.congestionControl = java.util.Objects.requireNonNull(algorithm);
        return this;
    }

    /** Whether to offer and accept the RFC 7323 timestamps option (default on): RTTM and PAWS. */
    public TcpConfig timestamps(boolean on) {
        this.timestamps = on;
        return this;
    }

    /** Whether to offer and accept SACK (RFC 2018, default on); with it, loss recovery follows RFC 6675. */
    public TcpConfig sack(boolean on) {
        this.sack = on;
        return this;
    }

    /** RFC 8985 RACK-TLP time-based loss detection and tail loss probes (default on; needs SACK). */
    public TcpConfig rackTlp(boolean on) {
        this.rackTlp = on;
        return this;
    }

    /**
     * RFC 9937 Proportional Rate Reduction during fast recovery, with SACK or NewReno without it (default on): sending
     * follows the ACK clock in proportion to ssthresh / RecoverFS. Off: RFC 6675 alone (cwnd = ssthresh at once,
     * silence until pipe is below), and without SACK RFC 5681's cwnd inflation by each duplicate ACK.
     */
    public TcpConfig prr(boolean on) {
        this.prr = on;
        return this;
    }

    /**
     * RFC 5682 F-RTO (default on; with SACK): after a timeout, new data instead of more retransmissions tells a
     * spurious timeout (late, not lost, segments) from a real one, and a spurious one is undone.
     */
    public TcpConfig frto(boolean on) {
        this.frto = on;
        return this;
    }

    /** The initial congestion window: RFC 6928's ten segments (default) or RFC 3390's. */
    public TcpConfig initialWindow(InitialWindow iw) {
        this.initialWindow = Objects.requireNonNull(iw, "initialWindow");
        return this;
    }

    /**
     * RFC 5681 4.1 (default on, as Linux's tcp_slow_start_after_idle): after more than an RTO without sending, a
     * loss-based sender restarts from min(IW, cwnd) instead of bursting its old window into a path it no longer
     * knows.
     */
    public TcpConfig slowStartAfterIdle(boolean on) {
        this.slowStartAfterIdle = on;
        return this;
    }

    /** RFC 9406 HyStart++ in slow start for CUBIC (default on). */
    public TcpConfig hystart(boolean on) {
        this.hystart = on;
        return this;
    }

    /** Acknowledge every segment at the start of a connection (the peer's slow start), as Linux's quick-ack mode. */
    public TcpConfig quickAck(boolean on) {
        this.quickAck = on;
        return this;
    }

    /** The ports {@code connect} picks from when asked for port 0. */
    public TcpConfig ephemeralPorts(int first, int last) {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("ephemeral range " + first + ".." + last);
        }
        this.ephemeralPortFirst = first;
        this.ephemeralPortLast = last;
        return this;
    }

    /** SO_KEEPALIVE for new connections (default off, RFC 1122 4.2.3.6). */
    public TcpConfig keepAlive(boolean on) {
        this.keepAlive = on;
        return this;
    }

    /**
     * Keep-alive timing (RFC 1122 4.2.3.6, RFC 9293 3.8.4; Linux's TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT): the
     * first probe after {@code idle} without any segment from the peer, then one every {@code interval}; after
     * {@code count} unanswered probes the connection ends with WSAETIMEDOUT. Defaults 2 h, 75 s, 9.
     */
    public TcpConfig keepAlive(Duration idle, Duration interval, int count) {
        ConfigChecks.inRange("keepalive count", count, 1, 255);
        this.keepAliveIdleNanos = ConfigChecks.positive(idle);
        this.keepAliveIntervalNanos = ConfigChecks.positive(interval);
        this.keepAliveCount = count;
        return this;
    }

    /**
     * RFC 5961 section 7: at most this many challenge ACKs per second for the whole layer (the budget of each
     * second is drawn at random in [limit/2, 3*limit/2) so that it reveals nothing, as Linux does since
     * CVE-2016-5696). Default 1000, like Linux's tcp_challenge_ack_limit.
     */
    public TcpConfig challengeAckLimit(int perSecond) {
        this.challengeAckLimit = ConfigChecks.atLeast("challengeAckLimit", perSecond, 1);
        return this;
    }

    /**
     * The most half-open (SYN-RECEIVED) connections a listener keeps (RFC 4987 3.1), besides the listen backlog that
     * bounds half-open plus accept-queue connections. Beyond either, SYNs get SYN cookies (or are dropped when they
     * are off). Default 1024.
     */
    public TcpConfig synBacklog(int n) {
        this.synBacklog = ConfigChecks.atLeast("synBacklog", n, 1);
        return this;
    }

    /** SYN cookies (RFC 4987 3.6) when a listener's SYN backlog is full (default on, like Linux's tcp_syncookies=1). */
    public TcpConfig synCookies(boolean on) {
        this.synCookies = on;
        return this;
    }

    /**
     * The smallest path MTU an ICMP "fragmentation needed" may impose (RFC 1191 3 allows 68; default 552 as Linux's
     * min_pmtu, so a forged ICMP cannot shrink segments to a few bytes). A layer-wide setting: the layer's own
     * config is used, not per-connection options.
     */
    public TcpConfig minPathMtu(int bytes) {
        this.minPathMtu = ConfigChecks.inRange("minPathMtu", bytes, 68, 65535);
        return this;
    }

    /** Allocator of the per-connection send and receive rings (pooled by default). */
    public TcpConfig allocator(ByteBufAllocator allocator) {
        this.allocator = java.util.Objects.requireNonNull(allocator);
        return this;
    }

    public int mss() {
        return mss;
    }

    public int sendBufferSize() {
        return sendBuffer.size();
    }

    public int receiveBufferSize() {
        return receiveBuffer.size();
    }

    public int sendBufferMin() {
        return sendBuffer.min();
    }

    public int sendBufferMax() {
        return sendBuffer.max();
    }

    public boolean sendBufferAuto() {
        return sendBuffer.auto();
    }

    public int receiveBufferMin() {
        return receiveBuffer.min();
    }

    public int receiveBufferMax() {
        return receiveBuffer.max();
    }

    public boolean receiveBufferAuto() {
        return receiveBuffer.auto();
    }

    /** The largest the receive ring may become: the auto-sizing maximum, or the fixed size. */
    public int receiveBufferLimit() {
        return receiveBuffer.limit();
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    public long keepAliveIdleNanos() {
        return keepAliveIdleNanos;
    }

    public long keepAliveIntervalNanos() {
        return keepAliveIntervalNanos;
    }

    public int keepAliveCount() {
        return keepAliveCount;
    }

    public int challengeAckLimit() {
        return challengeAckLimit;
    }

    public int synBacklog() {
        return synBacklog;
    }

    public boolean synCookies() {
        return synCookies;
    }

    public int minPathMtu() {
        return minPathMtu;
    }

    public long rtoInitialNanos() {
        return rtoInitialNanos;
    }

    public long rtoMinNanos() {
        return rtoMinNanos;
    }

    public long rtoMaxNanos() {
        return rtoMaxNanos;
    }

    public long mslNanos() {
        return mslNanos;
    }

    /** 2*MSL. */
    public long timeWaitNanos() {
        return 2 * mslNanos;
    }

    public int maxRetries() {
        return maxRetries;
    }

    public long userTimeoutNanos() {
        return userTimeoutNanos;
    }

    public int synRetries() {
        return synRetries;
    }

    public long delayedAckNanos() {
        return delayedAckNanos;
    }

    public long finWait2TimeoutNanos() {
        return finWait2TimeoutNanos;
    }

    public boolean windowScaling() {
        return windowScaling;
    }

    public int maxOutOfOrderRanges() {
        return maxOutOfOrderRanges;
    }

    public CongestionAlgorithm congestionControl() {
        return congestionControl;
    }

    public boolean timestamps() {
        return timestamps;
    }

    public boolean sack() {
        return sack;
    }

    public boolean rackTlp() {
        return rackTlp;
    }

    public boolean prr() {
        return prr;
    }

    public boolean frto() {
        return frto;
    }

    public InitialWindow initialWindow() {
        return initialWindow;
    }

    public boolean slowStartAfterIdle() {
        return slowStartAfterIdle;
    }

    public boolean hystart() {
        return hystart;
    }

    public boolean quickAck() {
        return quickAck;
    }

    public int ephemeralPortFirst() {
        return ephemeralPortFirst;
    }

    public int ephemeralPortLast() {
        return ephemeralPortLast;
    }

    public ByteBufAllocator allocator() {
        return allocator;
    }

    @Override
    public String toString() {
        return "TcpConfig[mss=" + mss
                + " sndbuf=" + sendBuffer.size() + (sendBuffer.auto() ? "<=" + sendBuffer.max() : "")
                + " rcvbuf=" + receiveBuffer.size() + (receiveBuffer.auto() ? "<=" + receiveBuffer.max() : "")
                + " rto=" + rtoInitialNanos / 1_000_000 + "/" + rtoMinNanos / 1_000_000 + "/" + rtoMaxNanos / 1_000_000
                + "ms msl=" + mslNanos / 1_000_000 + "ms retries=" + maxRetries + " synRetries=" + synRetries
                + " delack=" + delayedAckNanos / 1_000_000 + "ms cc=" + congestionControl + " ts=" + timestamps
                + " sack=" + sack + " rack=" + rackTlp + " prr=" + prr + " frto=" + frto + " iw=" + initialWindow + "]";
    }
}
