/*
 * SynCookies: stateless SYN-ACKs for a listener whose SYN backlog is full (RFC 4987 section 3.6). The state a
 * half-open connection would keep is folded into our initial sequence number, which the peer echoes (plus one) in
 * the ACK of the third segment; that ACK then rebuilds the connection.
 *
 * Cookie layout (32 bits, XOR-masked with a keyed hash of the 4-tuple so nothing in it is visible):
 *
 *    31 30 29  27 26                                                  0
 *   +-----+------+-----------------------------------------------------+
 *   |  t  | mss  |  MAC: SipHash(key2; tuple hash, peer ISN, time, mss) |
 *   +-----+------+-----------------------------------------------------+
 *
 * t is the time counter (2^36 ns, about 69 s, per step) modulo 4; a cookie is accepted for the current and the
 * previous step (69 to 137 s). mss indexes {@link #MSS_TABLE} (the largest entry not above the peer's MSS option,
 * RFC 9293 3.7.1). The MAC binds the 4-tuple, the peer's ISN (so the ACK must carry SEG.SEQ = IRS + 1), the time
 * and the MSS index: forging a cookie for a given tuple succeeds with probability 2^-27 per try.
 *
 * Window scale (RFC 7323 2) and SACK-permitted (RFC 2018 2) cannot be kept in the cookie. When the peer's SYN
 * carried timestamps (RFC 7323 3), they travel in the low 5 bits of our SYN-ACK's TSval (shift, 15 = none; SACK)
 * and come back in the ACK's TSecr; the TSval is rounded down so it never runs ahead of the connection's clock.
 * Without timestamps the SYN-ACK offers neither, so the connection runs without window scaling (a 64 KiB window)
 * and without SACK: the documented price of a cookie, as on Linux. Only ACKs that reach a listener which sent
 * cookies in the last two time steps are checked, so a listener that is not flooded never accepts one.
 */
package io.ustack.tcp;

import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;

import java.util.random.RandomGenerator;

/** Cookie encoder and checker of one layer (its keys). Engine thread only; allocation-free. */
final class SynCookies {
    /** MSS values a cookie can carry (3 bits). */
    static final int[] MSS_TABLE = {64, 536, 1200, 1360, 1440, 1452, 1460, 8960};
    static final int TIME_SHIFT = 36;
    /** Steps back a cookie stays valid (0: this step, 1: the previous one). */
    static final int MAX_AGE = 1;
    private static final int MAC_BITS = 27;
    private static final int MAC_MASK = (1 << MAC_BITS) - 1;
    /** TSval bits carrying the options: 4 bits of shift (15 = none) and SACK-permitted. */
    static final int TS_OPTION_BITS = 5;
    private static final int TS_OPTION_MASK = (1 << TS_OPTION_BITS) - 1;
    private static final int NO_WSCALE = 15;

    private final long k0;
    private final long k1;
    private final long k2;
    private final long k3;
    /** The options a validated cookie stands for (valid until the next check). */
    private final TcpOptions decoded = new TcpOptions();

    SynCookies(RandomGenerator rng) {
        this.k0 = rng.nextLong();
        this.k1 = rng.nextLong();
        this.k2 = rng.nextLong();
        this.k3 = rng.nextLong();
    }

    /** The time counter at {@code now}. */
    static long counter(long now) {
        return now >>> TIME_SHIFT;
    }

    /** The index of the largest table MSS not above {@code peerMss} (-1: no option, which means 536). */
    static int mssIndex(int peerMss) {
        int mss = peerMss < 0 ? TcpSender.DEFAULT_MSS : peerMss;
        int i = MSS_TABLE.length - 1;
        while (i > 0 && MSS_TABLE[i] > mss) {
            i--;
        }
        return i;
    }

    private long tupleHash(int localIp, int localPort, int remoteIp, int remotePort) {
        long w0 = (localIp & 0xFFFFFFFFL) | ((long) remoteIp << 32);
        long w1 = (localPort & 0xFFFFL) | ((remotePort & 0xFFFFL) << 16);
        return SipHash.hash(k0, k1, w0, w1, 12);
    }

    private int mac(long tuple, int irs, long counter, int mssIndex) {
        long w1 = (irs & 0xFFFFFFFFL) | ((counter & 0xFFFFL) << 32) | ((long) mssIndex << 48);
        return (int) SipHash.hash(k2, k3, tuple, w1, 15) & MAC_MASK;
    }

    /** The cookie (our ISS) for a SYN with sequence number {@code irs} and MSS table index {@code mssIndex}. */
    int cookie(int localIp, int localPort, int remoteIp, int remotePort, int irs, int mssIndex, long now) {
        long tuple = tupleHash(localIp, localPort, remoteIp, remotePort);
        long c = counter(now);
        int v = ((int) (c & 3) << 30) | (mssIndex << MAC_BITS) | mac(tuple, irs, c, mssIndex);
        return v ^ (int) tuple;
    }

    /**
     * Checks the cookie {@code iss} (SEG.ACK - 1 of the third segment) for peer ISN {@code irs}: returns its MSS
     * table index, or -1 if it is forged, altered or too old.
     */
    int check(int localIp, int localPort, int remoteIp, int remotePort, int irs, int iss, long now) {
        long tuple = tupleHash(localIp, localPort, remoteIp, remotePort);
        int v = iss ^ (int) tuple;
        int t = v >>> 30;
        int mssIndex = (v >>> MAC_BITS) & 7;
        long c = counter(now);
        for (int age = 0; age <= MAX_AGE; age++) {
            long candidate = c - age;
            if (candidate >= 0 && (candidate & 3) == t) {
                return mac(tuple, irs, candidate, mssIndex) == (v & MAC_MASK) ? mssIndex : -1;
            }
        }
        return -1;
    }

    /**
     * Our SYN-ACK's TSval when timestamps are on: {@code clock} (the connection-to-be's TSval now) with its low bits
     * replaced by the peer's window scale (or 15) and SACK-permitted, never above {@code clock}.
     */
    static int encodeTsVal(int clock, int peerWscale, boolean sackPermitted) {
        int bits = (peerWscale < 0 ? NO_WSCALE : Math.min(peerWscale, TcpReceiver.MAX_WINDOW_SCALE))
                | (sackPermitted ? 1 << 4 : 0);
        int ts = (clock & ~TS_OPTION_MASK) | bits;
        return ts - clock > 0 ? ts - (1 << TS_OPTION_BITS) : ts;
    }

    /**
     * The peer's SYN options as a validated cookie tells them (for TcpConnection.negotiate): the MSS of the table
     * entry; with timestamps, the window scale and SACK-permitted from the echoed TSecr, and the ACK's TSval.
     */
    TcpOptions decodedOptions(int mssIndex, Segment ack) {
        TcpOptions o = decoded.clear().mss(MSS_TABLE[mssIndex]);
        TcpOptions seen = ack.options;
        if (seen.hasTimestamps()) {
            int bits = seen.tsEcr() & TS_OPTION_MASK;
            int shift = bits & 0xF;
            o.windowScale(shift == NO_WSCALE ? -1 : shift);
            o.sackPermitted((bits & (1 << 4)) != 0);
            o.timestamps(seen.tsVal(), seen.tsEcr());
        }
        return o;
    }

    /** Whether {@code flags} make a segment that may complete a cookie handshake (ACK, no SYN or RST). */
    static boolean mayCompleteHandshake(int flags) {
        return (flags & (TcpSegment.ACK | TcpSegment.SYN | TcpSegment.RST)) == TcpSegment.ACK;
    }
}
