/*
 * FrameRing: a fixed-capacity FIFO of frames with two longs per slot (a time and a mark) and the frame's checksum
 * state, preallocated so queueing a frame allocates nothing. Used by ImpairedDirection for its time queue and its
 * reorder hold.
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;

/** A bounded ring of frames; the caller checks {@link #size()} against {@link #capacity()} before adding. */
final class FrameRing {
    private final ByteBuf[] frames;
    private final long[] times;
    private final long[] marks;
    private final ChecksumState[] checksums;
    private int head;
    private int size;

    FrameRing(int capacity) {
        frames = new ByteBuf[capacity];
        times = new long[capacity];
        marks = new long[capacity];
        checksums = new ChecksumState[capacity];
    }

    int capacity() {
        return frames.length;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Appends a frame; the ring must not be full. */
    void add(ByteBuf frame, ChecksumState checksum, long time, long mark) {
        if (size == frames.length) {
            throw new IllegalStateException("frame ring full");
        }
        int slot = head + size;
        if (slot >= frames.length) {
            slot -= frames.length;
        }
        frames[slot] = frame;
        times[slot] = time;
        marks[slot] = mark;
        checksums[slot] = checksum;
        size++;
    }

    long headTime() {
        return times[head];
    }

    long headMark() {
        return marks[head];
    }

    /** The checksum state of the head frame (read before {@link #poll()}). */
    ChecksumState headChecksum() {
        return checksums[head];
    }

    /** Removes and returns the head frame (the ring must not be empty). */
    ByteBuf poll() {
        ByteBuf frame = frames[head];
        frames[head] = null;
        head = head + 1 == frames.length ? 0 : head + 1;
        size--;
        return frame;
    }

    /** Releases and forgets every frame. */
    void releaseAll() {
        while (size > 0) {
            ByteBuf frame = poll();
            frame.release();
        }
        head = 0;
    }
}
