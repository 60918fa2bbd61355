/*
 * IsnSource: where a TCP layer gets the initial send sequence number (ISS) of a new connection (RFC 9293 section
 * 3.4.1). The production source is IsnGenerator (RFC 6528); tests may pin an ISS, e.g. near 2^32 for wraparound.
 */
package io.ustack.tcp;

/** Chooses the ISS of a connection identified by its 4-tuple, at time {@code now} (nanoseconds). */
@FunctionalInterface
public interface IsnSource {
    int isn(int localIp, int localPort, int remoteIp, int remotePort, long now);
}
