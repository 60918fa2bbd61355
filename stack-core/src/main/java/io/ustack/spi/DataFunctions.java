/*
 * DataFunctions: the data functions of the base provider (WSPBind, WSPListen, WSPAccept, WSPConnect, WSPSend,
 * WSPSendTo, WSPRecv, WSPRecvFrom, WSPShutdown, WSPGetSockName, WSPGetPeerName, WSPGetSockOpt, WSPSetSockOpt,
 * WSPIoctl, WSPJoinLeaf, WSPGetOverlappedResult): the checks that need no engine, in a fixed order, then the
 * SocketBackend call.
 */
package io.ustack.spi;

import java.nio.ByteBuffer;

import static io.ustack.spi.SocketOptions.*;
import static io.ustack.spi.Winsock.INVALID_SOCKET;
import static io.ustack.spi.Winsock.SOCKET_ERROR;
import static io.ustack.spi.WsaError.*;

/**
 * The base provider's data path. Every function checks, in this order: WSAEINPROGRESS (a blocking call or callback
 * on this thread), WSANOTINITIALISED, WSAENETDOWN ({@link SocketBackend#status()}), WSAENOTSOCK (descriptor not
 * open), then its own arguments (WSAEFAULT for missing or too small buffers, lengths and sockaddrs; WSAEAFNOSUPPORT
 * for a sockaddr of another family; WSAEOPNOTSUPP for a function or flag the socket type does not have; WSAEINVAL for
 * bad values), then the engine's checks. On a socket without WSA_FLAG_OVERLAPPED the Overlapped argument is ignored.
 */
final class DataFunctions {
    /** WSPSend flags this provider honours (MSG_DONTROUTE: every destination is on the routing table anyway). */
    static final int SEND_FLAGS = MSG_DONTROUTE;
    /** WSPRecv flags this provider honours. */
    static final int RECV_FLAGS = MSG_PEEK | MSG_WAITALL;

    private final BaseProvider base;
    private final SocketBackend backend;

    DataFunctions(BaseProvider base, SocketBackend backend) {
        this.base = base;
        this.backend = backend;
    }

    /** The prologue common to all functions: the socket, or null with the error in errno. */
    private ProviderSocket enter(int s, ErrnoRef errno) {
        if (BlockingCalls.inProgress()) {
            errno.set(WSAEINPROGRESS);
            return null;
        }
        if (!base.isStarted()) {
            errno.set(WSANOTINITIALISED);
            return null;
        }
        int status = backend.status();
        if (status != NO_ERROR) {
            errno.set(status);
            return null;
        }
        ProviderSocket ps = base.socket(s);
        if (ps == null) {
            errno.set(WSAENOTSOCK);
        }
        return ps;
    }

    /**
     * True if {@code handle}, read from the socket of {@code s}, belongs to it: {@code s} is still open, so the pooled
     * socket object was not reused meanwhile (everything read from it before this check is consistent).
     */
    private boolean still(int s, Object handle, ErrnoRef errno) {
        if (handle == null || !base.isLive(s)) {
            errno.set(WSAENOTSOCK);
            return false;
        }
        return true;
    }

    static int checkBuffers(ByteBuffer[] buffers, int count, boolean writable) {
        if (buffers == null || count < 0 || count > buffers.length) {
            return WSAEFAULT;
        }
        for (int i = 0; i < count; i++) {
            if (buffers[i] == null || (writable && buffers[i].isReadOnly())) {
                return WSAEFAULT;
            }
        }
        return NO_ERROR;
    }

    static long capacity(ByteBuffer[] buffers, int count) {
        long n = 0;
        for (int i = 0; i < count; i++) {
            n += buffers[i].remaining();
        }
        return n;
    }

    /** An in/out sockaddr buffer: WSAEFAULT unless it can hold a sockaddr of {@code af}. */
    private static boolean addressBufferFits(byte[] sa, IntRef length, int af) {
        return sa != null && length != null && length.get() >= SockAddr.lengthOf(af) && length.get() <= sa.length;
    }

    private static int fail(ErrnoRef errno, int code) {
        return errno.fail(code, SOCKET_ERROR);
    }

