/*
 * IsnGenerator: initial sequence numbers per RFC 6528 section 3: ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), where M is a 4-microsecond timer (RFC 9293 3.4.1) and F is SipHash-2-4 keyed with 128
 * random bits drawn once from the stack's RandomGenerator.
 */
package io.ustack.tcp;

import java.util.random.RandomGenerator;

/** RFC 6528 ISN generator. Engine thread only. */
public final class IsnGenerator implements IsnSource {
    /** M ticks every 4 microseconds (RFC 9293 section 3.4.1). */
    static final long TICK_NANOS = 4_000L;

    private final long k0;
    private final long k1;

    public IsnGenerator(RandomGenerator rng) {
        this.k0 = rng.nextLong();
        this.k1 = rng.nextLong();
    }

    @Override
    public int isn(int localIp, int localPort, int remoteIp, int remotePort, long now) {
        int m = (int) (now / TICK_NANOS);
        return m + f(localIp, localPort, remoteIp, remotePort);
    }

    /** F() of RFC 6528: the keyed hash of the 4-tuple (12 bytes), truncated to 32 bits. */
    int f(int localIp, int localPort, int remoteIp, int remotePort) {
        long w0 = (localIp & 0xFFFFFFFFL) | ((long) remoteIp << 32);
        long w1 = (localPort & 0xFFFFL) | ((remotePort & 0xFFFFL) << 16);
        return (int) SipHash.hash(k0, k1, w0, w1, 12);
    }
}
