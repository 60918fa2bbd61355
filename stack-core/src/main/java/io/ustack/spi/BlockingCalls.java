/*
 * BlockingCalls: the per-thread "blocking Windows Sockets call in progress" marker behind WSAEINPROGRESS. The
 * engine brackets blocking calls and the completion callbacks it runs on its own thread with enter/exit; a WSP
 * function called inside such a bracket fails with WSAEINPROGRESS (the engine thread must never block).
 */
package io.ustack.spi;

/**
 * Per-thread marker of blocking calls and engine callbacks. Brackets nest and must be balanced on the same thread:
 *
 * <pre>{@code
 * BlockingCalls.enterCallback();
 * try { handler.completed(...); } finally { BlockingCalls.exitCallback(); }
 * }</pre>
 *
 * <p>Each call costs one ThreadLocal lookup; a thread's state object is created on its first use only.
 */
public final class BlockingCalls {
    private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

    private BlockingCalls() {
    }

    private static final class State {
        int blocking;
        int callbacks;
        boolean engineThread;
    }

    /** Marks the start of a blocking call on this thread. */
    public static void enterBlocking() {
        STATE.get().blocking++;
    }

    /** Marks the end of the blocking call started by the matching {@link #enterBlocking()}. */
    public static void exitBlocking() {
        State s = STATE.get();
        if (s.blocking == 0) {
            throw new IllegalStateException("exitBlocking without enterBlocking");
        }
        s.blocking--;
    }

    /** Marks the start of a completion callback run by the engine on this thread. */
    public static void enterCallback() {
        STATE.get().callbacks++;
    }

    /** Marks the end of the callback started by the matching {@link #enterCallback()}. */
    public static void exitCallback() {
        State s = STATE.get();
        if (s.callbacks == 0) {
            throw new IllegalStateException("exitCallback without enterCallback");
        }
        s.callbacks--;
    }

    /** Declares (or un-declares) the current thread as a stack's engine thread. */
    public static void markEngineThread(boolean engine) {
        STATE.get().engineThread = engine;
    }

    /** True if the current thread was declared an engine thread. */
    public static boolean isEngineThread() {
        return STATE.get().engineThread;
    }

    /** True while a blocking call or an engine callback is in progress on the current thread. */
    public static boolean inProgress() {
        State s = STATE.get();
        return s.blocking != 0 || s.callbacks != 0;
    }
}
