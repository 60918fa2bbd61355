/*
 * EventLoop: the single writer of one stack. One thread (or a test driving it by hand) owns every piece of protocol
 * state; other threads hand it work through a JCTools many-to-one queue. Each turn: frames from the link, commands,
 * expired timers, end-of-turn hooks (flush), then an idle wait sized by the next timer.
 */
package io.ustack.engine;

import io.netty.util.concurrent.FastThreadLocalThread;
import io.ustack.link.FrameSink;
import io.ustack.link.Link;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Drives one stack: either on its own platform thread ({@link #start}) or by a caller that calls {@link #runOnce()}
 * (tests with a {@link ManualClock}, benchmarks). The loop reads the clock once per turn; {@link #now()} is that time.
 *
 * <p>Threading contract: {@link #execute} and {@link #close} may be called from any thread; everything else belongs to
 * the loop thread (the started thread, or the thread calling {@link #runOnce()}).
 */
public final class EventLoop implements Executor, AutoCloseable {
    /** Work a component wants done at the end of every turn, after input (e.g. TCP coalescing its ACKs). */
    @FunctionalInterface
    public interface TurnHook {
        int afterTurn(long now);
    }

    private static final int FRAME_BUDGET = 64;
    private static final int COMMAND_BUDGET = 256;
    private static final long MAX_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Link link;
    private final Clock clock;
    private final TimerWheel timers;
    private final MpscUnboundedXaddArrayQueue<Runnable> commands = new MpscUnboundedXaddArrayQueue<>(1024);
    private final List<TurnHook> hooks = new ArrayList<>();
    private final List<LongConsumer> startHooks = new ArrayList<>();
    /** Bound once: a method reference created per turn would be garbage on every turn. */
    private final MessagePassingQueue.Consumer<Runnable> commandRunner = this::runCommand;
    private final int spinsBeforeSleep;
    private FrameSink sink;
    private long now;
    private volatile Thread thread;
    private volatile boolean sleeping;
    private volatile boolean running;
    private volatile boolean closed;

    public EventLoop(Link link, Clock clock, int spinsBeforeSleep) {
        this.link = link;
        this.clock = clock;
        this.now = clock.nanos();
        this.timers = new TimerWheel(now);
        this.spinsBeforeSleep = spinsBeforeSleep;
    }

    public EventLoop(Link link, Clock clock) {
        this(link, clock, 200);
    }

    /** Where received frames go (the stack's input path). Set once before the loop runs. */
    public void frameSink(FrameSink sink) {
        this.sink = sink;
    }

    /** Adds a hook run at the end of each turn. Loop thread, before start. */
    public void addTurnHook(TurnHook hook) {
        hooks.add(hook);
    }

    /** Adds a hook told the turn's time before anything else runs in the turn. Before start. */
    public void addTurnStartHook(LongConsumer hook) {
        startHooks.add(hook);
    }

    public TimerWheel timers() {
        return timers;
    }

    public Clock clock() {
        return clock;
    }

    public Link link() {
        return link;
    }

    /** The time of the current turn (nanoseconds of the loop's clock). Loop thread. */
    public long now() {
        return now;
    }

    /** True when called on the thread that currently owns the loop. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Queues {@code command} to run on the loop thread, in submission order. Any thread. */
    @Override
    public void execute(Runnable command) {
        if (closed) {
            throw new RejectedExecutionException("the stack's event loop is closed");
        }
        commands.offer(command);
        if (sleeping) {
            link.wakeup();
        }
    }

    /** One turn at the clock's current time; returns the amount of work done (0 = idle). Caller becomes the owner. */
    public int runOnce() {
        Thread self = Thread.currentThread();
        if (thread != self) {
            if (running) {
                throw new IllegalStateException("the loop runs on its own thread; runOnce is for manual driving");
            }
            thread = self;
        }
        return turn();
    }

    private int turn() {
        now = clock.nanos();
        for (int i = 0, n = startHooks.size(); i < n; i++) {
            startHooks.get(i).accept(now);
        }
        int work = link.receive(sink, FRAME_BUDGET);
        work += commands.drain(commandRunner, COMMAND_BUDGET);
        work += timers.expire(now);
        for (int i = 0, n = hooks.size(); i < n; i++) {
            work += hooks.get(i).afterTurn(now);
        }
        link.flush();
        return work;
    }

    private void runCommand(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | AssertionError e) {
            // A command is user work (a socket call); its failure must not take the stack down.
            Thread.UncaughtExceptionHandler h = Thread.currentThread().getUncaughtExceptionHandler();
            h.uncaughtException(Thread.currentThread(), e);
        }
    }

    /** Runs turns until idle (no work in a turn), at most {@code maxTurns}; for manual driving. */
    public int runUntilIdle(int maxTurns) {
        int turns = 0;
        while (turns < maxTurns && runOnce() > 0) {
            turns++;
        }
        return turns;
    }

    /** Starts the loop on a new platform thread named {@code name}. */
    public void start(String name) {
        if (running || closed) {
            throw new IllegalStateException("already started or closed");
        }
        running = true;
        Thread t = new FastThreadLocalThread(this::loop, name); // pooled allocation is garbage-free only on these
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void loop() {
        int idleTurns = 0;
        while (running) {
            if (turn() > 0) {
                idleTurns = 0;
                continue;
            }
            if (++idleTurns < spinsBeforeSleep) {
                Thread.onSpinWait();
                continue;
            }
            sleeping = true;
            try {
                if (commands.isEmpty() && running) {
                    long wait = Math.min(timers.nanosUntilNext(clock.nanos()), MAX_IDLE_NANOS);
                    link.await(wait);
                }
            } finally {
                sleeping = false;
            }
            idleTurns = 0;
        }
        // final turn so commands submitted before close (e.g. socket closes) still run
        turn();
    }

    /** Stops the loop thread (waiting up to 5 s) and refuses further commands. Does not close the link. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread t = thread;
        if (running) {
            running = false;
            link.wakeup();
            if (t != null && t != Thread.currentThread()) {
                try {
                    t.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
