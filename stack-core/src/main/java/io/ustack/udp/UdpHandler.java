/*
 * UdpHandler: how a UDP endpoint tells its owner (the socket layer) that datagrams are waiting.
 */
package io.ustack.udp;

/** Engine-thread notifications of a {@link UdpEndpoint}. */
@FunctionalInterface
public interface UdpHandler {
    /** At least one datagram is queued. */
    void onReadable(UdpEndpoint endpoint);
}
