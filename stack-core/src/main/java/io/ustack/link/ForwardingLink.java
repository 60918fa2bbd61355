/*
 * ForwardingLink: the base of Link decorators (PcapLink, ImpairedLink, test links): every call goes to the wrapped
 * link unless the decorator overrides it, so each decorator states only what it changes. It implements no protocol
 * spec: only the Link contract (Link.java).
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;

import java.util.Objects;

/** A {@link Link} that passes every call to {@link #delegate()}. Threading as the wrapped link's. */
public abstract class ForwardingLink implements Link {
    /** The wrapped link. */
    protected final Link delegate;

    protected ForwardingLink(Link delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped link. */
    public Link delegate() {
        return delegate;
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
        return delegate.receive(sink, budget);
    }

    @Override
    public boolean transmit(ByteBuf frame) {
        return delegate.transmit(frame);
    }

    @Override
    public void flush() {
        delegate.flush();
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
