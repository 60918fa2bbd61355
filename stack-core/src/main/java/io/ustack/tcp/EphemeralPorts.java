/*
 * EphemeralPorts: choice of the local port for connect() without one, RFC 6056 section 3.3.3 (Algorithm 3,
 * "Simple Hash-Based Port Selection"): the search starts at an offset given by a keyed hash (SipHash-2-4) of the
 * local address and the remote endpoint plus a global counter, so ports are hard to guess yet rarely collide.
 */
package io.ustack.tcp;

import java.util.random.RandomGenerator;

/** Candidate generator for ephemeral ports. Engine thread only. */
final class EphemeralPorts {
    private final long k0;
    private final long k1;
    private final int first;
    private final int count;
    private int next;

    EphemeralPorts(RandomGenerator rng, int first, int last) {
        this.k0 = rng.nextLong();
        this.k1 = rng.nextLong();
        this.first = first;
        this.count = last - first + 1;
    }

    int count() {
        return count;
    }

    /** RFC 6056 Algorithm 3: offset = F(local IP, remote IP, remote port, secret key). */
    int offset(int localIp, int remoteIp, int remotePort) {
        long w0 = (localIp & 0xFFFFFFFFL) | ((long) remoteIp << 32);
        long w1 = remotePort & 0xFFFFL;
        return (int) (SipHash.hash(k0, k1, w0, w1, 10) & 0x7FFFFFFF);
    }

    /** The {@code attempt}-th candidate port for this offset. */
    int candidate(int offset, int attempt) {
        return first + (int) Math.floorMod((long) offset + next + attempt, (long) count);
    }

    /** A candidate was taken after {@code attempts} tries: move the counter on (RFC 6056: next_ephemeral++). */
    void taken(int attempts) {
        next += attempts + 1;
    }
}
