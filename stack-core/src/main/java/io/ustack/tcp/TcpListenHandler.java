/*
 * TcpListenHandler: what a listening socket reports to its user: an established connection is waiting to be
 * accepted (RFC 9293 3.10.1 passive OPEN).
 */
package io.ustack.tcp;

/** Listener callback, on the engine thread. */
@FunctionalInterface
public interface TcpListenHandler {
    /** At least one established connection waits in {@link TcpListener#accept()}. */
    void onAcceptable(TcpListener listener);
}
