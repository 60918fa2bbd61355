/*
 * BudgetBackend: the engine-free SocketBackend. It does the two things socket creation needs from a stack before
 * there is a data path: it reserves each socket's buffer space from a BufferBudget (WSAENOBUFS when it does not
 * fit) and it follows the link state (WSAENETDOWN when down). Used by tests and benchmarks, and by anything that
 * exercises the provider without an engine; it moves no data.
 */
package io.ustack.spi;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/** A SocketBackend that accounts buffer budget and link state only. Thread-safe, garbage-free. */
public final class BudgetBackend implements SocketBackend {

    /** The handle of an open socket: how many bytes it holds. One shared instance per socket type. */
    public static final class Reservation {
        private final int bytes;

        Reservation(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    private final BufferBudget budget;
    private final BooleanSupplier linkUp;
    private final Reservation stream;
    private final Reservation datagram;
    private final Reservation raw;
    private final LongAdder open = new LongAdder();

    /**
     * @param budget the stack's buffer budget
     * @param streamBytes send + receive buffer bytes a SOCK_STREAM socket reserves
     * @param datagramBytes bytes a SOCK_DGRAM socket reserves
     * @param rawBytes bytes a SOCK_RAW socket reserves
     * @param linkUp the link state (false: WSAENETDOWN)
     */
    public BudgetBackend(BufferBudget budget, int streamBytes, int datagramBytes, int rawBytes,
            BooleanSupplier linkUp) {
        this.budget = budget;
        this.linkUp = linkUp;
        this.stream = new Reservation(streamBytes);
        this.datagram = new Reservation(datagramBytes);
        this.raw = new Reservation(rawBytes);
    }

    @Override
    public int status() {
        return linkUp.getAsBoolean() ? WsaError.NO_ERROR : WsaError.WSAENETDOWN;
    }

    @Override
    public Object open(ProtocolInfo info, int protocol, int flags, ErrnoRef errno) {
        if (!linkUp.getAsBoolean()) {
            errno.set(WsaError.WSAENETDOWN);
            return null;
        }
        Reservation r = switch (info.socketType()) {
            case Winsock.SOCK_STREAM -> stream;
            case Winsock.SOCK_RAW -> raw;
            default -> datagram;
        };
        if (!budget.tryReserve(r.bytes)) {
            errno.set(WsaError.WSAENOBUFS);
            return null;
        }
        open.increment();
        return r;
    }

    @Override
    public void close(Object handle) {
        Reservation r = (Reservation) handle;
        open.decrement();
        budget.release(r.bytes);
    }

    /** Sockets currently open (created and not yet closed). */
    public int openSockets() {
        return open.intValue();
    }

    public BufferBudget budget() {
        return budget;
    }
}
