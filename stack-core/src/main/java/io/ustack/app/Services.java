/*
 * Services: the small servers `ustack serve` and the demo run on a stack: echo (RFC 862) on TCP and UDP port 7,
 * discard (RFC 863) on TCP and UDP port 9, and a minimal HTTP/1.1 server (RFC 9112) on port 80.
 */
package io.ustack.app;

import io.ustack.api.Datagram;
import io.ustack.api.Stack;
import io.ustack.api.TcpServerSocket;
import io.ustack.api.TcpSocket;
import io.ustack.api.UdpSocket;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Runs the services on virtual threads (blocking calls on the stack's futures). {@link #close()} stops them.
 */
public final class Services implements AutoCloseable {
    public static final int ECHO = 7;
    public static final int DISCARD = 9;
    public static final int HTTP = 80;

    private final Stack stack;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<AutoCloseable> sockets = new ArrayList<>();
    private volatile boolean closed;

    private Services(Stack stack) {
        this.stack = stack;
    }

    /** Starts echo and discard (TCP and UDP) and HTTP on their well-known ports. */
    public static Services start(Stack stack) {
        return start(stack, ECHO, DISCARD, HTTP);
    }

    public static Services start(Stack stack, int echoPort, int discardPort, int httpPort) {
        Services s = new Services(stack);
        s.tcp(echoPort, Services::echo);
        s.tcp(discardPort, Services::discard);
        s.tcp(httpPort, HttpConnection::serve);
        s.udp(echoPort, true);
        s.udp(discardPort, false);
        return s;
    }

    private void tcp(int port, Consumer<TcpSocket> handler) {
        TcpServerSocket server = stack.listen(port, 128).join();
        sockets.add(server);
        threads.execute(() -> {
            while (!closed) {
                TcpSocket c;
                try {
                    c = server.accept().join();
                } catch (CompletionException e) {
                    return; // closed
                }
                threads.execute(() -> {
                    try {
                        handler.accept(c);
                    } catch (CompletionException e) {
                        c.abort(); // reset or timeout: nothing more to do with this connection
                    } finally {
                        c.close();
                    }
                });
            }
        });
    }

    private void udp(int port, boolean echo) {
        UdpSocket u = stack.openUdp(port).join();
        sockets.add(u);
        threads.execute(() -> {
            while (!closed) {
                Datagram d;
                try {
                    d = u.receive().join();
                } catch (CompletionException e) {
                    return;
                }
                if (echo) {
                    u.sendTo(d.data(), d.source());
                }
            }
        });
    }

    static void echo(TcpSocket c) {
        ByteBuffer b = ByteBuffer.allocateDirect(64 * 1024);
        while (c.read(b.clear()).join() >= 0) {
            b.flip();
            c.write(b).join();
        }
    }

    static void discard(TcpSocket c) {
        // 1 MiB reads: each read is one hand-off between the engine and this thread; with 64 KiB reads the kernel's
        // upload over a TAP measured 5.5-5.9 Gbit/s, with 256 KiB 7.8-12.2, with 1 MiB 9.5-13.1 (benchmarks/README)
        ByteBuffer b = ByteBuffer.allocate(Integer.getInteger("ustack.discardBuffer", 1 << 20));
        while (c.read(b.clear()).join() >= 0) {
            // discard
        }
    }

    @Override
    public void close() {
        closed = true;
        for (AutoCloseable s : sockets) {
            try {
                s.close();
            } catch (Exception ignored) {
                // closing a socket of a stack that is going away
            }
        }
        threads.shutdownNow();
    }
}
