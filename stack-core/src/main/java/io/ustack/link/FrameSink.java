/*
 * FrameSink: what a Link hands received frames to (the stack's input path).
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;

/** Receives frames from a {@link Link} on the engine thread; the frame is only borrowed for the call. */
@FunctionalInterface
public interface FrameSink {
    void onFrame(ByteBuf frame);
}
