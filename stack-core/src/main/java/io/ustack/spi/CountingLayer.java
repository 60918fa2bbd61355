/*
 * CountingLayer: a layered provider that counts what passes through it: calls per WSP function, errors in total
 * and per WSA code, bytes sent and received, and per socket (per descriptor of this layer) the calls made on it,
 * their errors and its bytes. Counts are exact under concurrency (LongAdder).
 */
package io.ustack.spi;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import static io.ustack.spi.Winsock.INVALID_SOCKET;
import static io.ustack.spi.WsaError.NO_ERROR;

/**
 * Counts operations, errors and bytes. A call is counted when it returns; an overlapped send or receive that was
 * started is counted as an operation at once and its bytes (or its error) when it completes. Bytes are those the
 * call reports moved: lpNumberOfBytesSent / Recvd, or cbTransferred of the Overlapped (a datagram truncated with
 * WSAEMSGSIZE counts the bytes that were filled).
 */
public final class CountingLayer extends LayeredProvider {

    /** The counted WSP functions. */
    public enum Operation {
        STARTUP, CLEANUP, SOCKET, CLOSE_SOCKET, DUPLICATE_SOCKET, ADDRESS_TO_STRING, STRING_TO_ADDRESS,
        BIND, LISTEN, ACCEPT, CONNECT, SEND, SEND_TO, RECV, RECV_FROM, SHUTDOWN, GET_SOCK_NAME, GET_PEER_NAME,
        GET_SOCK_OPT, SET_SOCK_OPT, IOCTL, JOIN_LEAF, GET_OVERLAPPED_RESULT
    }

    /** Counts of one socket (one descriptor of this layer). */
    public static final class SocketCounts {
        private final LongAdder operations = new LongAdder();
        private final LongAdder errors = new LongAdder();
        private final LongAdder bytesSent = new LongAdder();
        private final LongAdder bytesReceived = new LongAdder();

        /** Calls made on the socket, its creation included. */
        public long operations() {
            return operations.sum();
        }

        /** Those calls that failed. */
        public long errors() {
            return errors.sum();
        }

        public long bytesSent() {
            return bytesSent.sum();
        }

        public long bytesReceived() {
            return bytesReceived.sum();
        }
    }

    private final LongAdder[] operations = new LongAdder[Operation.values().length];
    private final LongAdder errors = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final ConcurrentHashMap<Integer, LongAdder> errorsByCode = new ConcurrentHashMap<>();

    public CountingLayer(ProtocolCatalog catalog, ProtocolInfo layerEntry, ServiceProvider next, int maxSockets) {
        super(catalog, layerEntry, next, maxSockets);
        for (int i = 0; i < operations.length; i++) {
            operations[i] = new LongAdder();
        }
    }

    /** Calls of {@code op} so far (successful or not). */
    public long operations(Operation op) {
        return operations[op.ordinal()].sum();
    }

    /** Failed calls so far. */
    public long errors() {
        return errors.sum();
    }

    /** Bytes sent through this layer (all sockets). */
    public long bytesSent() {
        return bytesSent.sum();
    }

    /** Bytes received through this layer (all sockets). */
    public long bytesReceived() {
        return bytesReceived.sum();
    }

    /** Failed calls that reported {@code code}. */
    public long errors(int code) {
        LongAdder a = errorsByCode.get(code);
        return a == null ? 0 : a.sum();
    }

    /** Failed calls by WSA error name, in code order. */
    public Map<String, Long> errorsByName() {
        Map<Integer, Long> byCode = new TreeMap<>();
        errorsByCode.forEach((c, a) -> byCode.put(c, a.sum()));
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        byCode.forEach((c, n) -> out.put(WsaError.name(c), n));
        return out;
    }

    /** The counts of open socket {@code s}, or null if {@code s} is not open. */
    public SocketCounts socketCounts(int s) {
        LayerSocket ls = socket(s);
        return ls == null ? null : (SocketCounts) ls.attachment();
    }

    @Override
    protected Object attach(ProtocolInfo chainEntry, int lower) {
        SocketCounts c = new SocketCounts();
        c.operations.increment(); // its creation
        return c;
    }

    private void count(Operation op, int error) {
        operations[op.ordinal()].increment();
        countError(error);
    }

    private void countError(int error) {
        if (error != NO_ERROR) {
            errors.increment();
            errorsByCode.computeIfAbsent(error, k -> new LongAdder()).increment();
        }
    }

    private void countOnSocket(SocketCounts c, int error) {
        if (c != null) {
            c.operations.increment();
            if (error != NO_ERROR) {
                c.errors.increment();
            }
        }
    }

    @Override
    public int wspStartup(int versionRequested, WspData wspData, ProtocolInfo protocolInfo) {
        int r = super.wspStartup(versionRequested, wspData, protocolInfo);
        count(Operation.STARTUP, r);
        return r;
    }

