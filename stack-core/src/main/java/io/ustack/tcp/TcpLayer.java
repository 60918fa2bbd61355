/*
 * TcpLayer: the TCP protocol of one stack: checks arriving segments (RFC 9293 3.1 header, 3.1 checksum over the
 * pseudo-header), demultiplexes them to connections by 4-tuple or to listeners (RFC 9293 3.10.7.2), answers
 * segments for no connection with resets (3.10.7.1), assigns initial sequence numbers (RFC 6528) and ephemeral
 * ports (RFC 6056), and owns the connection and listener tables.
 */
package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.ustack.engine.StackCounters;
import io.ustack.engine.TimerWheel;
import io.ustack.ip.IpOutput;
import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.wire.DropReason;
import io.ustack.wire.TcpSegment;

import java.util.Objects;
import java.util.random.RandomGenerator;

/** One per stack. Engine thread only. */
public final class TcpLayer {
    /** IPv4 (20) and TCP (20) headers without options: MSS = MTU - 40 (RFC 9293 3.7.1). */
    static final int HEADERS_WITHOUT_OPTIONS = 40;
    private static final int TIME_WAIT_SYN_MASK = TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST;

    private final IpOutput ip;
    private final TimerWheel timers;
    private final StackCounters counters;
    private final TcpConfig config;
    private final SegmentWriter writer;
    private final ConnectionTable<TcpConnection> connections;
    private final ConnectionTable<TcpListener> listeners;
    private final EphemeralPorts ephemeralPorts;
    private IsnSource isn;
    /** Key of the per-4-tuple timestamp offset (RFC 7323 5.4); separate from the ISN key. */
    private final long tsKey0;
    private final long tsKey1;
    private final TcpExtCounters extCounters = new TcpExtCounters();
    private final ChallengeAckLimiter challengeAcks;
    private final SynCookies synCookies;
    private final IcmpErrors icmpErrors;
    private final TcpSegment view = new TcpSegment();
    private final Segment segment = new Segment();
    private long now;

    public TcpLayer(IpOutput ip, TimerWheel timers, StackCounters counters, TcpConfig config, RandomGenerator rng) {
        this.ip = Objects.requireNonNull(ip);
        this.timers = Objects.requireNonNull(timers);
        this.counters = Objects.requireNonNull(counters);
        this.config = new TcpConfig(config);
        this.writer = new SegmentWriter(ip, counters);
        this.connections = new ConnectionTable<>(rng.nextLong());
        this.listeners = new ConnectionTable<>(rng.nextLong());
        this.ephemeralPorts = new EphemeralPorts(rng, this.config.ephemeralPortFirst(),
                this.config.ephemeralPortLast());
        this.isn = new IsnGenerator(rng);
        this.tsKey0 = rng.nextLong();
        this.tsKey1 = rng.nextLong();
        // drawn after the generators above so that their keys do not depend on these additions
        this.challengeAcks = new ChallengeAckLimiter(this.config.challengeAckLimit(),
                new java.util.SplittableRandom(rng.nextLong()));
        this.synCookies = new SynCookies(rng);
        this.icmpErrors = new IcmpErrors(this, this.config.minPathMtu());
    }

    /**
     * The engine's time for calls that carry none (read, write, close...): call once per loop turn. Arriving
     * segments, timers and connect() update it too.
     */
    public void updateTime(long now) {
        this.now = now;
    }

    /** Replaces the ISN source (tests: pin the ISS, e.g. near 2^32). */
    void isnSource(IsnSource source) {
        this.isn = Objects.requireNonNull(source);
    }

    // ------------------------------------------------------------------ input

    /**
     * A TCP segment arrived: {@code length} bytes at absolute {@code offset} of {@code buf} (the IP payload; the IP
     * header was checked). The caller keeps ownership of {@code buf}; nothing here holds on to it.
     */
    public void input(ByteBuf buf, int offset, int length, int srcIp, int dstIp, long now) {
        input(buf, offset, length, srcIp, dstIp, now, false);
    }

