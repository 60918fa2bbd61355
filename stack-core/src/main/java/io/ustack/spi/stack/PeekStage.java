/*
 * PeekStage: bytes a MSG_PEEK receive took out of a TCP connection (whose receive path has no peek) and that the next
 * receives must see first; and the copy from the connection into a request's WSABUFs through the engine's scratch
 * array. Allocated on the first peek, released when empty and when the socket closes.
 */
package io.ustack.spi.stack;

import io.netty.buffer.ByteBuf;
import io.ustack.tcp.TcpConnection;

/** Engine thread only. */
final class PeekStage {
    private final StackBackend backend;
    private ByteBuf staged;

    PeekStage(StackBackend backend) {
        this.backend = backend;
    }

    /** Bytes peeked and not yet received. */
    int size() {
        return staged != null ? staged.readableBytes() : 0;
    }

    /**
     * Moves {@code n} readable bytes (staged ones first, then the connection's) into the request's buffers at its
     * progress; with {@code peek} copies them and leaves them readable. Returns the bytes moved.
     */
    int take(TcpConnection conn, Request r, int n, boolean peek) {
        byte[] scratch = backend.scratch();
        if (peek) {
            int have = size();
            if (have < n) {
                if (staged == null) {
                    staged = backend.allocator().directBuffer(n);
                }
                staged.ensureWritable(n - have);
                conn.read(staged, n - have);
            }
            int k = Math.min(n, staged.readableBytes());
            copyStaged(r, r.progress, k, scratch);
            return k;
        }
        int moved = 0;
        if (staged != null) {
            int k = Math.min(n, staged.readableBytes());
            copyStaged(r, r.progress, k, scratch);
            staged.skipBytes(k);
            moved = k;
            if (!staged.isReadable()) {
                release();
            }
        }
        ByteBuf sb = backend.scratchBuf();
        while (moved < n) {
            sb.clear();
            int got = conn.read(sb, Math.min(n - moved, scratch.length));
            if (got <= 0) {
                break;
            }
            Buffers.scatter(r.buffers, r.count, r.progress + moved, scratch, 0, got);
            moved += got;
        }
        return moved;
    }

    private void copyStaged(Request r, long at, int n, byte[] scratch) {
        int done = 0;
        while (done < n) {
            int k = Math.min(n - done, scratch.length);
            staged.getBytes(staged.readerIndex() + done, scratch, 0, k);
            Buffers.scatter(r.buffers, r.count, at + done, scratch, 0, k);
            done += k;
        }
    }

    void release() {
        if (staged != null) {
            staged.release();
            staged = null;
        }
    }
}