    @Override
    public int wspCleanup(ErrnoRef errno) {
        int r = super.wspCleanup(errno);
        count(Operation.CLEANUP, r == 0 ? NO_ERROR : errno.get());
        return r;
    }

    @Override
    public int wspSocket(int af, int type, int protocol, ProtocolInfo protocolInfo, int g, int flags,
            ErrnoRef errno) {
        int d = super.wspSocket(af, type, protocol, protocolInfo, g, flags, errno);
        count(Operation.SOCKET, d == INVALID_SOCKET ? errno.get() : NO_ERROR);
        return d;
    }

    @Override
    public int wspCloseSocket(int s, ErrnoRef errno) {
        int r = super.wspCloseSocket(s, errno);
        count(Operation.CLOSE_SOCKET, r == 0 ? NO_ERROR : errno.get());
        return r;
    }

    @Override
    public ProtocolInfo wspDuplicateSocket(int s, long processId, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        ProtocolInfo info = super.wspDuplicateSocket(s, processId, errno);
        int error = info == null ? errno.get() : NO_ERROR;
        count(Operation.DUPLICATE_SOCKET, error);
        countOnSocket(c, error);
        return info;
    }

    @Override
    public int wspAddressToString(byte[] address, int addressLength, ProtocolInfo protocolInfo,
            char[] addressString, IntRef addressStringLength, ErrnoRef errno) {
        int r = super.wspAddressToString(address, addressLength, protocolInfo, addressString, addressStringLength,
                errno);
        count(Operation.ADDRESS_TO_STRING, r == 0 ? NO_ERROR : errno.get());
        return r;
    }

    @Override
    public int wspStringToAddress(String addressString, int addressFamily, ProtocolInfo protocolInfo,
            byte[] address, IntRef addressLength, ErrnoRef errno) {
        int r = super.wspStringToAddress(addressString, addressFamily, protocolInfo, address, addressLength, errno);
        count(Operation.STRING_TO_ADDRESS, r == 0 ? NO_ERROR : errno.get());
        return r;
    }

    // ------------------------------------------------------------------ data functions

    /** Counts a call that returns an int (0 / a descriptor on success) on socket {@code s}'s counts. */
    private int counted(Operation op, SocketCounts c, int result, boolean failed, ErrnoRef errno) {
        int error = failed ? errno.get() : NO_ERROR;
        count(op, error);
        countOnSocket(c, error);
        return result;
    }

    private void addBytes(SocketCounts c, long n, boolean sending) {
        if (n <= 0) {
            return;
        }
        (sending ? bytesSent : bytesReceived).add(n);
        if (c != null) {
            (sending ? c.bytesSent : c.bytesReceived).add(n);
        }
    }

    /**
     * Counts a send or receive: synchronously, or (an overlapped operation the call started) the operation now and
     * its bytes or error on completion.
     */
    private int countedIo(Operation op, SocketCounts c, int result, IntRef bytes, Overlapped ov, int sequenceBefore,
            boolean sending, ErrnoRef errno) {
        if (ov != null && ov.sequence() != sequenceBefore) {
            operations[op.ordinal()].increment();
            if (c != null) {
                c.operations.increment();
            }
            ov.future().whenComplete((n, failure) -> {
                addBytes(c, ov.bytesTransferred(), sending);
                countError(ov.error());
                countOnSocketError(c, ov.error());
            });
            return result;
        }
        int error = result == 0 ? NO_ERROR : errno.get();
        count(op, error);
        countOnSocket(c, error);
        if (bytes != null && (result == 0 || error == WsaError.WSAEMSGSIZE)) {
            addBytes(c, bytes.get(), sending);
        }
        return result;
    }

    private static void countOnSocketError(SocketCounts c, int error) {
        if (c != null && error != NO_ERROR) {
            c.errors.increment();
        }
    }

    @Override
    public int wspBind(int s, byte[] name, int nameLength, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int r = super.wspBind(s, name, nameLength, errno);
        return counted(Operation.BIND, c, r, r != 0, errno);
    }

    @Override
    public int wspListen(int s, int backlog, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int r = super.wspListen(s, backlog, errno);
        return counted(Operation.LISTEN, c, r, r != 0, errno);
    }

    @Override
    public int wspAccept(int s, byte[] address, IntRef addressLength, AcceptCondition condition, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int d = super.wspAccept(s, address, addressLength, condition, errno);
        return counted(Operation.ACCEPT, c, d, d == INVALID_SOCKET, errno);
    }

    @Override
    public int wspConnect(int s, byte[] name, int nameLength, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int r = super.wspConnect(s, name, nameLength, errno);
        return counted(Operation.CONNECT, c, r, r != 0, errno);
    }

