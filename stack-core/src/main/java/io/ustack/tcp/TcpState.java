/*
 * TcpState: the states of a TCP connection (RFC 9293 section 3.3.2, Figure 5).
 */
package io.ustack.tcp;

/** Connection states of RFC 9293 section 3.3.2. */
public enum TcpState {
    CLOSED,
    LISTEN,
    SYN_SENT,
    SYN_RECEIVED,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    CLOSE_WAIT,
    CLOSING,
    LAST_ACK,
    TIME_WAIT;

    /** True once the three-way handshake has completed (RFC 9293 "synchronized states"). */
    public boolean isSynchronized() {
        return ordinal() >= ESTABLISHED.ordinal();
    }
}
