/*
 * InMemoryLink: two Links joined back to back in one JVM, like a veth pair: what one transmits the other receives.
 * Used by tests, the demo and benchmarks to run two stacks with no device and no root. With offloads, like a veth
 * with TSO and GRO, a TCP super-segment (Link#transmitTcpSegments) crosses whole and arrives as one frame whose
 * checksum state is PARTIAL (only the pseudo-header sum is in the field; it never crossed a wire).
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;
import org.jctools.queues.SpscArrayQueue;

import java.util.concurrent.locks.LockSupport;

/**
 * One end of an in-memory Ethernet link. Frames move without copying: a transmitted buffer is queued as is for the
 * peer, whose {@link #receive} hands it to its sink and then releases it.
 *
 * <p>Each direction is a bounded single-producer single-consumer queue (JCTools {@link SpscArrayQueue}): the producer
 * is the transmitting stack's engine thread, the consumer the receiving stack's. A full queue drops the frame, as a
 * device would. {@link #await} parks the engine thread; a transmit from the peer or {@link #wakeup()} unparks it.
 */
public final class InMemoryLink implements Link {
    private final SpscArrayQueue<ByteBuf> inbound;
    /** With offloads: the checksum state of each frame in {@link #inbound}, offered just before it; else null. */
    private final SpscArrayQueue<ChecksumState> inboundStates;
    private final int capacity;
    private InMemoryLink peer;
    private final int mtu;
    private final long mac;
    private volatile boolean up = true;
    private volatile boolean closed;
    private volatile Thread waiter;

    private InMemoryLink(int mtu, long mac, int queueCapacity, boolean offloads) {
        this.mtu = mtu;
        this.mac = mac;
        this.inbound = new SpscArrayQueue<>(queueCapacity);
        this.inboundStates = offloads ? new SpscArrayQueue<>(queueCapacity + 1) : null;
        this.capacity = queueCapacity;
    }

    /** Two joined ends with the given MTU, MACs 02:00:00:00:00:01 and :02, 4096 frames queued per direction. */
    public static InMemoryLink[] pair(int mtu) {
        return pair(mtu, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L, 4096);
    }

    public static InMemoryLink[] pair(int mtu, long macA, long macB, int queueCapacity) {
        return pair(mtu, macA, macB, queueCapacity, false);
    }

    /** As {@link #pair(int)}, with TCP segmentation offload both ways when {@code offloads}. */
    public static InMemoryLink[] pair(int mtu, boolean offloads) {
        return pair(mtu, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L, 4096, offloads);
    }

    public static InMemoryLink[] pair(int mtu, long macA, long macB, int queueCapacity, boolean offloads) {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU must be within 68..65535, was " + mtu);
        }
        InMemoryLink a = new InMemoryLink(mtu, macA, queueCapacity, offloads);
        InMemoryLink b = new InMemoryLink(mtu, macB, queueCapacity, offloads);
        a.peer = b;
        b.peer = a;
        return new InMemoryLink[] {a, b};
    }

    public InMemoryLink peer() {
        return peer;
    }

    @Override
    public Framing framing() {
        return Framing.ETHERNET;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public long macAddress() {
        return mac;
    }

    @Override
    public boolean isUp() {
        return up && !closed;
    }

    /** Takes the link down or up (a cable pulled): while down, both directions drop frames. */
    public void setUp(boolean up) {
        this.up = up;
    }

    @Override
    public int receive(FrameSink sink, int budget) {
        int n = 0;
        ByteBuf frame;
        while (n < budget && (frame = inbound.relaxedPoll()) != null) {
            n++;
            try {
                if (inboundStates == null) {
                    sink.onFrame(frame);
                } else {
                    sink.onFrame(frame, inboundStates.relaxedPoll()); // offered before the frame: never null here
                }
            } finally {
                frame.release();
            }
        }
        return n;
    }

    @Override
    public boolean tcpSegmentationOffload() {
        return inboundStates != null;
    }

    @Override
    public boolean transmitTcpSegments(ByteBuf frame, int gsoSize) {
        if (inboundStates == null) {
            return Link.super.transmitTcpSegments(frame, gsoSize);
        }
        return enqueue(frame, ChecksumState.PARTIAL);
    }

    @Override
    public boolean transmit(ByteBuf frame) {
        return enqueue(frame, ChecksumState.NONE);
    }

    // Queues the frame (and, with offloads, its checksum state first) for the peer and wakes it.
    private boolean enqueue(ByteBuf frame, ChecksumState state) {
        InMemoryLink p = peer;
        if (!isUp() || !p.isUp() || p.inbound.size() >= p.capacity
                || p.inboundStates != null && !p.inboundStates.offer(state) || !p.inbound.offer(frame)) {
            frame.release();
            return false;
        }
        Thread w = p.waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        return true;
    }

    @Override
    public void await(long timeoutNanos) {
        if (timeoutNanos <= 0 || !inbound.isEmpty()) {
            return;
        }
        waiter = Thread.currentThread();
        try {
            if (inbound.isEmpty() && !closed) {
                LockSupport.parkNanos(this, timeoutNanos);
            }
        } finally {
            waiter = null;
        }
    }

    @Override
    public void wakeup() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        wakeup();
        ByteBuf frame;
        while ((frame = inbound.poll()) != null) {
            frame.release();
        }
        if (inboundStates != null) {
            inboundStates.clear();
        }
    }
}
