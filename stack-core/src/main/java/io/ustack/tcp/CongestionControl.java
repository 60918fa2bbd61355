/*
 * CongestionControl: the congestion window policy of a sender (RFC 5681 section 3), kept apart from the loss
 * detection that drives it (LossRecovery: duplicate ACKs and RFC 6582 "recover" in RenoRecovery, the RFC 6675
 * scoreboard and RFC 8985 RACK-TLP in SackRecovery; the retransmission timer in TcpSender). Implementations: NewReno
 * (RFC 5681 / RFC 6582) and Cubic (RFC 9438, the default), both with RFC 3465 byte counting (L = 2*SMSS), and Bbr
 * (BBR v1, draft-cardwell-iccrg-bbr-congestion-control-00), a model-based control driven by the delivery rate samples
 * of every ACK ({@link #onDelivered}) that sets a pacing rate.
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

    /**
     * A loss was detected with SACK (RFC 6675 section 5 step 4, RFC 8985 section 6.2) or a tail loss probe repaired
     * one (RFC 8985 7.4): ssthresh is reduced and cwnd set to it, without the inflation of Reno fast recovery
     * (during SACK recovery the sender counts pipe against cwnd instead).
     */
    void onLossDetected(int flightSize, long now);

    /**
     * A round-trip time sample of {@code rttNanos} from an ACK of {@code ack} while SND.MAX is {@code sndMax}: for
     * algorithms that use delay or round boundaries (CUBIC's RTT term, HyStart++ rounds).
     */
    default void onRttSample(long rttNanos, int ack, int sndMax, long now) {
    }

    /** A full acknowledgment ended fast recovery (RFC 6582 3.2 step 3, "full acknowledgment"). */
    void onExitRecovery(int flightSize, long now);

    /**
     * SACK-based loss recovery ended (RFC 6675 section 5 step 2, RFC 6937 section 3 "on exit"): cwnd = ssthresh.
     * Unlike RFC 6582's exit, cwnd is not cut to the flight size: the scoreboard kept the ACK clock alive.
     */
    void onExitSackRecovery(long now);

    /**
     * The retransmission timer expired (RFC 5681 3.1 equation 4 and the loss window). {@code repeated} is true if
     * ssthresh was already reduced for these losses (the segment had been retransmitted by the timer, or the timer
     * fired inside a fast recovery), in which case ssthresh is held constant.
     */
    void onRetransmitTimeout(int flightSize, boolean repeated, long now);

    /**
     * The loss episode that reduced the window was spurious (RecoveryUndo, RFC 3708): the window goes back to what it
     * was before it, cwnd = max(cwnd, prior cwnd) and ssthresh = max(ssthresh, prior ssthresh).
     */
    void undo(int priorCwnd, int priorSsthresh);

    /**
     * Timeout recovery ended: everything outstanding at the retransmission timeout is acknowledged. Loss-based
     * controls keep slow-starting; BBR restores the window it had before the timeout.
     */
    default void onExitTimeoutRecovery(long now) {
    }

    /**
     * An ACK delivered data (newly cumulatively ACKed or SACKed), with or without loss recovery: {@code rs} holds
     * its delivery rate sample ({@code valid} if usable as a bandwidth sample), {@code newlyLost} the bytes deemed
     * lost since the last call, {@code inFlight} the pipe after the ACK. Called after the loss recovery processed the
     * ACK. Model-based controls grow and shrink the window here; loss-based ones ignore it.
     */
    default void onDelivered(DeliveryRate rs, boolean valid, int newlyLost, int inFlight, long now) {
    }

    /**
     * Whether fast recovery (SACK or NewReno) paces its sending by Proportional Rate Reduction (RFC 9937, Prr)
     * towards the ssthresh this control set. Loss-based controls do; a model-based one that bounds its own window
     * during recovery (BBR's packet conservation) does not.
     */
    default boolean proportionalRateReduction() {
        return true;
    }

    /** The rate to pace segments at, in bytes per second; 0: not paced (sent as the windows allow). */
    default long pacingRate() {
        return 0;
    }

    /**
     * The sender resumes after an idle period longer than the retransmission timeout (RFC 5681 4.1): a loss-based
     * control restarts from cwnd = min(IW, cwnd), its ACK clock being gone; a model-based one may keep its window
     * and let pacing spread the restart.
     */
    default void onIdleRestart(long now) {
    }

    /** The sender's maximum segment size changed (handshake done, later PMTU). */
    void mss(int smss);

    /**
     * A slow start threshold of {@code bytes} rounded up to whole segments, at least 2 SMSS. A window is spent in
     * full-sized segments (RFC 6675 sends only while cwnd - pipe >= 1 SMSS), so a fractional threshold such as
     * 2.8 SMSS would leave 0.8 SMSS unusable for the whole recovery; at the tiny windows of a lossy path that is a
     * third of the window, which starves the ACK clock and turns losses into retransmission timeouts.
     */
    static int wholeSegments(long bytes, int smss) {
        long rounded = (bytes + smss - 1) / smss * smss;
        return (int) Math.max(2L * smss, Math.min(rounded, Integer.MAX_VALUE / 2));
    }
}
