/*
 * Buffers: scatter and gather between a WSABUF array (ByteBuffer[], each buffer's position..limit) and the engine's
 * scratch array, at a byte offset into the array's total, with absolute puts and gets so the caller's buffers keep
 * their position and limit (a WSABUF is not changed by a call).
 */
package io.ustack.spi.stack;

import java.nio.ByteBuffer;

/** Static helpers; no allocation. */
final class Buffers {
    private Buffers() {
    }

    /** Copies {@code len} bytes of {@code src} into the buffers, starting {@code skip} bytes into them. */
    static void scatter(ByteBuffer[] buffers, int count, long skip, byte[] src, int off, int len) {
        for (int i = 0; i < count && len > 0; i++) {
            ByteBuffer b = buffers[i];
            int rem = b.remaining();
            if (skip >= rem) {
                skip -= rem;
                continue;
            }
            int k = Math.min(len, rem - (int) skip);
            b.put(b.position() + (int) skip, src, off, k);
            skip = 0;
            off += k;
            len -= k;
        }
    }

    /** Copies {@code len} bytes of the buffers, starting {@code skip} bytes into them, into {@code dst}. */
    static void gather(ByteBuffer[] buffers, int count, long skip, byte[] dst, int off, int len) {
        for (int i = 0; i < count && len > 0; i++) {
            ByteBuffer b = buffers[i];
            int rem = b.remaining();
            if (skip >= rem) {
                skip -= rem;
                continue;
            }
            int k = Math.min(len, rem - (int) skip);
            b.get(b.position() + (int) skip, dst, off, k);
            skip = 0;
            off += k;
            len -= k;
        }
    }
}
