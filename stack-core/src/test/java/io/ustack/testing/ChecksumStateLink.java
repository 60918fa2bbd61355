/*
 * ChecksumStateLink: a test Link decorator that hands every received frame to the stack with one chosen ChecksumState,
 * as a TAP with the virtio-net header (virtio spec 1.x section 5.1.6) does from VIRTIO_NET_HDR_F_NEEDS_CSUM /
 * VIRTIO_NET_HDR_F_DATA_VALID. Everything else passes through.
 */
package io.ustack.testing;

import io.netty.buffer.ByteBuf;
import io.ustack.link.ChecksumState;
import io.ustack.link.FrameSink;
import io.ustack.link.Link;

/** Marks received frames; {@link #state} may be changed between frames. Engine thread, as any link. */
public final class ChecksumStateLink implements Link {
    private final Link delegate;
    /** The state the next received frames are handed over with. */
    public volatile ChecksumState state;

    public ChecksumStateLink(Link delegate, ChecksumState state) {
        this.delegate = delegate;
        this.state = state;
    }

    @Override
    public Framing framing() {
        return delegate.framing();
    }

    @Override
    public int mtu() {
        return delegate.mtu();
    }

    @Override
    public long macAddress() {
        return delegate.macAddress();
    }

    @Override
    public boolean isUp() {
        return delegate.isUp();
    }

    @Override
    public int receive(FrameSink sink, int budget) {
        ChecksumState s = state;
        return delegate.receive(frame -> sink.onFrame(frame, s), budget);
    }

    @Override
    public boolean transmit(ByteBuf frame) {
        return delegate.transmit(frame);
    }

    @Override
    public void await(long timeoutNanos) {
        delegate.await(timeoutNanos);
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
