/*
 * Link: the device boundary of a stack (frames in, frames out). Implementations: the in-memory pair
 * (InMemoryLink), the pcap and impairment decorators, and the Linux TAP/TUN device in stack-tap.
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.TcpSegmentation;

/**
 * A network device as the engine sees it.
 *
 * <p>Threading contract: {@link #receive}, {@link #transmit} and {@link #await} are called only by the one engine
 * thread that owns the stack; {@link #wakeup()} and {@link #close()} may be called from any thread.
 *
 * <p>Buffer ownership: a frame handed to {@link FrameSink#onFrame} belongs to the link and is released by the link
 * after the call returns (a sink that wants to keep bytes copies them or retains a slice). A frame passed to
 * {@link #transmit} becomes the link's: it is released by the link whether or not it was sent.
 */
public interface Link extends AutoCloseable {

    /** What a frame on this link starts with. */
    enum Framing {
        /** Ethernet II frames (a TAP device, the in-memory pair). */
        ETHERNET,
        /** Bare IP packets, version from the first nibble (a TUN device). */
        IP
    }

    Framing framing();

    /** Largest IP packet the link carries (Ethernet payload size), e.g. 1500. */
    int mtu();

    /** The link's own 48-bit MAC address in the low bits of a long (0 for an IP-framed link). */
    long macAddress();

    /** False once the link is down or closed; sockets on a stack whose link is down get WSAENETDOWN. */
    boolean isUp();

    /**
     * Hands up to {@code budget} received frames to {@code sink}, without blocking.
     *
     * @return the number of frames handed over
     */
    int receive(FrameSink sink, int budget);

    /**
     * Sends one frame (readable bytes of {@code frame}, starting with the Ethernet header or the IP header according
     * to {@link #framing()}). Takes ownership of the buffer.
     *
     * @return true if the frame was handed to the device, false if it was dropped (queue full, link down)
     */
    boolean transmit(ByteBuf frame);

    /**
     * Whether {@link #transmitTcpSegments} hands a TCP super-segment to the device as one frame (TCP segmentation
     * offload: a TAP with the virtio-net header). False (the default) means it would cut it in software, so TCP does
     * better to send MSS-sized segments itself.
     */
    default boolean tcpSegmentationOffload() {
        return false;
    }

    /**
     * Sends one IPv4 TCP segment longer than the link's MTU allows, to be cut into pieces of {@code gsoSize} payload
     * bytes (the last may be shorter) by the device or, by default, in software ({@link TcpSegmentation}). The frame
     * is laid out as for {@link #transmit}; its TCP checksum field holds the pseudo-header sum only
     * ({@link TcpSegmentation#partialChecksum}). Takes ownership of the buffer.
     *
     * @return true if the whole segment was handed to the device
     */
    default boolean transmitTcpSegments(ByteBuf frame, int gsoSize) {
        int l3Offset = framing() == Framing.ETHERNET ? EthernetFrame.HEADER_LENGTH : 0;
        return TcpSegmentation.segment(frame, l3Offset, gsoSize, 0, this::transmit);
    }

    /** Pushes out frames held back by {@link #transmit} (a batching link); a no-op for most links. */
    default void flush() {
    }

    /**
     * Blocks the engine thread until a frame may be readable, {@link #wakeup()} is called, or {@code timeoutNanos}
     * pass (whichever is first). Spurious returns are allowed.
     */
    void await(long timeoutNanos);

    /** Makes a current or the next {@link #await} return promptly. Any thread. */
    void wakeup();

    @Override
    void close();
}
