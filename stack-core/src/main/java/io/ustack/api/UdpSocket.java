/*
 * UdpSocket: a thread-safe UDP socket over a Stack (RFC 768): sendTo/receive as CompletableFutures, connect to fix
 * the peer. Receives complete in the order they were posted.
 */
package io.ustack.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.udp.UdpEndpoint;
import io.ustack.wire.Ipv4Address;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/** A UDP socket. All methods are thread-safe; completions run on the stack's engine thread. */
public final class UdpSocket implements AutoCloseable {
    private final Stack stack;
    private final UdpEndpoint endpoint;
    /** Posted receives, oldest first; engine thread only. */
    private final ArrayDeque<CompletableFuture<Datagram>> receives = new ArrayDeque<>();
    /** A datagram taken for a receive that was abandoned at that very moment; goes to the next receive. */
    private Datagram carried;

    private UdpSocket(Stack stack, UdpEndpoint endpoint) {
        this.stack = stack;
        this.endpoint = endpoint;
        endpoint.handler(e -> deliver());
    }

    static CompletableFuture<UdpSocket> open(Stack stack, int port) {
        return stack.call(iface -> new UdpSocket(stack, iface.udp().bind(0, port)));
    }

    /** The engine-side endpoint (engine thread only). */
    public UdpEndpoint endpoint() {
        return endpoint;
    }

    public InetSocketAddress localAddress() {
        return new InetSocketAddress(Ipv4Address.toInetAddress(stack.ipv4().address()), endpoint.localPort());
    }

    /** Sends {@code data} (its remaining bytes; its position is not moved) to {@code to}. */
    public CompletableFuture<Void> sendTo(ByteBuffer data, InetSocketAddress to) {
        int ip = address(to);
        ByteBuf copy = Unpooled.copiedBuffer(data.duplicate());
        return stack.call(iface -> {
            try {
                endpoint.sendTo(copy, ip, to.getPort(), stack.loop().now());
            } finally {
                copy.release();
            }
            return null;
        });
    }

    /** Sends to the connected peer. */
    public CompletableFuture<Void> send(ByteBuffer data) {
        ByteBuf copy = Unpooled.copiedBuffer(data.duplicate());
        return stack.call(iface -> {
            try {
                endpoint.sendTo(copy, 0, 0, stack.loop().now());
            } finally {
                copy.release();
            }
            return null;
        });
    }

    /** Fixes the peer: sends go there and only its datagrams are received. */
    public CompletableFuture<Void> connect(InetSocketAddress peer) {
        int ip = address(peer);
        return stack.call(iface -> {
            endpoint.connect(ip, peer.getPort());
            return null;
        });
    }

    /** The next datagram (futures complete in the order posted). */
    public CompletableFuture<Datagram> receive() {
        CompletableFuture<Datagram> f = new CompletableFuture<>();
        TcpSocket.runOrFail(stack, f, () -> {
            if (endpoint.isClosed()) {
                f.completeExceptionally(new WsaException(WsaError.WSAENOTSOCK, "the socket is closed"));
                return;
            }
            receives.add(f);
            deliver();
        });
        return f;
    }

    private void deliver() {
        while (endpoint.queued() > 0 || carried != null) {
            CompletableFuture<Datagram> f = nextLiveReceive();
            if (f == null) {
                return;
            }
            Datagram d = carried != null ? carried : take();
            carried = null;
            if (!f.complete(d)) {
                carried = d; // abandoned between the check and now (timeout, cancel): keep it for the next receive
            }
        }
    }

    /** The oldest posted receive that nobody gave up on (timed out or cancelled ones are dropped), or null. */
    private CompletableFuture<Datagram> nextLiveReceive() {
        CompletableFuture<Datagram> f;
        while ((f = receives.peek()) != null && f.isDone()) {
            receives.poll();
        }
        return receives.poll();
    }

    private Datagram take() {
        int srcIp = endpoint.nextSourceAddress();
        int srcPort = endpoint.nextSourcePort();
        ByteBuf b = endpoint.poll();
        ByteBuffer data = ByteBuffer.allocate(b.readableBytes());
        b.readBytes(data);
        b.release();
        data.flip();
        return new Datagram(new InetSocketAddress(Ipv4Address.toInetAddress(srcIp), srcPort), data);
    }

    /** Closes the socket; pending receives fail with WSA_OPERATION_ABORTED. */
    @Override
    public void close() {
        stack.run(() -> {
            endpoint.close();
            CompletableFuture<Datagram> f;
            while ((f = receives.poll()) != null) {
                f.completeExceptionally(new WsaException(WsaError.WSA_OPERATION_ABORTED, "the socket was closed"));
            }
        });
    }

    static int address(InetSocketAddress a) {
        if (a.isUnresolved() || !(a.getAddress() instanceof Inet4Address)) {
            throw new WsaException(WsaError.WSAEAFNOSUPPORT, "not an IPv4 address: " + a);
        }
        return Ipv4Address.fromInetAddress(a.getAddress());
    }
}