    int bind(int s, byte[] name, int nameLength, ErrnoRef errno) {
        ProviderSocket ps = enter(s, errno);
        if (ps == null) {
            return SOCKET_ERROR;
        }
        int af = ps.addressFamily();
        Object h = ps.backendHandle();
        if (!still(s, h, errno)) {
            return SOCKET_ERROR;
        }
        int err = SockAddr.check(name, nameLength, af);
        return err != NO_ERROR ? fail(errno, err) : backend.bind(h, name, nameLength, errno);
    }

    int listen(int s, int backlog, ErrnoRef errno) {
        ProviderSocket ps = enter(s, errno);
        if (ps == null) {
            return SOCKET_ERROR;
        }
        int type = ps.socketType();
        Object h = ps.backendHandle();
        if (!still(s, h, errno)) {
            return SOCKET_ERROR;
        }
        return type != Winsock.SOCK_STREAM ? fail(errno, WSAEOPNOTSUPP) : backend.listen(h, backlog, errno);
    }

    int accept(int s, byte[] address, IntRef addressLength, AcceptCondition condition, ErrnoRef errno) {
        ProviderSocket ps = enter(s, errno);
        if (ps == null) {
            return INVALID_SOCKET;
        }
        ProtocolInfo info = ps.protocolInfo();
        int af = ps.addressFamily();
        int type = ps.socketType();
        int protocol = ps.protocol();
        int flags = ps.flags();
        Object h = ps.backendHandle();
        if (!still(s, h, errno)) {
            return INVALID_SOCKET;
        }
        if (type != Winsock.SOCK_STREAM) {
            return errno.fail(WSAEOPNOTSUPP, INVALID_SOCKET);
        }
        if (address != null && !addressBufferFits(address, addressLength, af)) {
            return errno.fail(WSAEFAULT, INVALID_SOCKET);
        }
        Object child = backend.accept(h, address, address != null ? addressLength : null, errno);
        if (child == null) {
            return INVALID_SOCKET;
        }
        if (condition != null) {
            int n = SockAddr.lengthOf(af);
            byte[] caller = new byte[n];
            byte[] callee = new byte[n];
            ErrnoRef ignored = new ErrnoRef();
            backend.getName(child, true, caller, new IntRef(n), ignored);
            backend.getName(child, false, callee, new IntRef(n), ignored);
            int decision = condition.decide(caller, callee);
            if (decision != AcceptCondition.CF_ACCEPT) {
                backend.abort(child);
                return errno.fail(decision == AcceptCondition.CF_REJECT ? WSAECONNREFUSED : WSAEINVAL,
                        INVALID_SOCKET);
            }
        }
        return base.adopt(info, af, type, protocol, flags, child, errno);
    }

    int connect(int s, byte[] name, int nameLength, ErrnoRef errno) {
        ProviderSocket ps = enter(s, errno);
        if (ps == null) {
            return SOCKET_ERROR;
        }
        int af = ps.addressFamily();
        Object h = ps.backendHandle();
        if (!still(s, h, errno)) {
            return SOCKET_ERROR;
        }
        int err = SockAddr.check(name, nameLength, af);
        return err != NO_ERROR ? fail(errno, err) : backend.connect(h, name, nameLength, errno);
    }

    /** WSPSend ({@code toGiven} false) and WSPSendTo. */
    int send(int s, ByteBuffer[] buffers, int count, IntRef bytesSent, int flags, byte[] to, int toLength,
            boolean toGiven, Overlapped overlapped, ErrnoRef errno) {
        ProviderSocket ps = enter(s, errno);
        if (ps == null) {
            return SOCKET_ERROR;
        }
        int type = ps.socketType();
        int messageSize = ps.protocolInfo().messageSize();
        Overlapped ov = ps.isOverlapped() ? overlapped : null;
        Object h = ps.backendHandle();
        if (!still(s, h, errno)) {
            return SOCKET_ERROR;
        }
        if (checkBuffers(buffers, count, false) != NO_ERROR || (ov == null && bytesSent == null)) {
            return fail(errno, WSAEFAULT);
        }
        if ((flags & ~SEND_FLAGS) != 0) {
            return fail(errno, WSAEOPNOTSUPP);
        }
        if (type != Winsock.SOCK_STREAM && Integer.compareUnsigned(messageSize, 1) > 0
                && capacity(buffers, count) > Integer.toUnsignedLong(messageSize)) {
            return fail(errno, WSAEMSGSIZE);
        }
        if (ov != null && !ov.begin()) {
            return fail(errno, WSAEINVAL);
        }
        byte[] dst = toGiven && type != Winsock.SOCK_STREAM ? to : null;
        return backend.send(h, buffers, count, bytesSent, flags, dst, toGiven ? toLength : -1, ov, errno);
    }

