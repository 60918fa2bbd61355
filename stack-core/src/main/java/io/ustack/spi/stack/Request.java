/*
 * Request: one WSP data-function call on its way through the engine (the provider's I/O request packet): its
 * arguments, its progress, its outcome, and how the caller hears of it (an Overlapped's future, or a thread parked
 * in a blocking call).
 */
package io.ustack.spi.stack;

import io.ustack.spi.IntRef;
import io.ustack.spi.Overlapped;
import io.ustack.spi.WsaError;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * A call frame. The caller fills the arguments and hands it to the engine thread; engine code then owns it until
 * {@link #finish}. State: PENDING (queued), CLAIMED (the engine started moving data for it: it will be finished),
 * DONE; a PENDING request can instead be ABANDONED by its caller (the stack closed before the engine saw it), after
 * which the engine must not touch it: engine code {@link #claim()}s a request before writing into its buffers.
 */
final class Request implements Runnable {
    static final int BIND = 1;
    static final int LISTEN = 2;
    static final int ACCEPT = 3;
    static final int CONNECT = 4;
    static final int SEND = 5;
    static final int RECV = 6;
    static final int SHUTDOWN = 7;
    static final int NAME = 8;
    static final int GET_OPTION = 9;
    static final int SET_OPTION = 10;
    static final int IOCTL = 11;
    static final int JOIN = 12;
    static final int CLOSE = 13;
    static final int ABORT = 14;
    static final int CANCEL = 15;

    static final int PENDING = 0;
    static final int CLAIMED = 1;
    static final int DONE = 2;
    static final int ABANDONED = 3;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Request.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    int op;
    EngineSocket socket;
    /** Made on the engine thread: it must complete now or fail, never wait. */
    boolean engineThread;
    Overlapped overlapped;
    Thread waiter;

    // arguments
    ByteBuffer[] buffers;
    int count;
    long capacity;
    int flags;
    byte[] address;
    int addressLength;
    IntRef addressOut;
    int intArg;
    int level;
    int option;
    byte[] in;
    int inLength;
    byte[] out;
    int outLength;
    IntRef lengthOut;
    /** The request a CANCEL targets. */
    Request target;

    // progress and outcome
    long progress;
    int result;
    int error;
    int outFlags;
    /** WSPAccept: the accepted socket. */
    EngineSocket accepted;

    Request(int op, EngineSocket socket) {
        this.op = op;
        this.socket = socket;
    }

    @Override
    public void run() {
        socket.backend.execute(this);
    }

    /** True if overlapped or a blocking call on another thread: it may wait in a queue. */
    boolean mayWait(boolean nonBlocking) {
        return overlapped != null || (!nonBlocking && !engineThread);
    }

    /** Takes the request for the engine (idempotent); false if its caller abandoned it. */
    boolean claim() {
        int s = (int) STATE.getVolatile(this);
        return s == CLAIMED || (s == PENDING && STATE.compareAndSet(this, PENDING, CLAIMED));
    }

    /** Caller side: gives up a request the engine never took; false if the engine took it (wait for it). */
    boolean abandon(int code) {
        if (STATE.compareAndSet(this, PENDING, ABANDONED)) {
            error = code;
            result = 0;
            return true;
        }
        return false;
    }

    boolean isDone() {
        int s = (int) STATE.getVolatile(this);
        return s == DONE || s == ABANDONED;
    }

    boolean isPending() {
        return (int) STATE.getVolatile(this) == PENDING;
    }

    void complete(int value) {
        finish(value, WsaError.NO_ERROR);
    }

    void fail(int code) {
        finish((int) Math.min(progress, Integer.MAX_VALUE), code);
    }

    /**
     * Records the outcome and tells the caller: completes the Overlapped (inside a callback bracket) or wakes the
     * parked thread. Does nothing if the request was abandoned or already finished.
     */
    void finish(int value, int code) {
        if (!claim()) {
            return;
        }
        result = value;
        error = code;
        Overlapped ov = overlapped;
        Thread w = waiter;
        STATE.setVolatile(this, DONE);
        if (ov != null) {
            ov.settle(value, outFlags, code);
        }
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Clears a finished request for reuse by the same thread. */
    void reset(int newOp, EngineSocket newSocket) {
        op = newOp;
        socket = newSocket;
        engineThread = false;
        overlapped = null;
        buffers = null;
        count = 0;
        capacity = 0;
        flags = 0;
        address = null;
        addressLength = 0;
        addressOut = null;
        intArg = 0;
        level = 0;
        option = 0;
        in = null;
        inLength = 0;
        out = null;
        outLength = 0;
        lengthOut = null;
        target = null;
        progress = 0;
        result = 0;
        error = 0;
        outFlags = 0;
        accepted = null;
        STATE.setVolatile(this, PENDING);
    }

    @Override
    public String toString() {
        return "Request[op=" + op + " state=" + (int) STATE.getVolatile(this) + " progress=" + progress + "]";
    }
}
