/*
 * ChecksumStateLink: a test Link decorator that hands every received frame to the stack with one chosen ChecksumState,
 * as a TAP with the virtio-net header (virtio spec 1.x section 5.1.6) does from VIRTIO_NET_HDR_F_NEEDS_CSUM /
 * VIRTIO_NET_HDR_F_DATA_VALID. Everything else passes through.
 */
package io.ustack.testing;

import io.ustack.link.ChecksumState;
import io.ustack.link.FrameSink;
import io.ustack.link.ForwardingLink;
import io.ustack.link.Link;

/** Marks received frames; {@link #state} may be changed between frames. Engine thread, as any link. */
public final class ChecksumStateLink extends ForwardingLink {
    /** The state the next received frames are handed over with. */
    public volatile ChecksumState state;

    public ChecksumStateLink(Link delegate, ChecksumState state) {
        super(delegate);
        this.state = state;
    }

    @Override
    public int receive(FrameSink sink, int budget) {
        ChecksumState s = state;
        return delegate.receive(frame -> sink.onFrame(frame, s), budget);
    }
}
