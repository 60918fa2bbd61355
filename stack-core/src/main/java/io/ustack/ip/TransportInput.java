/*
 * TransportInput: how the IP layer hands a validated packet's payload to a transport (TCP, UDP) (RFC 1122 3.2.1.x
 * demultiplexing by protocol number).
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;

/** A transport's input, engine thread only. The buffer is borrowed for the call. */
@FunctionalInterface
public interface TransportInput {
    /**
     * @param offset absolute offset of the transport header in {@code buf}
     * @param length bytes of transport header and payload (from the IP total length)
     * @param trustedChecksum true when the link vouched for the transport checksum of this datagram (see
     *                        io.ustack.link.ChecksumState): it is not verified; false: verify it
     * @return false if no endpoint wanted it and the IP layer should answer with ICMP port unreachable (UDP)
     */
    boolean input(ByteBuf buf, int offset, int length, int srcIp, int dstIp, long now, boolean trustedChecksum);
}
