/*
 * RecordingOutput: an IpOutput for layer tests that records what a layer sends (the transport bytes with the
 * addresses) instead of transmitting it; the buffers are released by close().
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.ArrayList;
import java.util.List;

/** Records sendIpv4 calls. */
final class RecordingOutput implements IpOutput, AutoCloseable {
    /** One recorded send: {@code buf}'s readable bytes are the transport header and data. */
    record Sent(ByteBuf buf, int src, int dst, int protocol) {}

    final List<Sent> sent = new ArrayList<>();

    @Override
    public ByteBuf allocate(int transportBytes) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(HEADROOM + transportBytes);
        b.setIndex(HEADROOM, HEADROOM);
        return b;
    }

    @Override
    public boolean sendIpv4(ByteBuf transport, int src, int dst, int protocol, long now) {
        sent.add(new Sent(transport, src, dst, protocol));
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

    @Override
    public void close() {
        for (Sent s : sent) {
            s.buf().release();
        }
        sent.clear();
    }
}
