/*
 * ImpairedLink: a Link decorator that makes any link a bad network (loss, burst loss, reordering, duplication,
 * corruption, delay with jitter, a rate limit with a bounded queue), separately for frames the stack transmits and
 * frames it receives. Our own stand-in for Linux netem, which these kernels lack. Every random choice comes from a
 * SplittableRandom seeded by the configuration, and time from the Clock given here, so with a ManualClock a failing
 * run replays exactly. The pipeline itself is ImpairedDirection; this class wires it between the engine and the link.
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;
import io.ustack.engine.Clock;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Impairs the frames crossing a {@link Link}.
 *
 * <p>Transmit side: {@link #transmit} runs the frame through the transmit rules; frames that are not held go to the
 * wrapped link at once, held ones when they fall due, on any later {@link #transmit}, {@link #flush}, {@link #receive}
 * or {@link #await} call (the engine calls flush every turn). Receive side: {@link #receive} pulls frames from the
 * wrapped link, runs them through the receive rules and hands the stack those that are due. {@link #await} never
 * sleeps past the time the next held frame falls due, and returns at once while received frames are waiting. A
 * received frame keeps its {@link ChecksumState} through the rules (also while held); a corrupted copy is handed on
 * as {@link ChecksumState#NONE}, so the stack verifies its checksum and drops it.
 *
 * <p>Return of {@link #transmit}: true when the frame was taken (sent, queued, or lost on the "wire": a lossy
 * network does not tell the sender); false when the queue was full or the wrapped link refused a frame sent at once.
 *
 * <p>Threading: as {@link Link}. Engine-thread calls and {@link #close()} exclude each other with a lock held only
 * by this link (never while the engine thread sleeps in {@link #await}), so close from another thread is safe: it
 * releases every held frame exactly once, and after it no call reaches the wrapped link but await and wakeup.
 */
public final class ImpairedLink extends ForwardingLink {
    private final Clock clock;
    private final Impairment impairment;
    private final ImpairmentCounters transmitCounters = new ImpairmentCounters();
    private final ImpairmentCounters receiveCounters = new ImpairmentCounters();
    private final ImpairedDirection transmitSide;
    private final ImpairedDirection receiveSide;
    private final ReceiveEgress receiveEgress = new ReceiveEgress();
    private final Intake intake = new Intake();
    private final Object lock = new Object();
    private volatile boolean closed;

    /**
     * @param delegate   the link to impair; closed by {@link #close()}
     * @param clock      the stack's clock (a ManualClock in tests)
     * @param impairment what to do to each direction, and the seed
     */
    public ImpairedLink(Link delegate, Clock clock, Impairment impairment) {
        super(delegate);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.impairment = Objects.requireNonNull(impairment, "impairment");
        int protectedBytes = delegate.framing() == Framing.ETHERNET ? 14 : 0;
        SplittableRandom root = new SplittableRandom(impairment.seed());
        this.transmitSide = new ImpairedDirection(impairment.transmit(), protectedBytes, root.split(),
                transmitCounters, new TransmitEgress());
        this.receiveSide = new ImpairedDirection(impairment.receive(), protectedBytes, root.split(),
                receiveCounters, receiveEgress);
    }

    /** Parses {@code spec} (see {@link Impairment#parse}) and wraps {@code delegate}. */
    public static ImpairedLink of(Link delegate, Clock clock, String spec) {
        return new ImpairedLink(delegate, clock, Impairment.parse(spec));
    }

    public Impairment impairment() {
        return impairment;
    }

    /** What happened to transmitted frames. */
    public ImpairmentCounters transmitCounters() {
        return transmitCounters;
    }

    /** What happened to received frames. */
    public ImpairmentCounters receiveCounters() {
        return receiveCounters;
    }

    /** Transmitted frames held now (delayed, rate-limited or held for reordering). Engine thread. */
    public int transmitQueued() {
        synchronized (lock) {
            return transmitSide.queued();
        }
    }

    /** Received frames held now. Engine thread. */
    public int receiveQueued() {
        synchronized (lock) {
            return receiveSide.queued();
        }
    }

