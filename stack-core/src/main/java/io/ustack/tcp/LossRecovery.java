/*
 * LossRecovery: how a sender detects and repairs lost segments, kept apart from the congestion window policy
 * (CongestionControl) that it informs. Two implementations: RenoRecovery (duplicate ACK counting, RFC 5681 3.2 fast
 * retransmit, RFC 6582 NewReno partial ACKs, RFC 3042 limited transmit: the path without SACK) and SackRecovery
 * (RFC 6675 scoreboard recovery with RFC 8985 RACK-TLP: the path when both sides permit SACK).
 */
package io.ustack.tcp;

/** Loss detection and recovery of one sender. Engine thread only. */
interface LossRecovery {
    /**
     * An acceptable ACK (RFC 9293 3.10.7.4 "fifth") after SND.UNA moved: {@code acked} bytes were newly
     * acknowledged (0 for none); {@code duplicate} says whether it is a duplicate ACK of RFC 5681 section 2.
     *
     * @return whether the retransmission timer restarts (RFC 6298 5.3)
     */
    boolean onAck(Segment seg, int acked, boolean duplicate, long now);

    /** The retransmission timer expired (after the congestion window took the timeout, RFC 5681 3.1). */
    void onRetransmitTimeout(long now);

    /** Bytes counted against cwnd: SND.NXT - SND.UNA, or RFC 6675 pipe (RFC 9937 6.2's estimate without SACK). */
    int inFlight();

    /**
     * The congestion window the sender fills now, given the congestion control's {@code cwnd}: cwnd itself, plus
     * RFC 3042's limited transmit without SACK, or during fast recovery RFC 9937's pipe + sndcnt (Prr).
     */
    int window(int cwnd);

    /** {@code bytes} of sequence space (new or retransmitted) were sent. */
    default void onTransmit(int bytes) {
    }

    /** The loss timer (RACK reordering timer, RFC 8985 6.3) expired. */
    void onReorderTimeout(long now);
}
