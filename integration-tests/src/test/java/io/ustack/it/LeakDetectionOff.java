/*
 * LeakDetectionOff: a JUnit 5 extension for the kernel tests that measure: Netty's leak detection is off from before
 * the first test of the class to after the last (PARANOID, the tests' setting, records a stack trace per buffer and
 * makes the stack ~30 times slower), then set back to what it was. The other tests run the same paths with it on.
 * Test harness only; no protocol spec.
 */
package io.ustack.it;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Use as {@code @ExtendWith(LeakDetectionOff.class)} on a test class. */
final class LeakDetectionOff implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(LeakDetectionOff.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put("level", ResourceLeakDetector.getLevel());
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ResourceLeakDetector.setLevel(
                context.getStore(NAMESPACE).get("level", ResourceLeakDetector.Level.class));
    }
}
