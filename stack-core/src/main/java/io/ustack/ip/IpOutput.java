/*
 * IpOutput: the interface the transport layers (TCP, UDP, ICMP, raw) use to send. The IP layer prepends the IP
 * header (RFC 791 section 3.1) and the link header, resolves the next hop (ARP, RFC 826) and transmits.
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;

/**
 * Sending side of the IP layer, as seen from above. Engine thread only.
 *
 * <p>A transport asks for a buffer with {@link #allocate}, writes its header and payload at the writer index,
 * fills its checksum, and hands the buffer to {@link #sendIpv4}, which takes ownership (it always releases it,
 * whether the packet was sent, queued for ARP, or dropped).
 */
public interface IpOutput {
    /** Bytes reserved in front of the transport header for the link, IP and future (virtio-net) headers. */
    int HEADROOM = 128;

    /**
     * A pooled buffer with {@link #HEADROOM} bytes of head room ({@code readerIndex == writerIndex == HEADROOM}) and
     * room for at least {@code transportBytes} more.
     */
    ByteBuf allocate(int transportBytes);

    /**
     * Sends {@code transport} (its readable bytes: a transport header and payload, checksum filled) to {@code dst}
     * from {@code src} as IP protocol {@code protocol}. Takes ownership of the buffer.
     *
     * @return true if the packet was transmitted or queued awaiting ARP; false if it was dropped (no route, link
     *     down, queue full)
     */
    boolean sendIpv4(ByteBuf transport, int src, int dst, int protocol, long now);

    /**
     * Whether {@link #sendTcpSegments} reaches a device that cuts TCP super-segments itself (Link#tcpSegmentationOffload),
     * so building them saves work; without it they would be cut in software.
     */
    default boolean tcpSegmentationOffload() {
        return false;
    }

    /**
     * As {@link #sendIpv4} (protocol TCP) for a TCP segment of up to 65535 bytes of IPv4 packet, beyond the MTU, that
     * the device cuts into pieces of {@code gsoSize} payload bytes; its checksum field holds the pseudo-header sum only
     * (TcpSegmentation#partialChecksum). Takes ownership of the buffer.
     */
    default boolean sendTcpSegments(ByteBuf transport, int src, int dst, int gsoSize, long now) {
        throw new UnsupportedOperationException("no TCP segmentation on this output");
    }

    /** The IPv4 MTU of the interface (largest IP packet), e.g. 1500. */
    int mtu();

    /** The local address to send from to reach {@code dst}, or 0 if there is no route. */
    int sourceAddressFor(int dst);
}
