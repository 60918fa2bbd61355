/*
 * DatagramSocket: a SOCK_DGRAM provider socket over the UDP engine (RFC 768, RFC 1122 4.1.3): bound explicitly or on
 * first use, optionally connected (then it sends only to its peer and receives only from it), receives served in
 * posting order, datagrams larger than the buffers truncated with WSAEMSGSIZE, SO_BROADCAST; and for the multipoint
 * entry a c_leaf join of an IP multicast group (RFC 1112).
 */
package io.ustack.spi.stack;

import io.netty.buffer.ByteBuf;
import io.ustack.spi.IntRef;
import io.ustack.spi.OptionValue;
import io.ustack.spi.SockAddr;
import io.ustack.spi.Winsock;
import io.ustack.spi.WsaException;
import io.ustack.udp.UdpEndpoint;
import io.ustack.udp.UdpHandler;
import io.ustack.udp.UdpLayer;
import io.ustack.wire.Ipv4Address;

import java.util.ArrayDeque;

import static io.ustack.spi.SocketOptions.*;
import static io.ustack.spi.WsaError.*;

/** A UDP socket. Engine thread only. */
final class DatagramSocket extends EngineSocket implements UdpHandler {
    private UdpEndpoint endpoint;
    private boolean connected;
    private int peerIp;
    private int peerPort;
    private boolean broadcast;
    private boolean sendShutdown;
    private boolean recvShutdown;
    private int receiveBufferSize = UdpLayer.DEFAULT_RECEIVE_BUFFER;
    private int sendBufferSize;
    /** WSPJoinLeaf: the session's group and port, and the JL_* role (0: not joined). */
    private int group;
    private int groupPort;
    private int joinRole;
    private final ArrayDeque<Request> recvs = new ArrayDeque<>(4);

    DatagramSocket(StackBackend backend, long reserved, int sendBufferSize) {
        super(backend, reserved);
        this.sendBufferSize = sendBufferSize;
    }

    @Override
    int bind(int ip, int port) {
        if (endpoint != null) {
            return WSAEINVAL;
        }
        if (ip != 0 && ip != backend.localAddress()) {
            return WSAEADDRNOTAVAIL;
        }
        try {
            endpoint = backend.udp().bind(ip, port);
        } catch (WsaException e) {
            return e.error();
        }
        endpoint.handler(this);
        endpoint.receiveBufferSize(receiveBufferSize);
        return NO_ERROR;
    }

    /** Binds to INADDR_ANY and an ephemeral port if not bound yet (sendto, connect, join). */
    private int implicitBind() {
        return endpoint != null ? NO_ERROR : bind(0, 0);
    }

    private boolean isBroadcast(int ip) {
        return Ipv4Address.isBroadcast(ip) || ip == backend.subnetBroadcast();
    }

    @Override
    void connect(Request r, int ip, int port) {
        if (ip == 0 && port == 0) {
            connected = false; // connecting to the null address dissolves the association
            if (endpoint != null) {
                endpoint.connect(0, 0);
            }
            r.complete(0);
            return;
        }
        if (ip == 0 || port == 0) {
            r.fail(WSAEADDRNOTAVAIL);
            return;
        }
        if (isBroadcast(ip) && !broadcast) {
            r.fail(WSAEACCES);
            return;
        }
        int err = implicitBind();
        if (err != NO_ERROR) {
            r.fail(err);
            return;
        }
        endpoint.connect(ip, port);
        connected = true;
        peerIp = ip;
        peerPort = port;
        r.complete(0);
    }

    @Override
    void send(Request r) {
        if (sendShutdown) {
            r.fail(WSAESHUTDOWN);
            return;
        }
        int ip;
        int port;
        if (connected) {
            ip = peerIp;
            port = peerPort;
        } else if ((joinRole & (Winsock.JL_SENDER_ONLY | Winsock.JL_BOTH)) != 0 && r.address == null) {
            ip = group;
            port = groupPort;
        } else if (r.address == null) {
            r.fail(r.addressLength < 0 ? WSAENOTCONN : WSAEDESTADDRREQ);
            return;
        } else {
            int err = SockAddr.check(r.address, r.addressLength, Winsock.AF_INET);
            if (err != NO_ERROR) {
                r.fail(err);
                return;
            }
            ip = SockAddr.inet4Address(r.address);
            port = SockAddr.port(r.address);
            if (ip == 0 || port == 0) {
                r.fail(WSAEADDRNOTAVAIL);
                return;
            }
        }
        if (isBroadcast(ip) && !broadcast) {
            r.fail(WSAEACCES);
            return;
        }
        int err = implicitBind();
        if (err != NO_ERROR) {
            r.fail(err);
            return;
        }
        int len = (int) r.capacity;
        byte[] scratch = backend.scratch();
        if (len > scratch.length) {
            r.fail(WSAEMSGSIZE);
            return;
        }
        Buffers.gather(r.buffers, r.count, 0, scratch, 0, len);
        ByteBuf sb = backend.scratchBuf();
        sb.setIndex(0, len);
        try {
            endpoint.sendTo(sb, ip, port, backend.now());
        } catch (WsaException e) {
            r.fail(e.error());
            return;
        }
        r.complete(len);
    }

    @Override
    void recv(Request r) {
        if (endpoint == null) {
            r.fail(WSAEINVAL); // receiving needs a local port: bind, connect, sendto or join first
            return;
        }
        if (recvShutdown) {
            r.fail(WSAESHUTDOWN);
            return;
        }
        post(r, recvs);
    }

