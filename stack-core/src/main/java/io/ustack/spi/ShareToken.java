/*
 * ShareToken: the dwProviderReserved payload of a WSAPROTOCOL_INFO made by WSPDuplicateSocket. It names one
 * incarnation of one provider socket; WSPSocket redeems it once to add a descriptor to that socket.
 */
package io.ustack.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An opaque, single-use reference to a shared socket. It does not keep the socket alive: a socket whose last
 * descriptor is closed before the token is redeemed is gone, and redeeming then fails with WSAEINVAL.
 */
public final class ShareToken {
    private static final VarHandle USED;

    static {
        try {
            USED = MethodHandles.lookup().findVarHandle(ShareToken.class, "used", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Object owner;
    final ProviderSocket socket;
    final int incarnation;
    @SuppressWarnings("unused") // accessed through USED
    private volatile int used;

    ShareToken(Object owner, ProviderSocket socket, int incarnation) {
        this.owner = owner;
        this.socket = socket;
        this.incarnation = incarnation;
    }

    /** Claims the token; false if it was claimed before. */
    boolean claim() {
        return USED.compareAndSet(this, 0, 1);
    }

    /** Gives a claim back after a redemption that failed for a reason other than the token. */
    void unclaim() {
        USED.setVolatile(this, 0);
    }

    /** True once redeemed. */
    public boolean isUsed() {
        return (int) USED.getVolatile(this) != 0;
    }

    @Override
    public String toString() {
        return "ShareToken[incarnation=" + incarnation + (isUsed() ? " used" : "") + "]";
    }
}