    /** As above; {@code trustedChecksum}: the link vouched for the checksum (io.ustack.link.ChecksumState). */
    public void input(ByteBuf buf, int offset, int length, int srcIp, int dstIp, long now, boolean trustedChecksum) {
        this.now = now;
        counters.tcpSegmentsIn++;
        DropReason r = view.wrap(buf, offset, length).check(srcIp, dstIp, !trustedChecksum);
        if (r != DropReason.NONE) {
            counters.drop(r);
            return;
        }
        r = segment.options.parse(buf, view.optionsOffset(), view.optionsLength());
        if (r != DropReason.NONE) {
            counters.drop(r);
            return;
        }
        Segment seg = segment;
        seg.load(view, srcIp, dstIp);
        if (seg.srcPort == 0 || seg.dstPort == 0) {
            counters.drop(DropReason.BAD_ADDRESS);
            return;
        }
        TcpConnection c = connections.get(dstIp, seg.dstPort, srcIp, seg.srcPort);
        if (c != null) {
            if (c.state() == TcpState.TIME_WAIT && (seg.flags & TIME_WAIT_SYN_MASK) == TcpSegment.SYN) {
                TcpListener tl = findListener(dstIp, seg.dstPort);
                if (tl != null && tl.reopenFromTimeWait(c, seg, now)) {
                    return; // RFC 6191: a new incarnation replaced the TIME-WAIT one
                }
            }
            TcpListener l = c.listener;
            SegmentArrives.process(c, seg, counters, writer, now);
            c.flushEvents();
            if (l != null) {
                l.flushEvents();
            }
            return;
        }
        TcpListener l = findListener(dstIp, seg.dstPort);
        if (l != null) {
            l.segmentArrives(seg, counters, writer, now);
            return;
        }
        counters.drop(DropReason.NO_SOCKET);
        writer.sendResetFor(seg, now); // RFC 9293 3.10.7.1
    }

    /**
     * An ICMP error about a TCP segment (RFC 1122 4.2.3.9, RFC 1191, RFC 5927): {@code length} bytes at
     * {@code offset} of {@code quoted} hold the IPv4 header and at least the first 8 TCP bytes of the packet it is
     * about; {@code nextHopMtu} is the "fragmentation needed" MTU field (0 if none). Acted on only if it names a
     * connection and a segment we sent that is not yet acknowledged (see IcmpErrors). The buffer is borrowed.
     */
    public void icmpError(int type, int code, int nextHopMtu, ByteBuf quoted, int offset, int length, long now) {
        this.now = now;
        icmpErrors.input(type, code, nextHopMtu, quoted, offset, length, now);
    }

    private TcpListener findListener(int localIp, int localPort) {
        TcpListener l = listeners.get(localIp, localPort, 0, 0);
        return l != null ? l : listeners.get(0, localPort, 0, 0);
    }

    // ------------------------------------------------------------------ user calls

    /**
     * RFC 9293 3.10.1 passive OPEN on {@code localIp} (0 = any) and {@code localPort} (0 = an ephemeral port).
     *
     * @throws WsaException WSAEADDRINUSE if a listener already covers that address and port
     */
    public TcpListener listen(int localIp, int localPort, int backlog, TcpListenHandler handler) {
        return listen(localIp, localPort, backlog, handler, null);
    }

    /**
     * As {@link #listen(int, int, int, TcpListenHandler)}, with socket options ({@code options}: buffer sizes,
     * timers...; null for the layer's) that accepted connections inherit. The options are copied.
     */
    public TcpListener listen(int localIp, int localPort, int backlog, TcpListenHandler handler,
            TcpConfig options) {
        if (localPort < 0 || localPort > 0xFFFF) {
            throw new WsaException(WsaError.WSAEINVAL, "port " + localPort);
        }
        if (localPort == 0) {
            localPort = freeListenPort();
        } else if (listenConflict(localIp, localPort)) {
            throw new WsaException(WsaError.WSAEADDRINUSE, "already listening on port " + localPort);
        }
        TcpConfig cfg = options == null ? config : new TcpConfig(options);
        TcpListener l = new TcpListener(this, cfg, localIp, localPort, Math.max(1, Math.min(backlog, 65535)),
                handler);
        listeners.put(localIp, localPort, 0, 0, l);
        return l;
    }