    /** Clock time at which a held frame next falls due (either direction); Long.MAX_VALUE if none is held. */
    public long nextDueNanos() {
        synchronized (lock) {
            return Math.min(transmitSide.nextDue(), receiveSide.nextDue());
        }
    }

    @Override
    public boolean isUp() {
        return !closed && delegate.isUp();
    }

    @Override
    public int receive(FrameSink sink, int budget) {
        synchronized (lock) {
            if (closed || budget <= 0) {
                return 0;
            }
            long now = clock.nanos();
            transmitSide.drain(Integer.MAX_VALUE, now);
            FrameSink outer = receiveEgress.sink;
            receiveEgress.sink = sink;
            try {
                long before = receiveCounters.passed;
                receiveSide.drain(budget, now);
                int handed = (int) (receiveCounters.passed - before);
                if (handed < budget && !closed) {
                    intake.now = now;
                    // each frame pulled leaves at once at most once (copies always queue), so the budget holds
                    delegate.receive(intake, budget - handed);
                    handed = (int) (receiveCounters.passed - before);
                    if (handed < budget && !closed) {
                        receiveSide.drain(budget - handed, now);
                    }
                }
                return (int) (receiveCounters.passed - before);
            } finally {
                receiveEgress.sink = outer;
            }
        }
    }

    @Override
    public boolean transmit(ByteBuf frame) {
        synchronized (lock) {
            if (closed) {
                frame.release();
                return false;
            }
            long now = clock.nanos();
            transmitSide.drain(Integer.MAX_VALUE, now);
            boolean taken = transmitSide.offer(frame, ChecksumState.NONE, true, now);
            transmitSide.drain(Integer.MAX_VALUE, now);
            return taken;
        }
    }

    /** Sends the transmitted frames that are due, then flushes the wrapped link. */
    @Override
    public void flush() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            transmitSide.drain(Integer.MAX_VALUE, clock.nanos());
            delegate.flush();
        }
    }

    /**
     * Sends due frames, then waits on the wrapped link no longer than until the next held frame falls due; returns at
     * once if received frames are due already.
     */
    @Override
    public void await(long timeoutNanos) {
        long wait;
        synchronized (lock) {
            if (closed) {
                return;
            }
            long now = clock.nanos();
            if (transmitSide.drain(Integer.MAX_VALUE, now) > 0) {
                delegate.flush();
            }
            long next = Math.min(transmitSide.nextDue(), receiveSide.nextDue());
            if (next <= now) {
                return;
            }
            wait = next == Long.MAX_VALUE ? timeoutNanos : Math.min(timeoutNanos, next - now);
        }
        if (wait > 0) {
            delegate.await(wait);
        }
    }

    /** Releases every held frame, then closes the wrapped link. Any thread; idempotent. */
    @Override
    public void close() {
        try {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
                transmitSide.releaseAll();
                receiveSide.releaseAll();
            }
        } finally {
            delegate.close();
        }
    }

    @Override
    public String toString() {
        return "ImpairedLink[" + impairment + " on " + delegate + "]";
    }

    /** Transmit egress: the wrapped link takes the frame (and its release). */
    private final class TransmitEgress implements ImpairedDirection.Egress {
        @Override
        public boolean emit(ByteBuf frame, ChecksumState checksum, boolean owned) {
            return delegate.transmit(owned ? frame : frame.retain());
        }
    }

    /** Receive egress: the stack's sink of the current receive call borrows the frame (with its checksum state). */
    private static final class ReceiveEgress implements ImpairedDirection.Egress {
        FrameSink sink;

        @Override
        public boolean emit(ByteBuf frame, ChecksumState checksum, boolean owned) {
            try {
                sink.onFrame(frame, checksum);
            } finally {
                if (owned) {
                    frame.release();
                }
            }
            return true;
        }
    }

    /** Takes the wrapped link's received frames (borrowed) into the receive rules. */
    private final class Intake implements FrameSink {
        long now;

        @Override
        public void onFrame(ByteBuf frame) {
            onFrame(frame, ChecksumState.NONE);
        }

        @Override
        public void onFrame(ByteBuf frame, ChecksumState checksum) {
            if (!closed) {
                receiveSide.offer(frame, checksum, false, now);
            }
        }
    }
}