    @Override
    public void onReadable(UdpEndpoint e) {
        if (!closed && e == endpoint) {
            serve();
        }
    }

    /** A connected socket receives only from its peer: datagrams queued before connect from others are dropped. */
    private void dropForeign() {
        while (connected && endpoint.queued() > 0
                && (endpoint.nextSourceAddress() != peerIp || endpoint.nextSourcePort() != peerPort)) {
            endpoint.poll().release();
        }
    }

    /** Serves the receives in posting order. */
    @Override
    void serve() {
        Request r;
        while ((r = recvs.peek()) != null) {
            if (recvShutdown) {
                recvs.poll();
                r.fail(WSAESHUTDOWN);
                continue;
            }
            dropForeign();
            if (endpoint.queued() == 0) {
                return;
            }
            recvs.poll();
            if (!r.claim()) {
                continue;
            }
            boolean peek = (r.flags & MSG_PEEK) != 0;
            int srcIp = endpoint.nextSourceAddress();
            int srcPort = endpoint.nextSourcePort();
            ByteBuf d = peek ? endpoint.peek() : endpoint.poll();
            int size = d.readableBytes();
            int n = (int) Math.min(size, r.capacity);
            byte[] scratch = backend.scratch();
            d.getBytes(d.readerIndex(), scratch, 0, n);
            if (!peek) {
                d.release();
            }
            Buffers.scatter(r.buffers, r.count, 0, scratch, 0, n);
            if (r.address != null) {
                writeName(r.address, r.addressOut, srcIp, srcPort);
            }
            r.progress = n;
            if (n < size) {
                r.fail(WSAEMSGSIZE); // the buffers are full; the rest of the datagram is gone
            } else {
                r.complete(n);
            }
        }
    }

    @Override
    int shutdown(int how) {
        if (how == SD_RECEIVE || how == SD_BOTH) {
            recvShutdown = true;
            if (endpoint != null) {
                serve();
            }
        }
        if (how == SD_SEND || how == SD_BOTH) {
            sendShutdown = true;
        }
        return NO_ERROR;
    }

    @Override
    int join(int g, int port, int role) {
        if (joinRole != 0) {
            return WSAEISCONN;
        }
        if (!Ipv4Address.isMulticast(g) || port == 0) {
            return WSAEADDRNOTAVAIL;
        }
        boolean receives = role != Winsock.JL_SENDER_ONLY;
        if (receives) {
            // the group's datagrams go to its port: the socket must be (or become) bound to it
            if (endpoint == null) {
                int err = bind(0, port);
                if (err != NO_ERROR) {
                    return err;
                }
            } else if (endpoint.localPort() != port) {
                return WSAEINVAL;
            }
            backend.multicast().join(g, backend.now());
        } else {
            int err = implicitBind();
            if (err != NO_ERROR) {
                return err;
            }
        }
        group = g;
        groupPort = port;
        joinRole = role;
        return NO_ERROR;
    }

    private void leaveGroup() {
        if (joinRole != 0 && joinRole != Winsock.JL_SENDER_ONLY) {
            backend.multicast().leave(group, backend.now());
        }
        joinRole = 0;
    }

    @Override
    int name(boolean peer, byte[] dst, IntRef length) {
        if (peer) {
            return connected ? writeName(dst, length, peerIp, peerPort) : WSAENOTCONN;
        }
        if (endpoint == null) {
            return WSAEINVAL;
        }
        int ip = endpoint.localAddress();
        return writeName(dst, length, ip == 0 && connected ? backend.localAddress() : ip, endpoint.localPort());
    }

    @Override
    int readable() {
        if (endpoint == null) {
            return 0;
        }
        dropForeign();
        return endpoint.queued() == 0 ? 0 : endpoint.nextSize();
    }

    @Override
    int atMark(byte[] out) {
        return WSAEINVAL; // no urgent data on a datagram socket
    }

    @Override
    boolean isListening() {
        return false;
    }

    @Override
    int receiveBufferSize() {
        return receiveBufferSize;
    }

    @Override
    int sendBufferSize() {
        return sendBufferSize;
    }

    @Override
    int applyBufferSizes(int receive, int send) {
        receiveBufferSize = receive;
        sendBufferSize = send; // UDP sends go out at once; the value is kept for getsockopt
        if (endpoint != null) {
            endpoint.receiveBufferSize(receive);
        }
        return NO_ERROR;
    }

    @Override
    int typeGetOption(int level, int option, byte[] value, IntRef length) {
        if (level == SOL_SOCKET && option == SO_BROADCAST) {
            return putBool(value, length, broadcast);
        }
        return unknownOption(level);
    }

    @Override
    int typeSetOption(int level, int option, byte[] value, int length) {
        if (level == SOL_SOCKET && option == SO_BROADCAST) {
            if (length < OptionValue.INT_LENGTH) {
                return WSAEFAULT;
            }
            broadcast = OptionValue.getInt(value, 0) != 0;
            return NO_ERROR;
        }
        return unknownOption(level);
    }

    @Override
    void close(boolean abort) {
        failAll(recvs, WSA_OPERATION_ABORTED, WSAEINTR);
        closed = true;
        leaveGroup();
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Override
    void abortAll(int code) {
        failAll(recvs, code, code);
    }

    @Override
    void cancel(Request target, int code) {
        if (recvs.remove(target)) {
            target.fail(code);
        }
    }

    @Override
    public String toString() {
        return "DatagramSocket[" + (endpoint != null ? "port=" + endpoint.localPort() : "unbound")
                + (connected ? " peer=" + Ipv4Address.toString(peerIp) + ":" + peerPort : "") + "]";
    }
}
