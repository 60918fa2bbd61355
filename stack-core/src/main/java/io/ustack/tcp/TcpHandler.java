/*
 * TcpHandler: the events a TCP connection reports to its user (the socket layer above): the RFC 9293 3.9.1 "TCP-to-
 * user" signals (connection established, data available, FIN received, connection reset / refused / timed out).
 */
package io.ustack.tcp;

/**
 * Callbacks of one connection, all on the engine thread, never re-entrantly: they run after the connection has
 * finished processing the segment, timer or call that caused them, so a handler may call any TcpConnection method.
 */
public interface TcpHandler {
    /** The handshake completed for an active open (connect). */
    default void onConnected(TcpConnection c) {
    }

    /** New in-order bytes are readable, or the peer's FIN was reached ({@link TcpConnection#isInputShutdown()}). */
    default void onReadable(TcpConnection c) {
    }

    /** The send buffer has room again after {@link TcpConnection#write} accepted less than asked. */
    default void onWritable(TcpConnection c) {
    }

    /**
     * The connection is over for the user (fires once): 0 for an orderly end (both FINs exchanged and ours
     * acknowledged; a TIME-WAIT that follows is the layer's business), else WSAECONNRESET, WSAECONNREFUSED,
     * WSAETIMEDOUT or WSAECONNABORTED.
     */
    default void onClosed(TcpConnection c, int wsaError) {
    }

    /** A handler that ignores every event. */
    TcpHandler NONE = new TcpHandler() {
    };
}
