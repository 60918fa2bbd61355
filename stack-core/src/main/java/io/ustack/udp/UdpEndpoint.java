/*
 * UdpEndpoint: the engine-side state of one UDP socket (RFC 768; RFC 1122 4.1.3): its local port, an optional
 * connected peer (which filters input and is the default destination), and a bounded receive queue of datagrams.
 */
package io.ustack.udp;

import io.netty.buffer.ByteBuf;
import io.ustack.spi.WsaError;
import io.ustack.spi.WsaException;
import io.ustack.wire.DropReason;

/**
 * A bound UDP endpoint. The receive queue is a ring of preallocated slots (buffer, source address, source port),
 * bounded by datagram count and by bytes (SO_RCVBUF), so queuing a datagram allocates only its pooled payload
 * buffer. Engine thread only.
 */
public final class UdpEndpoint {
    private final UdpLayer layer;
    private final int localIp;
    private final int localPort;
    private final ByteBuf[] data;
    private final int[] srcIps;
    private final int[] srcPorts;
    private int head;
    private int count;
    private int queuedBytes;
    private int receiveBufferSize;
    private int peerIp;
    private int peerPort;
    private UdpHandler handler;
    private boolean closed;

    UdpEndpoint(UdpLayer layer, int localIp, int localPort, int queueSlots, int receiveBufferSize) {
        this.layer = layer;
        this.localIp = localIp;
        this.localPort = localPort;
        this.data = new ByteBuf[queueSlots];
        this.srcIps = new int[queueSlots];
        this.srcPorts = new int[queueSlots];
        this.receiveBufferSize = receiveBufferSize;
    }

    public int localAddress() {
        return localIp;
    }

    public int localPort() {
        return localPort;
    }

    public void handler(UdpHandler h) {
        this.handler = h;
    }

    /** Connects (RFC 1122 4.1.3.4 style filtering): only this peer's datagrams are received; 0/0 disconnects. */
    public void connect(int ip, int port) {
        this.peerIp = ip;
        this.peerPort = port;
    }

    public boolean isConnected() {
        return peerPort != 0;
    }

    public int peerAddress() {
        return peerIp;
    }

    public int peerPort() {
        return peerPort;
    }

    public void receiveBufferSize(int bytes) {
        this.receiveBufferSize = Math.max(bytes, 0);
    }

    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    /** Datagrams waiting. */
    public int queued() {
        return count;
    }

    /** Size of the next datagram's payload, or -1 if none (FIONREAD on a datagram socket). */
    public int nextSize() {
        return count == 0 ? -1 : data[head].readableBytes();
    }

    /** Source address of the next datagram (valid when {@link #queued()} > 0). */
    public int nextSourceAddress() {
        return srcIps[head];
    }

    public int nextSourcePort() {
        return srcPorts[head];
    }

    /** The next datagram's payload without removing it (MSG_PEEK), or null if none. Still owned by the queue. */
    public ByteBuf peek() {
        return count == 0 ? null : data[head];
    }

    /**
     * Removes the next datagram and returns its payload (the caller releases it), or null if none. The source is
     * readable with {@link #nextSourceAddress()} / {@link #nextSourcePort()} before this call.
     */
    public ByteBuf poll() {
        if (count == 0) {
            return null;
        }
        ByteBuf b = data[head];
        data[head] = null;
        head = (head + 1) % data.length;
        count--;
        queuedBytes -= b.readableBytes();
        return b;
    }

    /** Sends a datagram to {@code dstIp:dstPort} (the connected peer when both are 0). */
    public void sendTo(ByteBuf payload, int dstIp, int dstPort, long now) {
        if (closed) {
            throw new WsaException(WsaError.WSAENOTSOCK, "the UDP endpoint is closed");
        }
        if (dstIp == 0 && dstPort == 0) {
            if (!isConnected()) {
                throw new WsaException(WsaError.WSAENOTCONN, "no destination and the socket is not connected");
            }
            dstIp = peerIp;
            dstPort = peerPort;
        }
        layer.send(this, payload, dstIp, dstPort, now);
    }

    boolean accepts(int srcIp, int srcPort) {
        return !isConnected() || (srcIp == peerIp && srcPort == peerPort);
    }

    DropReason enqueue(ByteBuf buf, int offset, int length, int srcIp, int srcPort, io.netty.buffer.ByteBufAllocator a) {
        if (count == data.length || queuedBytes + length > receiveBufferSize) {
            return DropReason.RECEIVE_QUEUE_FULL;
        }
        ByteBuf copy = a.directBuffer(Math.max(length, 1));
        copy.writeBytes(buf, offset, length);
        int slot = (head + count) % data.length;
        data[slot] = copy;
        srcIps[slot] = srcIp;
        srcPorts[slot] = srcPort;
        count++;
        queuedBytes += length;
        UdpHandler h = handler;
        if (h != null) {
            h.onReadable(this);
        }
        return DropReason.NONE;
    }

    /** Unbinds and releases every queued datagram. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ByteBuf b;
        while ((b = poll()) != null) {
            b.release();
        }
        layer.unbind(this);
    }

    public boolean isClosed() {
        return closed;
    }
}
