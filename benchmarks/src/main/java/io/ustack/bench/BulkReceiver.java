/*
 * BulkReceiver: the receiving application of the bulk TCP benchmarks, at the engine level (a TcpHandler on the engine
 * thread): it reads every readable byte (RFC 9293 3.10.3 RECEIVE) into one scratch buffer, counts them, and publishes
 * the count to a waiting benchmark thread.
 */
package io.ustack.bench;

import io.netty.buffer.ByteBuf;
import io.ustack.tcp.TcpConnection;
import io.ustack.tcp.TcpHandler;

/** Callbacks on the engine thread; {@link #progress()} is for the benchmark thread. Allocates nothing. */
final class BulkReceiver implements TcpHandler {
    private final ByteBuf scratch;
    private final ProgressLatch progress = new ProgressLatch();
    private long received; // engine thread

    /** {@code scratch}: where read bytes land (overwritten each read). Not released here. */
    BulkReceiver(ByteBuf scratch) {
        this.scratch = scratch;
    }

    @Override
    public void onReadable(TcpConnection c) {
        int n;
        while ((n = c.read(scratch.clear(), scratch.capacity())) > 0) {
            received += n;
        }
        progress.publish(received);
    }

    /** Bytes read so far (engine thread, or the thread driving both stacks by hand). */
    long received() {
        return received;
    }

    ProgressLatch progress() {
        return progress;
    }
}
