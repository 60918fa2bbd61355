package io.ustack.iface;

import io.ustack.api.Stack;
import io.ustack.testing.RawPeer;
import org.junit.jupiter.api.AfterEach;

/**
 * The fixture of the interface-level tests: one Stack (not started; {@link #pump} runs its loop) on an in-memory link
 * whose other end is a RawPeer that writes and reads frames by hand. Subclasses build both in their set-up.
 */
abstract class StackWithRawPeer {
    Stack stack;
    RawPeer peer;

    @AfterEach
    void closeStackAndPeer() {
        stack.close();
        peer.close();
    }

    /** Runs the stack's loop until it has nothing left to do (at most 100 rounds). */
    void pump() {
        stack.loop().runUntilIdle(100);
    }
}
