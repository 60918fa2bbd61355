/*
 * FrameSink: what a Link hands received frames to (the stack's input path), with the frame's transport checksum
 * state (ChecksumState) when the link has one.
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;

/**
 * Receives frames from a {@link Link} on the engine thread; the frame is only borrowed for the call.
 *
 * <p>A link that knows the checksum state of a frame calls {@link #onFrame(ByteBuf, ChecksumState)}; all others call
 * {@link #onFrame(ByteBuf)}, which means {@link ChecksumState#NONE}. A sink that does not override the two-argument
 * form verifies every checksum (its default drops the state), so a frame whose checksum is only PARTIAL is then
 * dropped as a bad checksum: safe, never a corrupted frame accepted. Decorators pass the state on.
 */
@FunctionalInterface
public interface FrameSink {
    /** A frame whose transport checksum must be verified ({@link ChecksumState#NONE}). */
    void onFrame(ByteBuf frame);

    /** A frame with the link's knowledge of its transport checksum. The default ignores it (verifies). */
    default void onFrame(ByteBuf frame, ChecksumState checksum) {
        onFrame(frame);
    }
}
