/*
 * ProviderSocket: the socket behind one or more descriptors of a base provider (more than one after
 * WSPDuplicateSocket). Holds the catalog entry, the creation attributes and the engine-side handle; counts its
 * descriptors and is released when the last one closes. Objects are pooled, so each use is an "incarnation".
 */
package io.ustack.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A socket of the base provider.
 *
 * <p>Lifetime: {@code state} packs the incarnation (high 32 bits) and the descriptor count (low 32 bits) in one long,
 * so "add a descriptor to incarnation N if it is still alive" is one CAS. The release that drops the count to 0
 * also bumps the incarnation, which makes every share token and every stale reference to the old incarnation
 * fail. Attribute fields are written only while the object is out of circulation (count 0, not yet published) and
 * are published by the descriptor table's release store.
 */
public final class ProviderSocket {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ProviderSocket.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile long state;

    private ProtocolInfo info;
    private int addressFamily;
    private int socketType;
    private int protocol;
    private int flags;
    private Object backendHandle;

    ProviderSocket() {
    }

    /** Fills a pooled object for a new socket with one descriptor reference; returns the new incarnation. */
    int open(ProtocolInfo info, int addressFamily, int socketType, int protocol, int flags, Object backendHandle) {
        this.info = info;
        this.addressFamily = addressFamily;
        this.socketType = socketType;
        this.protocol = protocol;
        this.flags = flags;
        this.backendHandle = backendHandle;
        long s = (long) STATE.getVolatile(this);
        int incarnation = (int) (s >>> 32);
        // Release suffices: the socket becomes reachable only through the descriptor table's release store, and a
        // stale token's retain() sees either the old state (0 references) or this one (new incarnation).
        STATE.setRelease(this, (long) incarnation << 32 | 1L);
        return incarnation;
    }

    /** Adds a descriptor reference if the socket is still incarnation {@code incarnation} and alive. */
    boolean retain(int incarnation) {
        for (;;) {
            long s = (long) STATE.getVolatile(this);
            if ((int) (s >>> 32) != incarnation || (int) s == 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s + 1)) {
                return true;
            }
        }
    }

    /** Drops a descriptor reference; true if it was the last (the caller then closes the backend handle). */
    boolean release() {
        for (;;) {
            long s = (long) STATE.getVolatile(this);
            int refs = (int) s;
            if (refs <= 0) {
                throw new IllegalStateException("release of a socket with no references");
            }
            long next = refs == 1 ? ((s >>> 32) + 1) << 32 : s - 1;
            if (STATE.compareAndSet(this, s, next)) {
                return refs == 1;
            }
        }
    }

    /** Clears references to the previous incarnation's objects before the object goes back to the pool. */
    void clear() {
        info = null;
        backendHandle = null;
    }

    /** The current incarnation (changes when the socket is released). */
    public int incarnation() {
        return (int) ((long) STATE.getVolatile(this) >>> 32);
    }

    /** Descriptors that currently reference this socket. */
    public int descriptorCount() {
        return (int) (long) STATE.getVolatile(this);
    }

    /** The catalog entry the socket was created from (the provider's own base entry). */
    public ProtocolInfo protocolInfo() {
        return info;
    }

    public int addressFamily() {
        return addressFamily;
    }

    public int socketType() {
        return socketType;
    }

    /** The effective protocol (a protocol argument of 0 resolved to the entry's default). */
    public int protocol() {
        return protocol;
    }

    /** The dwFlags the socket was created with (WSA_FLAG_*). */
    public int flags() {
        return flags;
    }

    /** True if created with WSA_FLAG_OVERLAPPED. */
    public boolean isOverlapped() {
        return (flags & Winsock.WSA_FLAG_OVERLAPPED) != 0;
    }

    /** The multipoint role bits (WSA_FLAG_MULTIPOINT_*), 0 for a point-to-point socket. */
    public int multipointRole() {
        return flags & Winsock.WSA_FLAG_MULTIPOINT_MASK;
    }

    /** The engine-side socket from {@link SocketBackend#open}. */
    public Object backendHandle() {
        return backendHandle;
    }

    @Override
    public String toString() {
        return "ProviderSocket[" + info + " flags=0x" + Integer.toHexString(flags) + " descriptors="
                + descriptorCount() + "]";
    }
}
