/*
 * CongestionControl: the congestion window policy of a sender (RFC 5681 section 3), kept apart from the loss
 * detection that drives it (duplicate ACK counting, the RFC 6582 "recover" point and the retransmission timer stay
 * in TcpSender). NewReno is the first implementation; CUBIC (RFC 9438) plugs in here later.
 *
 * All sizes are bytes. FlightSize is RFC 5681's: data sent but not yet cumulatively acknowledged.
 */
package io.ustack.tcp;

/** Congestion window and slow start threshold of one connection. Engine thread only. */
public interface CongestionControl {
    /** cwnd in bytes. */
    int cwnd();

    /** ssthresh in bytes. */
    int ssthresh();

    /** New data was cumulatively acknowledged outside loss recovery (slow start or congestion avoidance). */
    void onAck(int bytesAcked, long now);

    /** Three duplicate ACKs started fast retransmit / fast recovery (RFC 5681 3.2 steps 2-3, RFC 6582 3.2). */
    void onEnterRecovery(int flightSize, long now);

    /** Another duplicate ACK arrived during fast recovery (RFC 5681 3.2 step 4). */
    void onRecoveryDupAck();

    /** A partial acknowledgment of {@code bytesAcked} bytes during fast recovery (RFC 6582 3.2 step 3). */
    void onPartialAck(int bytesAcked);

    /** A full acknowledgment ended fast recovery (RFC 6582 3.2 step 3, "full acknowledgment"). */
    void onExitRecovery(int flightSize, long now);

    /**
     * The retransmission timer expired (RFC 5681 3.1 equation 4 and the loss window). {@code repeated} is true if
     * the segment had already been retransmitted by the timer, in which case ssthresh is held constant.
     */
    void onRetransmitTimeout(int flightSize, boolean repeated, long now);

    /** The sender's maximum segment size changed (handshake done, later PMTU). */
    void mss(int smss);
}
