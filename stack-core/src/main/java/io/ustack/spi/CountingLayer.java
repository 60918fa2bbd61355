/*
 * CountingLayer: a layered provider that counts what passes through it: calls per WSP function, errors in total
 * and per WSA code, and per socket (per descriptor of this layer) the calls made on it and their errors. Counts
 * are exact under concurrency (LongAdder).
 */
package io.ustack.spi;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import static io.ustack.spi.Winsock.INVALID_SOCKET;
import static io.ustack.spi.WsaError.NO_ERROR;

/**
 * Counts operations and errors. The data functions (send/receive, and with them byte counts) are counted once
 * they exist in {@link ServiceProvider}; today's operations are the ones declared there.
 */
public final class CountingLayer extends LayeredProvider {

    /** The counted WSP functions. */
    public enum Operation {
        STARTUP, CLEANUP, SOCKET, CLOSE_SOCKET, DUPLICATE_SOCKET, ADDRESS_TO_STRING, STRING_TO_ADDRESS
    }

    /** Counts of one socket (one descriptor of this layer). */
    public static final class SocketCounts {
        private final LongAdder operations = new LongAdder();
        private final LongAdder errors = new LongAdder();

        /** Calls made on the socket, its creation included. */
        public long operations() {
            return operations.sum();
        }

        /** Those calls that failed. */
        public long errors() {
            return errors.sum();
        }
    }

    private final LongAdder[] operations = new LongAdder[Operation.values().length];
    private final LongAdder errors = new LongAdder();
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

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CountingLayer[");
        for (Operation op : Operation.values()) {
            sb.append(op).append('=').append(operations(op)).append(' ');
        }
        return sb.append("errors=").append(errorsByName()).append(']').toString();
    }
}
