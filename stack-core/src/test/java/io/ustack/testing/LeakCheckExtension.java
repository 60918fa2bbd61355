/*
 * LeakCheckExtension: after each test class, forces Netty's leak detector to look (GC, then fresh tracked
 * allocations) and fails the class if any ByteBuf leaked. Auto-registered for every test (junit-platform.properties).
 */
package io.ustack.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/** Fails a test class that leaked a netty buffer (leak detection runs at PARANOID in tests). */
public final class LeakCheckExtension implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (!RecordingLeakDetector.installed()) {
            return;
        }
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            // leak reports are produced when the detector tracks a new buffer
            for (int i = 0; i < 64; i++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(8);
                b.release();
                ByteBuf h = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
                h.release();
            }
        }
        List<String> leaks = RecordingLeakDetector.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " ByteBuf leak(s) in " + context.getDisplayName() + ":\n"
                    + String.join("\n", leaks.subList(0, Math.min(3, leaks.size()))));
        }
    }
}