    @Override
    public int wspSend(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesSent, int flags,
            Overlapped overlapped, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int seq = overlapped == null ? 0 : overlapped.sequence();
        int r = super.wspSend(s, buffers, bufferCount, bytesSent, flags, overlapped, errno);
        return countedIo(Operation.SEND, c, r, bytesSent, overlapped, seq, true, errno);
    }

    @Override
    public int wspSendTo(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesSent, int flags, byte[] to,
            int toLength, Overlapped overlapped, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int seq = overlapped == null ? 0 : overlapped.sequence();
        int r = super.wspSendTo(s, buffers, bufferCount, bytesSent, flags, to, toLength, overlapped, errno);
        return countedIo(Operation.SEND_TO, c, r, bytesSent, overlapped, seq, true, errno);
    }

    @Override
    public int wspRecv(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesReceived, IntRef flags,
            Overlapped overlapped, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int seq = overlapped == null ? 0 : overlapped.sequence();
        int r = super.wspRecv(s, buffers, bufferCount, bytesReceived, flags, overlapped, errno);
        return countedIo(Operation.RECV, c, r, bytesReceived, overlapped, seq, false, errno);
    }

    @Override
    public int wspRecvFrom(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesReceived, IntRef flags,
            byte[] from, IntRef fromLength, Overlapped overlapped, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int seq = overlapped == null ? 0 : overlapped.sequence();
        int r = super.wspRecvFrom(s, buffers, bufferCount, bytesReceived, flags, from, fromLength, overlapped,
                errno);
        return countedIo(Operation.RECV_FROM, c, r, bytesReceived, overlapped, seq, false, errno);
    }

    @Override
    public int wspShutdown(int s, int how, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int r = super.wspShutdown(s, how, errno);
        return counted(Operation.SHUTDOWN, c, r, r != 0, errno);
    }

    @Override
    public int wspGetSockName(int s, byte[] name, IntRef nameLength, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int r = super.wspGetSockName(s, name, nameLength, errno);
        return counted(Operation.GET_SOCK_NAME, c, r, r != 0, errno);
    }

    @Override
    public int wspGetPeerName(int s, byte[] name, IntRef nameLength, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int r = super.wspGetPeerName(s, name, nameLength, errno);
        return counted(Operation.GET_PEER_NAME, c, r, r != 0, errno);
    }

    @Override
    public int wspGetSockOpt(int s, int level, int optName, byte[] optVal, IntRef optLength, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int r = super.wspGetSockOpt(s, level, optName, optVal, optLength, errno);
        return counted(Operation.GET_SOCK_OPT, c, r, r != 0, errno);
    }

    @Override
    public int wspSetSockOpt(int s, int level, int optName, byte[] optVal, int optLength, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int r = super.wspSetSockOpt(s, level, optName, optVal, optLength, errno);
        return counted(Operation.SET_SOCK_OPT, c, r, r != 0, errno);
    }

    @Override
    public int wspIoctl(int s, int ioControlCode, byte[] inBuffer, int inBufferLength, byte[] outBuffer,
            int outBufferLength, IntRef bytesReturned, Overlapped overlapped, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int seq = overlapped == null ? 0 : overlapped.sequence();
        int r = super.wspIoctl(s, ioControlCode, inBuffer, inBufferLength, outBuffer, outBufferLength, bytesReturned,
                overlapped, errno);
        if (overlapped != null && overlapped.sequence() != seq) {
            operations[Operation.IOCTL.ordinal()].increment();
            if (c != null) {
                c.operations.increment();
            }
            overlapped.future().whenComplete((n, failure) -> {
                countError(overlapped.error());
                countOnSocketError(c, overlapped.error());
            });
            return r;
        }
        return counted(Operation.IOCTL, c, r, r != 0, errno);
    }

    @Override
    public int wspJoinLeaf(int s, byte[] name, int nameLength, int flags, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        int d = super.wspJoinLeaf(s, name, nameLength, flags, errno);
        return counted(Operation.JOIN_LEAF, c, d, d == INVALID_SOCKET, errno);
    }

    @Override
    public boolean wspGetOverlappedResult(int s, Overlapped overlapped, IntRef transferred, boolean wait,
            IntRef flags, ErrnoRef errno) {
        SocketCounts c = socketCounts(s);
        boolean ok = super.wspGetOverlappedResult(s, overlapped, transferred, wait, flags, errno);
        counted(Operation.GET_OVERLAPPED_RESULT, c, 0, !ok, errno);
        return ok;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CountingLayer[");
        for (Operation op : Operation.values()) {
            sb.append(op).append('=').append(operations(op)).append(' ');
        }
        return sb.append("errors=").append(errorsByName()).append(']').toString();
    }
}
