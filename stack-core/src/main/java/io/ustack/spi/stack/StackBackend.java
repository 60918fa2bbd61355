/*
 * StackBackend: the SocketBackend of the base provider over a real Stack: socket creation against a buffer budget
 * (WSAENOBUFS), the stack's state (WSAENETDOWN), and every data function carried to the stack's engine thread as a
 * Request: run at once when the caller is the engine thread, otherwise queued to it; a blocking caller parks until
 * its request is finished, an overlapped one returns WSA_IO_PENDING and hears through its Overlapped.
 */
package io.ustack.spi.stack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ustack.api.Stack;
import io.ustack.engine.EventLoop;
import io.ustack.ip.MulticastGroups;
import io.ustack.spi.BlockingCalls;
import io.ustack.spi.BufferBudget;
import io.ustack.spi.ErrnoRef;
import io.ustack.spi.IntRef;
import io.ustack.spi.Overlapped;
import io.ustack.spi.ProtocolInfo;
import io.ustack.spi.SocketBackend;
import io.ustack.spi.Winsock;
import io.ustack.tcp.TcpConfig;
import io.ustack.tcp.TcpConnection;
import io.ustack.tcp.TcpLayer;
import io.ustack.udp.UdpLayer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

import static io.ustack.spi.Winsock.SOCKET_ERROR;
import static io.ustack.spi.WsaError.*;

/**
 * The engine side of a {@link io.ustack.spi.BaseProvider} on one {@link Stack}.
 *
 * <p><b>What each socket type is.</b> SOCK_STREAM over AF_INET is a TCP socket ({@link StreamSocket}), SOCK_DGRAM over
 * AF_INET a UDP socket ({@link DatagramSocket}; with the multipoint flags a c_leaf of IP multicast). The engine has no
 * IPv6 and no raw IP: WSPSocket for an AF_INET6 entry fails with WSAEAFNOSUPPORT and for SOCK_RAW with
 * WSAESOCKTNOSUPPORT, although the catalog lists them.
 *
 * <p><b>Budget.</b> A stream socket reserves SO_SNDBUF + SO_RCVBUF of the stack's TCP configuration, a datagram socket
 * UDP's receive buffer plus {@link #DATAGRAM_SEND_BYTES}; SO_RCVBUF / SO_SNDBUF resize the reservation (WSAENOBUFS
 * if it does not fit); accepted sockets reserve like new ones. It is given back when the socket closes.
 *
 * <p><b>Threads.</b> Calls run on the engine thread. From another thread a call queues its request to the engine and
 * (if not overlapped) parks until it is finished; an interrupt cancels a waiting call (WSAEINTR). On the engine
 * thread (the stack's own thread, or the test thread that drives a manual stack with {@code runOnce}) the request runs
 * at once and must not wait: a blocking call that cannot complete fails with WSAEINPROGRESS. A non-overlapped call
 * from the engine thread of another started stack fails with WSAEINPROGRESS too (it would stall that engine). A
 * manually driven stack must be driven by someone while another thread waits in a call.
 */
public final class StackBackend implements SocketBackend {
    /** Budget bytes a datagram socket reserves for sending (one datagram of the largest UDP payload). */
    public static final int DATAGRAM_SEND_BYTES = 65_536;
    static final int SCRATCH_BYTES = 65_536;
    private static final int SPINS = 256;
    private static final long PARK_NANOS = 100_000_000L;
    private static final ThreadLocal<Request> SYNC = new ThreadLocal<>();

    private final Stack stack;
    private final EventLoop loop;
    private final BufferBudget budget;
    private final TcpConfig tcpDefaults;
    // engine thread only
    private final byte[] scratch = new byte[SCRATCH_BYTES];
    private final ByteBuf scratchBuf = Unpooled.wrappedBuffer(scratch);
    private final PortTable ports = new PortTable();
    private final Set<EngineSocket> sockets = new HashSet<>();
    private volatile boolean closed;

    /** A backend for {@code stack} whose sockets reserve their buffers from {@code budget}. */
    public StackBackend(Stack stack, BufferBudget budget) {
        this.stack = stack;
        this.loop = stack.loop();
        this.budget = budget;
        this.tcpDefaults = stack.tcpConfig();
        stack.addCloseHook(this::stackClosed);
        if (stack.isStarted()) {
            try {
                loop.execute(() -> BlockingCalls.markEngineThread(true));
            } catch (RejectedExecutionException e) {
                closed = true;
            }
        }
    }

    public Stack stack() {
        return stack;
    }

    public BufferBudget budget() {
        return budget;
    }

