/*
 * RecordingOutput: an IpOutput for layer tests that records what a layer sends (the transport bytes with the
 * addresses, and the piece size of a TCP super-segment when it offers segmentation offload) instead of transmitting
 * it; the buffers are released by close().
 */
package io.ustack.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ustack.ip.IpOutput;
import io.ustack.wire.Ipv4Packet;

import java.util.ArrayList;
import java.util.List;

/** Records sendIpv4 and sendTcpSegments calls. */
public final class RecordingOutput implements IpOutput, AutoCloseable {
    /**
     * One recorded send: {@code buf}'s readable bytes are the transport header and data; {@code gsoSize} is the piece
     * size of a TCP super-segment, 0 for an ordinary packet.
     */
    public record Sent(ByteBuf buf, int src, int dst, int protocol, int gsoSize) {}

    public final List<Sent> sent = new ArrayList<>();
    private final boolean segmentationOffload;

    /** An output without segmentation offload. */
    public RecordingOutput() {
        this(false);
    }

    /** An output that offers TCP segmentation offload when {@code segmentationOffload}. */
    public RecordingOutput(boolean segmentationOffload) {
        this.segmentationOffload = segmentationOffload;
    }

    @Override
    public ByteBuf allocate(int transportBytes) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(HEADROOM + transportBytes);
        b.setIndex(HEADROOM, HEADROOM);
        return b;
    }

    @Override
    public boolean sendIpv4(ByteBuf transport, int src, int dst, int protocol, long now) {
        sent.add(new Sent(transport, src, dst, protocol, 0));
        return true;
    }

    @Override
    public boolean tcpSegmentationOffload() {
        return segmentationOffload;
    }

    @Override
    public boolean sendTcpSegments(ByteBuf transport, int src, int dst, int gsoSize, long now) {
        sent.add(new Sent(transport, src, dst, Ipv4Packet.PROTOCOL_TCP, gsoSize));
        return true;
    }

    @Override
    public int mtu() {
        return 1500;
    }

    @Override
    public int sourceAddressFor(int dst) {
        return 0;
    }

    /** Releases every recorded buffer. */
    @Override
    public void close() {
        for (Sent s : sent) {
            s.buf().release();
        }
        sent.clear();
    }
}
