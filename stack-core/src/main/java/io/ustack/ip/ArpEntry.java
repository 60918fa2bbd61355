/*
 * ArpEntry: one neighbour in the ARP cache (RFC 826; timing after RFC 1122 2.3.2.1): resolved with a MAC and an
 * expiry, or incomplete with the packets waiting for the answer and a retry count.
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;
import io.ustack.engine.Timer;

import java.util.ArrayDeque;

/** A cache entry; owned by {@link ArpLayer}, engine thread only. */
final class ArpEntry {
    final int ip;
    final Timer timer;
    long mac = -1;
    /** When the mapping was last confirmed (a packet from the neighbour). */
    long confirmedAt;
    /** Requests sent since the entry was created or last confirmed. */
    int requestsSent;
    long lastRequestAt;
    /** IP packets (IP header in front) waiting for resolution; created on first need. */
    ArrayDeque<ByteBuf> pending;

    State state = State.INCOMPLETE;

    enum State { INCOMPLETE, REACHABLE }

    /** What the owner does when this entry's timer fires. */
    interface TimerOwner {
        void onTimer(ArpEntry e, long now);
    }

    ArpEntry(int ip, TimerOwner owner) {
        this.ip = ip;
        this.timer = new Timer(now -> owner.onTimer(this, now));
    }

    boolean resolved() {
        return state == State.REACHABLE;
    }

    int pendingCount() {
        return pending == null ? 0 : pending.size();
    }

    /** Releases every waiting packet; returns how many there were. */
    int dropPending() {
        int n = 0;
        if (pending != null) {
            ByteBuf b;
            while ((b = pending.poll()) != null) {
                b.release();
                n++;
            }
        }
        return n;
    }
}
