/*
 * RequiresKernelPeer: marks a test class or method that needs a KernelPeer (root, /dev/net/tun, iproute2), and
 * optionally some commands; checked before @BeforeAll runs, with HostRequirements' rule (skip, or fail on CI).
 */
package io.ustack.it;

import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.AnnotatedElement;

/** Put on a test class (or method): it is skipped, or fails under CI=true, unless a KernelPeer can run here. */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(RequiresKernelPeer.Check.class)
public @interface RequiresKernelPeer {
    /** Commands the test runs besides `ip`, e.g. {"ping"}. */
    String[] commands() default {};

    /** The JUnit extension behind the annotation. */
    final class Check implements BeforeAllCallback, BeforeEachCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            check(context.getRequiredTestClass());
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            context.getTestMethod().ifPresent(Check::check);
        }

        private static void check(AnnotatedElement element) {
            RequiresKernelPeer annotation = element.getAnnotation(RequiresKernelPeer.class);
            if (annotation == null) {
                return;
            }
            HostRequirements.requireKernelPeer();
            for (String command : annotation.commands()) {
                HostRequirements.requireCommand(command);
            }
        }
    }
}