    /** Budget bytes a new stream socket reserves. */
    public long streamReservation() {
        return (long) tcpDefaults.sendBufferSize() + tcpDefaults.receiveBufferSize();
    }

    /** Budget bytes a new datagram socket reserves. */
    public long datagramReservation() {
        return (long) UdpLayer.DEFAULT_RECEIVE_BUFFER + DATAGRAM_SEND_BYTES;
    }

    // ------------------------------------------------------------------ engine-side accessors

    TcpLayer tcp() {
        return stack.iface().tcp();
    }

    UdpLayer udp() {
        return stack.iface().udp();
    }

    MulticastGroups multicast() {
        return stack.iface().ipv4().multicast();
    }

    int localAddress() {
        return stack.iface().ipv4().config().address();
    }

    int subnetBroadcast() {
        return stack.iface().ipv4().config().subnetBroadcast();
    }

    long now() {
        return loop.now();
    }

    TcpConfig tcpDefaults() {
        return tcpDefaults;
    }

    PortTable ports() {
        return ports;
    }

    byte[] scratch() {
        return scratch;
    }

    ByteBuf scratchBuf() {
        return scratchBuf;
    }

    ByteBufAllocator allocator() {
        return stack.allocator();
    }

    void register(EngineSocket s) {
        if (!s.registered) {
            s.registered = true;
            sockets.add(s);
        }
    }

    void unregister(EngineSocket s) {
        if (s.registered) {
            s.registered = false;
            sockets.remove(s);
        }
    }

    /** A socket for a connection accepted on {@code parent}, or null if the budget cannot cover it. */
    StreamSocket adopt(StreamSocket parent, TcpConnection c) {
        long bytes = (long) parent.receiveBufferSize() + parent.sendBufferSize();
        if (!budget.tryReserve(bytes)) {
            return null;
        }
        StreamSocket child = new StreamSocket(this, bytes, parent, c);
        register(child);
        return child;
    }

    /** Engine thread: runs one request, whatever user buffers do. */
    void execute(Request r) {
        if (stack.isStarted() && !BlockingCalls.isEngineThread()) {
            BlockingCalls.markEngineThread(true); // a stack's own thread: it must never wait on another stack either
        }
        try {
            if (r.op == Request.CANCEL) {
                if (!r.socket.closed) {
                    r.socket.cancel(r.target, WSAEINTR);
                }
                return;
            }
            r.socket.execute(r);
        } catch (RuntimeException e) {
            r.fail(WSAEFAULT); // e.g. a buffer changed under a pending call; the engine goes on
            throw e;
        }
    }

    /** Close hook: the engine has stopped; nothing pending may stay pending. */
    private void stackClosed() {
        for (EngineSocket s : new ArrayList<>(sockets)) {
            s.abortAll(WSAENETDOWN);
        }
        closed = true;
    }

    // ------------------------------------------------------------------ creation

    @Override
    public int status() {
        return closed || loop.isClosed() || !loop.link().isUp() ? WSAENETDOWN : NO_ERROR;
    }

    @Override
    public boolean isEngineThread() {
        return loop.inLoop() || BlockingCalls.isEngineThread();
    }

    @Override
    public Object open(ProtocolInfo info, int protocol, int flags, ErrnoRef errno) {
        if (status() != NO_ERROR) {
            errno.set(WSAENETDOWN);
            return null;
        }
        if (info.addressFamily() != Winsock.AF_INET) {
            errno.set(WSAEAFNOSUPPORT); // the engine speaks IPv4 only
            return null;
        }
        long bytes;
        switch (info.socketType()) {
            case Winsock.SOCK_STREAM -> bytes = streamReservation();
            case Winsock.SOCK_DGRAM -> bytes = datagramReservation();
            default -> {
                errno.set(WSAESOCKTNOSUPPORT); // no raw IP in the engine
                return null;
            }
        }
        if (!budget.tryReserve(bytes)) {
            errno.set(WSAENOBUFS);
            return null;
        }
        return info.socketType() == Winsock.SOCK_STREAM ? new StreamSocket(this, bytes)
                : new DatagramSocket(this, bytes, DATAGRAM_SEND_BYTES);
    }

    @Override
    public void close(Object handle) {
        end((EngineSocket) handle, Request.CLOSE);
    }

    @Override
    public void abort(Object handle) {
        end((EngineSocket) handle, Request.ABORT);
    }

    private void end(EngineSocket s, int op) {
        Request r = new Request(op, s);
        if (loop.inLoop()) {
            r.engineThread = true;
            execute(r);
            return;
        }
        if (closed || !post(r)) {
            s.releaseBudget(); // the engine is gone with the socket's state
        }
    }

