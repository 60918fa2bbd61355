/*
 * SharedStackPeer: the base of kernel tests that share one StackPeer (our stack on a TAP, the kernel in its own
 * namespace) across the test methods of a class: started before the first, closed after the last, and then nothing
 * of this JVM may be left behind (namespaces, TAP devices).
 */
package io.ustack.it;

import io.ustack.tap.netns.KernelPeer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import static org.assertj.core.api.Assertions.assertThat;

abstract class SharedStackPeer {
    /** The stack and its kernel peer of the running test class. */
    static StackPeer net;

    @BeforeAll
    static void startSharedPeer() throws Exception {
        net = StackPeer.start();
    }

    @AfterAll
    static void stopSharedPeer() {
        if (net != null) {
            net.close();
            net = null;
        }
        assertThat(KernelPeer.leftovers()).as("namespaces and TAP devices of this JVM").isEmpty();
    }
}
