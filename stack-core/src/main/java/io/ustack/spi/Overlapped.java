/*
 * Overlapped: the WSAOVERLAPPED of an overlapped WSPSend, WSPSendTo, WSPRecv, WSPRecvFrom or WSPIoctl (ws2spi.h
 * overlapped I/O). The caller owns it and may reuse it once its operation has completed; the provider records the
 * outcome in it (what WSPGetOverlappedResult reports) and completes its future, the completion indication.
 */
package io.ustack.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * One overlapped operation at a time.
 *
 * <p>Winsock passes a WSAOVERLAPPED with an event or a completion routine; here the completion indication is
 * {@link #future()}: it completes with the bytes transferred, or fails with a {@link WsaException} carrying the
 * WSA error (for a datagram truncated into a too small buffer: WSAEMSGSIZE, with {@link #bytesTransferred()} the
 * bytes that were filled). The future completes on the stack's engine thread inside a completion callback (see
 * {@link BlockingCalls}): code chained to it with {@code thenApply} and friends runs there and must not call WSP
 * functions (they fail with WSAEINPROGRESS); chain with the {@code ...Async} variants to call them.
 *
 * <p>Buffers and out-parameters handed to an overlapped call belong to the provider until the future completes.
 */
public final class Overlapped {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Overlapped.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int IDLE = 0;
    private static final int PENDING = 1;
    private static final int COMPLETE = 2;

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    private int sequence;
    private int bytes;
    private int flags;
    private int error;
    private volatile CompletableFuture<Integer> future;

    public Overlapped() {
    }

    /** The completion of the current (or last) operation; null before the first one. */
    public CompletableFuture<Integer> future() {
        return future;
    }

    /** True once the operation has completed (successfully or not); false while pending or never used. */
    public boolean isComplete() {
        return (int) STATE.getVolatile(this) == COMPLETE;
    }

    /** True while an operation is in progress. */
    public boolean isPending() {
        return (int) STATE.getVolatile(this) == PENDING;
    }

    /** Operations begun on this object so far (a layer can tell whether the provider used it). */
    public int sequence() {
        return sequence;
    }

    /** cbTransferred of the completed operation (valid once complete; also set on WSAEMSGSIZE). */
    public int bytesTransferred() {
        return bytes;
    }

    /** The lpFlags result of a completed receive (0 here: no MSG_PARTIAL, no MSG_OOB). */
    public int flags() {
        return flags;
    }

    /** The WSA error of the completed operation, NO_ERROR on success. */
    public int error() {
        return error;
    }

    // ------------------------------------------------------------------ provider side

    /**
     * Provider side: starts an operation on this object. False if one is still pending (the caller then fails the
     * call with WSAEINVAL: an in-flight WSAOVERLAPPED must not be reused).
     */
    public boolean begin() {
        if (!STATE.compareAndSet(this, IDLE, PENDING) && !STATE.compareAndSet(this, COMPLETE, PENDING)) {
            return false;
        }
        sequence++;
        bytes = 0;
        flags = 0;
        error = WsaError.NO_ERROR;
        future = new CompletableFuture<>(); // volatile: publishes the fields above with it
        return true;
    }

    /**
     * Provider side: records the outcome and completes the future, inside a completion-callback bracket. Called
     * once per {@link #begin()}, normally on the engine thread.
     */
    public void settle(int bytesTransferred, int resultFlags, int wsaError) {
        CompletableFuture<Integer> f = future;
        bytes = bytesTransferred;
        flags = resultFlags;
        error = wsaError;
        STATE.setVolatile(this, COMPLETE); // publishes the outcome to whoever sees isComplete()
        BlockingCalls.enterCallback();
        try {
            if (wsaError == WsaError.NO_ERROR) {
                f.complete(bytesTransferred);
            } else {
                f.completeExceptionally(new WsaException(wsaError, "overlapped operation failed"));
            }
        } finally {
            BlockingCalls.exitCallback();
        }
    }

    /**
     * The future of a fresh {@code ov} after an overlapped call returned {@code result}: its completion if the call
     * began it, else a future failed with the call's error (the call was refused before it started).
     */
    static CompletableFuture<Integer> started(Overlapped ov, int result, ErrnoRef errno) {
        if (ov.sequence > 0) {
            return ov.future;
        }
        return CompletableFuture.failedFuture(new WsaException(result == 0 ? WsaError.WSAEINVAL : errno.get(),
                "the call did not start an overlapped operation (is the socket overlapped?)"));
    }

    @Override
    public String toString() {
        int s = (int) STATE.getVolatile(this);
        return "Overlapped[" + (s == IDLE ? "idle" : s == PENDING ? "pending" : "complete bytes=" + bytes
                + (error != 0 ? " " + WsaError.name(error) : "")) + "]";
    }
}
