/*
 * StackPair: two stacks on an in-memory link, driven by hand on the test thread with one ManualClock, so socket
 * tests are deterministic and never sleep.
 */
package io.ustack.testing;

import io.ustack.api.Stack;
import io.ustack.engine.Clock;
import io.ustack.engine.ManualClock;
import io.ustack.link.InMemoryLink;
import io.ustack.link.Link;

import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/** A server stack (10.0.0.1/24) and a client stack (10.0.0.2/24) joined back to back. */
public final class StackPair implements AutoCloseable {
    public final ManualClock clock = new ManualClock();
    public final Stack server;
    public final Stack client;
    public final InMemoryLink serverLink;
    public final InMemoryLink clientLink;

    public StackPair(int mtu) {
        this(mtu, UnaryOperator.identity());
    }

    /** {@code decorate} may wrap the client's link (pcap). */
    public StackPair(int mtu, UnaryOperator<Link> decorate) {
        this(mtu, (link, clock) -> decorate.apply(link));
    }

    /** {@code decorate} may wrap the client's link, given the pair's clock (impairment). */
    public StackPair(int mtu, BiFunction<Link, Clock, Link> decorate) {
        InMemoryLink[] pair = InMemoryLink.pair(mtu);
        serverLink = pair[0];
        clientLink = pair[1];
        server = Stack.builder(serverLink).name("server").clock(clock).ipv4("10.0.0.1/24").build();
        client = Stack.builder(decorate.apply(clientLink, clock)).name("client").clock(clock).ipv4("10.0.0.2/24").build();
    }

    /** Runs both loops until neither has work, at most {@code maxTurns} rounds. */
    public int pump(int maxTurns) {
        int rounds = 0;
        while (rounds < maxTurns) {
            int w = server.runOnce() + client.runOnce();
            rounds++;
            if (w == 0) {
                break;
            }
        }
        return rounds;
    }

    public void pump() {
        pump(100_000);
    }

    /** Pumps, advancing the clock by {@code stepNanos} whenever idle, until {@code done} or {@code maxNanos} pass. */
    public boolean pumpUntil(BooleanSupplier done, long stepNanos, long maxNanos) {
        long start = clock.nanos();
        while (!done.getAsBoolean()) {
            if (server.runOnce() + client.runOnce() == 0) {
                if (clock.nanos() - start >= maxNanos) {
                    return false;
                }
                clock.advanceNanos(stepNanos);
            }
        }
        return true;
    }

    /** Pumps (1 ms steps when idle, at most 120 simulated seconds) until the future is done. */
    public <T> T await(Future<T> f) {
        if (!pumpUntil(f::isDone, 1_000_000L, 120_000_000_000L)) {
            throw new AssertionError("not done after 120 simulated seconds");
        }
        try {
            return f.get();
        } catch (Exception e) {
            throw new RuntimeException(e.getCause() != null ? e.getCause() : e);
        }
    }

    @Override
    public void close() {
        server.close();
        client.close();
    }
}