    private boolean listenConflict(int localIp, int localPort) {
        if (listeners.contains(localIp, localPort, 0, 0)) {
            return true;
        }
        if (localIp != 0) {
            return listeners.contains(0, localPort, 0, 0);
        }
        boolean[] found = new boolean[1];
        listeners.forEach(l -> found[0] |= l.localPort() == localPort);
        return found[0];
    }

    private int freeListenPort() {
        int offset = ephemeralPorts.offset(0, 0, 0);
        for (int attempt = 0; attempt < ephemeralPorts.count(); attempt++) {
            int port = ephemeralPorts.candidate(offset, attempt);
            if (!listenConflict(0, port)) {
                ephemeralPorts.taken(attempt);
                return port;
            }
        }
        throw new WsaException(WsaError.WSAEADDRINUSE, "no free port to listen on");
    }

    /**
     * RFC 9293 3.10.1 active OPEN: sends a SYN and returns the connection in SYN-SENT; {@code handler} hears
     * onConnected or onClosed(WSAECONNREFUSED / WSAETIMEDOUT).
     *
     * @param localIp 0: the source address IP would use towards {@code remoteIp}
     * @param localPort 0: an ephemeral port (RFC 6056)
     * @throws WsaException WSAEADDRNOTAVAIL (bad remote), WSAENETUNREACH (no route), WSAEADDRINUSE (4-tuple taken
     *     or no ephemeral port left)
     */
    public TcpConnection connect(int localIp, int localPort, int remoteIp, int remotePort, TcpHandler handler,
            long now) {
        return connect(localIp, localPort, remoteIp, remotePort, handler, now, null);
    }

    /**
     * As {@link #connect(int, int, int, int, TcpHandler, long)}, with this connection's socket options
     * ({@code options}: buffer sizes, timers...; null for the layer's). Only read during this call.
     */
    public TcpConnection connect(int localIp, int localPort, int remoteIp, int remotePort, TcpHandler handler,
            long now, TcpConfig options) {
        this.now = now;
        if (remoteIp == 0 || remotePort <= 0 || remotePort > 0xFFFF || localPort < 0 || localPort > 0xFFFF) {
            throw new WsaException(WsaError.WSAEADDRNOTAVAIL, "bad address or port");
        }
        if (localIp == 0) {
            localIp = ip.sourceAddressFor(remoteIp);
            if (localIp == 0) {
                throw new WsaException(WsaError.WSAENETUNREACH, "no route to " + remoteIpString(remoteIp));
            }
        }
        if (localPort == 0) {
            localPort = ephemeralPort(localIp, remoteIp, remotePort);
        } else if (connections.contains(localIp, localPort, remoteIp, remotePort)) {
            throw new WsaException(WsaError.WSAEADDRINUSE, "connection " + localPort + " -> "
                    + remoteIpString(remoteIp) + ":" + remotePort + " exists");
        }
        TcpConnection c = newConnection(options == null ? config : options, localIp, localPort, remoteIp,
                remotePort, null, now);
        c.handler(Objects.requireNonNull(handler));
        c.activeOpen(now);
        return c;
    }

    private static String remoteIpString(int addr) {
        return io.ustack.wire.Ipv4Address.toString(addr);
    }

    private int ephemeralPort(int localIp, int remoteIp, int remotePort) {
        int offset = ephemeralPorts.offset(localIp, remoteIp, remotePort);
        for (int attempt = 0; attempt < ephemeralPorts.count(); attempt++) {
            int port = ephemeralPorts.candidate(offset, attempt);
            if (!connections.contains(localIp, port, remoteIp, remotePort) && findListener(localIp, port) == null) {
                ephemeralPorts.taken(attempt);
                return port;
            }
        }
        throw new WsaException(WsaError.WSAEADDRINUSE, "no ephemeral port left");
    }