    // ------------------------------------------------------------------ submission and waiting

    /** Queues {@code r} to the engine; false if the stack is closed (then {@code r} was not queued). */
    private boolean post(Request r) {
        try {
            loop.execute(r);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private static Request sync(int op, EngineSocket socket) {
        Request r = SYNC.get();
        if (r == null || r.op != 0) {
            r = new Request(op, socket);
            SYNC.set(r);
            return r;
        }
        r.reset(op, socket);
        return r;
    }

    /** Gives a synchronous request back to its thread; one that could still be referenced is dropped instead. */
    private static void recycle(Request r, boolean clean) {
        if (clean) {
            r.reset(0, null);
        } else {
            SYNC.remove();
        }
    }

    /**
     * Runs a non-overlapped request to its end: inline on the engine thread, else queued and waited for. Returns
     * false if the request may still be referenced by the engine (it must not be reused).
     */
    private boolean run(Request r) {
        if (loop.inLoop()) {
            r.engineThread = true;
            execute(r);
            return true;
        }
        if (BlockingCalls.isEngineThread()) {
            r.abandon(WSAEINPROGRESS); // another stack's engine thread: waiting here would stall that engine
            return true;
        }
        r.waiter = Thread.currentThread();
        if (closed || !post(r)) {
            r.abandon(WSAENETDOWN);
            return true;
        }
        if (closed && r.abandon(WSAENETDOWN)) {
            return false;
        }
        return await(r);
    }

    private boolean await(Request r) {
        for (int i = 0; i < SPINS && !r.isDone(); i++) {
            Thread.onSpinWait();
        }
        if (r.isDone()) {
            return true;
        }
        boolean interrupted = false;
        boolean clean = true;
        BlockingCalls.enterBlocking();
        try {
            while (!r.isDone()) {
                LockSupport.parkNanos(r, PARK_NANOS);
                if (Thread.interrupted() && !interrupted) {
                    interrupted = true;
                    clean = false;
                    Request c = new Request(Request.CANCEL, r.socket);
                    c.target = r;
                    post(c);
                }
                if (closed && r.abandon(WSAENETDOWN)) {
                    clean = false; // its command may still sit in the stopped engine's queue
                }
            }
        } finally {
            BlockingCalls.exitBlocking();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return clean;
    }

    /** Starts an overlapped request: 0 if it completed during the call, else WSA_IO_PENDING or its error. */
    private int startOverlapped(Request r, IntRef bytes, ErrnoRef errno) {
        if (loop.inLoop()) {
            r.engineThread = true;
            execute(r);
        } else if (closed || !post(r) || closed) {
            if (r.abandon(WSAENETDOWN)) {
                r.overlapped.settle(0, 0, WSAENETDOWN);
            }
        }
        if (!r.isDone()) {
            return errno.fail(WSA_IO_PENDING, SOCKET_ERROR);
        }
        if (bytes != null) {
            bytes.set(r.result);
        }
        return r.error == NO_ERROR ? 0 : errno.fail(r.error, SOCKET_ERROR);
    }

    /** Runs a synchronous request whose outcome is just an error code. */
    private int simple(Request r, ErrnoRef errno) {
        boolean clean = run(r);
        int err = r.error;
        recycle(r, clean);
        return err == NO_ERROR ? 0 : errno.fail(err, SOCKET_ERROR);
    }

    // ------------------------------------------------------------------ data path

    @Override
    public int bind(Object socket, byte[] name, int nameLength, ErrnoRef errno) {
        Request r = sync(Request.BIND, (EngineSocket) socket);
        r.address = name;
        r.addressLength = nameLength;
        return simple(r, errno);
    }

    @Override
    public int listen(Object socket, int backlog, ErrnoRef errno) {
        Request r = sync(Request.LISTEN, (EngineSocket) socket);
        r.intArg = backlog;
        return simple(r, errno);
    }

    @Override
    public Object accept(Object socket, byte[] address, IntRef addressLength, ErrnoRef errno) {
        Request r = sync(Request.ACCEPT, (EngineSocket) socket);
        r.address = address;
        r.addressOut = addressLength;
        boolean clean = run(r);
        EngineSocket child = r.accepted;
        int err = r.error;
        recycle(r, clean);
        if (err != NO_ERROR) {
            errno.set(err);
            return null;
        }
        return child;
    }

    @Override
    public int connect(Object socket, byte[] name, int nameLength, ErrnoRef errno) {
        Request r = sync(Request.CONNECT, (EngineSocket) socket);
        r.address = name;
        r.addressLength = nameLength;
        return simple(r, errno);
    }

    private static long capacity(ByteBuffer[] buffers, int count) {
        long n = 0;
        for (int i = 0; i < count; i++) {
            n += buffers[i].remaining();
        }
        return n;
    }

    @Override
    public int send(Object socket, ByteBuffer[] buffers, int bufferCount, IntRef bytesSent, int flags, byte[] to,
            int toLength, Overlapped overlapped, ErrnoRef errno) {
        EngineSocket s = (EngineSocket) socket;
        Request r = overlapped != null ? new Request(Request.SEND, s) : sync(Request.SEND, s);
        r.buffers = buffers;
        r.count = bufferCount;
        r.capacity = capacity(buffers, bufferCount);
        r.flags = flags;
        r.address = to;
        r.addressLength = toLength;
        if (overlapped != null) {
            r.overlapped = overlapped;
            return startOverlapped(r, bytesSent, errno);
        }
        boolean clean = run(r);
        int err = r.error;
        bytesSent.set(r.result);
        recycle(r, clean);
        return err == NO_ERROR ? 0 : errno.fail(err, SOCKET_ERROR);
    }

    @Override
    public int recv(Object socket, ByteBuffer[] buffers, int bufferCount, IntRef bytesReceived, IntRef flags,
            byte[] from, IntRef fromLength, Overlapped overlapped, ErrnoRef errno) {
        EngineSocket s = (EngineSocket) socket;
        Request r = overlapped != null ? new Request(Request.RECV, s) : sync(Request.RECV, s);
        r.buffers = buffers;
        r.count = bufferCount;
        r.capacity = capacity(buffers, bufferCount);
        r.flags = flags.get();
        r.address = from;
        r.addressOut = fromLength;
        if (overlapped != null) {
            r.overlapped = overlapped;
            int result = startOverlapped(r, bytesReceived, errno);
            if (r.isDone()) {
                flags.set(r.outFlags);
            }
            return result;
        }
        boolean clean = run(r);
        int err = r.error;
        bytesReceived.set(r.result);
        flags.set(r.outFlags);
        recycle(r, clean);
        return err == NO_ERROR ? 0 : errno.fail(err, SOCKET_ERROR);
    }

    @Override
    public int shutdown(Object socket, int how, ErrnoRef errno) {
        Request r = sync(Request.SHUTDOWN, (EngineSocket) socket);
        r.intArg = how;
        return simple(r, errno);
    }

    @Override
    public int getName(Object socket, boolean peer, byte[] name, IntRef nameLength, ErrnoRef errno) {
        Request r = sync(Request.NAME, (EngineSocket) socket);
        r.intArg = peer ? 1 : 0;
        r.address = name;
        r.addressOut = nameLength;
        return simple(r, errno);
    }

    @Override
    public int getOption(Object socket, int level, int option, byte[] value, IntRef length, ErrnoRef errno) {
        Request r = sync(Request.GET_OPTION, (EngineSocket) socket);
        r.level = level;
        r.option = option;
        r.out = value;
        r.lengthOut = length;
        return simple(r, errno);
    }

    @Override
    public int setOption(Object socket, int level, int option, byte[] value, int length, ErrnoRef errno) {
        Request r = sync(Request.SET_OPTION, (EngineSocket) socket);
        r.level = level;
        r.option = option;
        r.in = value;
        r.inLength = length;
        return simple(r, errno);
    }

    @Override
    public int ioctl(Object socket, int code, byte[] in, int inLength, byte[] out, int outLength,
            IntRef bytesReturned, Overlapped overlapped, ErrnoRef errno) {
        EngineSocket s = (EngineSocket) socket;
        Request r = overlapped != null ? new Request(Request.IOCTL, s) : sync(Request.IOCTL, s);
        r.intArg = code;
        r.in = in;
        r.inLength = inLength;
        r.out = out;
        r.outLength = outLength;
        r.lengthOut = overlapped != null ? null : bytesReturned;
        if (overlapped != null) {
            r.overlapped = overlapped;
            return startOverlapped(r, bytesReturned, errno);
        }
        return simple(r, errno);
    }

    @Override
    public int joinLeaf(Object socket, byte[] name, int nameLength, int flags, ErrnoRef errno) {
        Request r = sync(Request.JOIN, (EngineSocket) socket);
        r.address = name;
        r.addressLength = nameLength;
        r.intArg = flags;
        return simple(r, errno);
    }

    @Override
    public String toString() {
        return "StackBackend[" + stack + " " + budget + "]";
    }
}
