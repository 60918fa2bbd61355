/*
 * ChallengeAckLimiter: the ACK throttling of RFC 5961 section 7 for the challenge ACKs of sections 3.2 (RST in the
 * window but not at RCV.NXT), 4.2 (SYN in a synchronized state) and 5.2 (ACK outside SND.UNA - MAX.SND.WND ..
 * SND.NXT). One budget per layer and per second, as Linux's tcp_challenge_ack_limit. A fixed, shared budget is
 * itself a side channel (CVE-2016-5696: an off-path attacker counts the challenge ACKs it can still draw to learn
 * whether a guessed 4-tuple exists), so each second's budget is drawn at random from [ceil(L/2), ceil(L/2) + L).
 */
package io.ustack.tcp;

import java.util.random.RandomGenerator;

/** Per-layer challenge ACK budget. Engine thread only; allocation-free. */
final class ChallengeAckLimiter {
    static final long PERIOD_NANOS = 1_000_000_000L;

    private final int limit;
    private final RandomGenerator rng;
    private boolean started;
    private long periodStart;
    private long remaining;

    ChallengeAckLimiter(int limitPerSecond, RandomGenerator rng) {
        this.limit = limitPerSecond;
        this.rng = rng;
    }

    /** A challenge ACK for {@code c} is due: owe the peer an ACK if the budget allows, count it either way. */
    void challenge(TcpConnection c, long now) {
        if (allow(now)) {
            c.layer.extCounters().challengeAcks++;
            c.receiver.ackNow = true;
        } else {
            c.layer.extCounters().challengeAcksSuppressed++;
        }
    }

    /** Whether one more challenge ACK may go out at {@code now} (and takes it from the budget). */
    boolean allow(long now) {
        if (!started || now - periodStart >= PERIOD_NANOS) {
            started = true;
            periodStart = now;
            remaining = (limit - limit / 2) + (long) rng.nextInt(limit);
        }
        if (remaining == 0) {
            return false;
        }
        remaining--;
        return true;
    }
}
