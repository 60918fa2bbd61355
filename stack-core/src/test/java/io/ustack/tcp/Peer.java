package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A test application on one connection: reads everything readable (unless paused), writes a deterministic byte
 * pattern of a given length as the send buffer allows, and records every event.
 */
final class Peer implements TcpHandler {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final List<String> events = new ArrayList<>();
    TcpConnection conn;
    boolean connected;
    boolean eof;
    int closedWith = -1;
    boolean readPaused;
    private long toSend;
    private long written;
    private int patternSeed;
    private boolean closeWhenSent;
    private boolean shutdownWhenSent;
    private final ByteBuf scratch = Unpooled.buffer(64 * 1024);

    /** The byte at stream position {@code i} of pattern {@code seed}. */
    static byte pattern(int seed, long i) {
        return (byte) (i * 31 + (i >>> 9) * 7 + seed);
    }

    Peer attach(TcpConnection c) {
        this.conn = c;
        c.handler(this);
        drain();
        return this;
    }

    /** Starts sending {@code n} pattern bytes; then shuts output down or closes if asked. */
    Peer send(long n, int seed) {
        this.toSend = n;
        this.patternSeed = seed;
        pump();
        return this;
    }

    Peer closeWhenSent() {
        closeWhenSent = true;
        pump();
        return this;
    }

    Peer shutdownWhenSent() {
        shutdownWhenSent = true;
        pump();
        return this;
    }

    boolean allWritten() {
        return written == toSend;
    }

    long written() {
        return written;
    }

    void pump() {
        if (conn == null || !connected && conn.state() != TcpState.ESTABLISHED && conn.state() != TcpState.CLOSE_WAIT) {
            return;
        }
        while (written < toSend) {
            int chunk = (int) Math.min(scratch.capacity(), toSend - written);
            byte[] bytes = new byte[chunk];
            for (int i = 0; i < chunk; i++) {
                bytes[i] = pattern(patternSeed, written + i);
            }
            scratch.clear().writeBytes(bytes); // one bulk call: leak-aware buffers are slow per byte
            int n = conn.write(scratch, chunk);
            written += n;
            if (n < chunk) {
                return; // onWritable continues
            }
        }
        if (closeWhenSent && conn.state() != TcpState.CLOSED) {
            closeWhenSent = false;
            conn.close();
        } else if (shutdownWhenSent) {
            shutdownWhenSent = false;
            conn.shutdownOutput();
        }
    }

    void drain() {
        if (readPaused || conn == null) {
            return;
        }
        while (conn.available() > 0) {
            scratch.clear();
            int n = conn.read(scratch, scratch.capacity());
            byte[] chunk = new byte[n];
            scratch.readBytes(chunk);
            received.writeBytes(chunk);
        }
        if (conn.isInputShutdown() && !eof) {
            eof = true;
            events.add("eof");
        }
    }

    /** Asserts the received bytes are exactly {@code n} bytes of pattern {@code seed}. */
    boolean receivedPattern(long n, int seed) {
        byte[] got = received.toByteArray();
        if (got.length != n) {
            return false;
        }
        for (int i = 0; i < got.length; i++) {
            if (got[i] != pattern(seed, i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void onConnected(TcpConnection c) {
        connected = true;
        events.add("connected");
        pump();
    }

    @Override
    public void onReadable(TcpConnection c) {
        drain();
    }

    @Override
    public void onWritable(TcpConnection c) {
        events.add("writable");
        pump();
    }

    @Override
    public void onClosed(TcpConnection c, int wsaError) {
        events.add("closed " + wsaError);
        closedWith = wsaError;
    }

    void release() {
        scratch.release();
    }
}