    /** WSPRecv ({@code from} null) and WSPRecvFrom. */
    int recv(int s, ByteBuffer[] buffers, int count, IntRef bytesReceived, IntRef flags, byte[] from,
            IntRef fromLength, Overlapped overlapped, ErrnoRef errno) {
        ProviderSocket ps = enter(s, errno);
        if (ps == null) {
            return SOCKET_ERROR;
        }
        int type = ps.socketType();
        int af = ps.addressFamily();
        Overlapped ov = ps.isOverlapped() ? overlapped : null;
        Object h = ps.backendHandle();
        if (!still(s, h, errno)) {
            return SOCKET_ERROR;
        }
        if (checkBuffers(buffers, count, true) != NO_ERROR || flags == null || (ov == null && bytesReceived == null)) {
            return fail(errno, WSAEFAULT);
        }
        boolean stream = type == Winsock.SOCK_STREAM;
        if (from != null && !stream && !addressBufferFits(from, fromLength, af)) {
            return fail(errno, WSAEFAULT);
        }
        int in = flags.get();
        if ((in & ~RECV_FLAGS) != 0 || ((in & MSG_WAITALL) != 0 && (!stream || ov != null || (in & MSG_PEEK) != 0))) {
            return fail(errno, WSAEOPNOTSUPP);
        }
        if (ov != null && !ov.begin()) {
            return fail(errno, WSAEINVAL);
        }
        return backend.recv(h, buffers, count, bytesReceived, flags, stream ? null : from, stream ? null : fromLength,
                ov, errno);
    }

    int shutdown(int s, int how, ErrnoRef errno) {
        ProviderSocket ps = enter(s, errno);
        if (ps == null) {
            return SOCKET_ERROR;
        }
        Object h = ps.backendHandle();
        if (!still(s, h, errno)) {
            return SOCKET_ERROR;
        }
        if (how != SD_RECEIVE && how != SD_SEND && how != SD_BOTH) {
            return fail(errno, WSAEINVAL);
        }
        return backend.shutdown(h, how, errno);
    }

    int name(int s, boolean peer, byte[] name, IntRef nameLength, ErrnoRef errno) {
        ProviderSocket ps = enter(s, errno);
        if (ps == null) {
            return SOCKET_ERROR;
        }
        int af = ps.addressFamily();
        Object h = ps.backendHandle();
        if (!still(s, h, errno)) {
            return SOCKET_ERROR;
        }
        if (!addressBufferFits(name, nameLength, af)) {
            return fail(errno, WSAEFAULT);
        }
        return backend.getName(h, peer, name, nameLength, errno);
    }

    int getSockOpt(int s, int level, int option, byte[] value, IntRef length, ErrnoRef errno) {
        ProviderSocket ps = enter(s, errno);
        if (ps == null) {
            return SOCKET_ERROR;
        }
        ProtocolInfo info = ps.protocolInfo();
        int type = ps.socketType();
        Object h = ps.backendHandle();
        if (!still(s, h, errno)) {
            return SOCKET_ERROR;
        }
        if (value == null || length == null || length.get() < 0 || length.get() > value.length) {
            return fail(errno, WSAEFAULT);
        }
        if (level == SOL_SOCKET) {
            switch (option) {
                case SO_TYPE -> {
                    return putInt(value, length, type, errno);
                }
                case SO_MAX_MSG_SIZE -> {
                    return type == Winsock.SOCK_STREAM ? fail(errno, WSAENOPROTOOPT)
                            : putInt(value, length, info.messageSize(), errno);
                }
                case SO_PROTOCOL_INFOW, SO_PROTOCOL_INFOA -> {
                    return ProtocolInfoLayout.get(info, option == SO_PROTOCOL_INFOW, value, length, errno);
                }
                default -> {
                }
            }
        }
        return backend.getOption(h, level, option, value, length, errno);
    }

