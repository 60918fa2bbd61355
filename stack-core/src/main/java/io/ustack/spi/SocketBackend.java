/*
 * SocketBackend: what the base provider needs from the engine to create and destroy sockets: the state of the
 * stack (link up, buffer budget) and an opaque engine-side socket per provider socket. The engine implements it;
 * BudgetBackend is the engine-free implementation (buffer budget and link state only).
 */
package io.ustack.spi;

/**
 * The engine side of socket creation. Called from any application thread, concurrently: implementations are
 * thread-safe and must not block.
 */
public interface SocketBackend {

    /** NO_ERROR if sockets can be created, WSAENETDOWN if the stack's link is down or closed. */
    int status();

    /**
     * Creates the engine-side socket for a new provider socket (resources: buffer space, protocol control block).
     *
     * @param info the catalog entry (a base entry of the provider)
     * @param protocol the effective protocol
     * @param flags the WSPSocket dwFlags that were accepted
     * @param errno receives WSAENOBUFS (budget exhausted) or WSAENETDOWN on failure
     * @return the handle, or null on failure
     */
    Object open(ProtocolInfo info, int protocol, int flags, ErrnoRef errno);

    /** Releases the engine-side socket and its resources (called once, when the last descriptor closes). */
    void close(Object handle);
}