    /**
     * Stops the layer: closes every listener and aborts every connection (a RST where the RFC sends one; users see
     * onClosed(WSAECONNABORTED)), so that every buffer goes back to its allocator.
     */
    public void shutdown() {
        java.util.List<TcpListener> ls = new java.util.ArrayList<>();
        listeners.forEach(ls::add);
        ls.forEach(TcpListener::close);
        java.util.List<TcpConnection> cs = new java.util.ArrayList<>();
        connections.forEach(cs::add);
        for (TcpConnection c : cs) {
            c.abort();
        }
    }

    /** Connections in the table (every state but CLOSED, TIME-WAIT included). */
    public int connectionCount() {
        return connections.size();
    }

    public int listenerCount() {
        return listeners.size();
    }

    // ------------------------------------------------------------------ for connections and listeners

    TcpConnection newConnection(TcpConfig cfg, int localIp, int localPort, int remoteIp, int remotePort,
            TcpListener listener, long now) {
        return newConnection(cfg, localIp, localPort, remoteIp, remotePort, listener, now,
                isn.isn(localIp, localPort, remoteIp, remotePort, now));
    }

    /** A new connection with a given ISS (a SYN cookie, or one above a TIME-WAIT predecessor's). */
    TcpConnection newConnection(TcpConfig cfg, int localIp, int localPort, int remoteIp, int remotePort,
            TcpListener listener, long now, int iss) {
        TcpConnection c = new TcpConnection(this, cfg, localIp, localPort, remoteIp, remotePort, iss, listener);
        connections.put(localIp, localPort, remoteIp, remotePort, c);
        return c;
    }

    /** The RFC 6528 ISN for this 4-tuple at {@code now}. */
    int isn(int localIp, int localPort, int remoteIp, int remotePort, long now) {
        return isn.isn(localIp, localPort, remoteIp, remotePort, now);
    }

    TcpConnection connection(int localIp, int localPort, int remoteIp, int remotePort) {
        return connections.get(localIp, localPort, remoteIp, remotePort);
    }

    void remove(TcpConnection c) {
        connections.remove(c.localAddress(), c.localPort(), c.remoteAddress(), c.remotePort(), c);
    }

    void removeListener(TcpListener l) {
        listeners.remove(l.localAddress(), l.localPort(), 0, 0, l);
    }

    /** The MSS we announce: configured, or the interface MTU minus 40. */
    int ourMss(TcpConfig cfg) {
        int m = cfg.mss() > 0 ? cfg.mss() : ip.mtu() - HEADERS_WITHOUT_OPTIONS;
        return Math.max(TcpSender.MIN_MSS, Math.min(m, 0xFFFF));
    }

    /**
     * The TSval offset of a connection (RFC 7323 5.4): a keyed hash of its 4-tuple, so it hides uptime, differs per
     * connection, and stays the same for a new incarnation of the same 4-tuple (RFC 6191 relies on that).
     */
    int timestampOffset(int localIp, int localPort, int remoteIp, int remotePort) {
        long w0 = (localIp & 0xFFFFFFFFL) | ((long) remoteIp << 32);
        long w1 = (localPort & 0xFFFFL) | ((remotePort & 0xFFFFL) << 16);
        return (int) SipHash.hash(tsKey0, tsKey1, w0, w1, 12);
    }

    long now() {
        return now;
    }

    TimerWheel timers() {
        return timers;
    }

    StackCounters counters() {
        return counters;
    }

    SynCookies synCookies() {
        return synCookies;
    }

    ChallengeAckLimiter challengeAcks() {
        return challengeAcks;
    }

    /** Counters of the defences and robustness mechanisms of this layer. */
    public TcpExtCounters extCounters() {
        return extCounters;
    }

    SegmentWriter writer() {
        return writer;
    }
}