    static int putInt(byte[] value, IntRef length, int v, ErrnoRef errno) {
        if (length.get() < OptionValue.INT_LENGTH) {
            return fail(errno, WSAEFAULT);
        }
        OptionValue.putInt(value, 0, v);
        length.set(OptionValue.INT_LENGTH);
        return 0;
    }

    int setSockOpt(int s, int level, int option, byte[] value, int length, ErrnoRef errno) {
        ProviderSocket ps = enter(s, errno);
        if (ps == null) {
            return SOCKET_ERROR;
        }
        Object h = ps.backendHandle();
        if (!still(s, h, errno)) {
            return SOCKET_ERROR;
        }
        if (length < 0 || (value == null ? length != 0 : length > value.length)) {
            return fail(errno, WSAEFAULT);
        }
        if (level == SOL_SOCKET && (option == SO_TYPE || option == SO_MAX_MSG_SIZE || option == SO_PROTOCOL_INFOW
                || option == SO_PROTOCOL_INFOA)) {
            return fail(errno, WSAENOPROTOOPT); // read-only
        }
        return backend.setOption(h, level, option, value, length, errno);
    }

    int ioctl(int s, int code, byte[] in, int inLength, byte[] out, int outLength, IntRef bytesReturned,
            Overlapped overlapped, ErrnoRef errno) {
        ProviderSocket ps = enter(s, errno);
        if (ps == null) {
            return SOCKET_ERROR;
        }
        Overlapped ov = ps.isOverlapped() ? overlapped : null;
        Object h = ps.backendHandle();
        if (!still(s, h, errno)) {
            return SOCKET_ERROR;
        }
        if ((in == null ? inLength != 0 : inLength < 0 || inLength > in.length)
                || (out == null ? outLength != 0 : outLength < 0 || outLength > out.length)
                || (ov == null && bytesReturned == null)) {
            return fail(errno, WSAEFAULT);
        }
        if (ov != null && !ov.begin()) {
            return fail(errno, WSAEINVAL);
        }
        return backend.ioctl(h, code, in, inLength, out, outLength, bytesReturned, ov, errno);
    }

    int joinLeaf(int s, byte[] name, int nameLength, int flags, ErrnoRef errno) {
        ProviderSocket ps = enter(s, errno);
        if (ps == null) {
            return INVALID_SOCKET;
        }
        int af = ps.addressFamily();
        int role = ps.multipointRole();
        Object h = ps.backendHandle();
        if (!still(s, h, errno)) {
            return INVALID_SOCKET;
        }
        int err = SockAddr.check(name, nameLength, af);
        if (err != NO_ERROR) {
            return errno.fail(err, INVALID_SOCKET);
        }
        if ((role & Winsock.WSA_FLAG_MULTIPOINT_C_LEAF) == 0
                || (flags != Winsock.JL_SENDER_ONLY && flags != Winsock.JL_RECEIVER_ONLY && flags != Winsock.JL_BOTH)) {
            return errno.fail(WSAEINVAL, INVALID_SOCKET);
        }
        return backend.joinLeaf(h, name, nameLength, flags, errno) == 0 ? s : INVALID_SOCKET;
    }

    boolean getOverlappedResult(int s, Overlapped ov, IntRef transferred, boolean wait, IntRef flags,
            ErrnoRef errno) {
        if (wait && (BlockingCalls.inProgress() || backend.isEngineThread())) {
            errno.set(WSAEINPROGRESS);
            return false;
        }
        if (!base.isStarted()) {
            errno.set(WSANOTINITIALISED);
            return false;
        }
        if (!base.isLive(s)) {
            errno.set(WSAENOTSOCK);
            return false;
        }
        if (transferred == null || flags == null) {
            errno.set(WSAEFAULT);
            return false;
        }
        if (ov == null || ov.sequence() == 0) {
            errno.set(WSAEINVAL);
            return false;
        }
        if (!ov.isComplete()) {
            if (!wait) {
                errno.set(WSA_IO_INCOMPLETE);
                return false;
            }
            BlockingCalls.enterBlocking();
            try {
                ov.future().handle((v, e) -> null).join();
            } finally {
                BlockingCalls.exitBlocking();
            }
        }
        transferred.set(ov.bytesTransferred());
        flags.set(ov.flags());
        if (ov.error() != NO_ERROR) {
            errno.set(ov.error());
            return false;
        }
        return true;
    }
}
