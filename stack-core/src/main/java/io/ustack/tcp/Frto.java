/*
 * Frto: forward RTO-recovery (F-RTO, RFC 5682 section 3, the SACK-enhanced algorithm) for a sender with SACK. After a
 * retransmission timeout that starts a loss episode, only the first unacknowledged segment is retransmitted (step
 * 1). When the first ACK that advances SND.UNA arrives (step 2) the sender transmits up to two previously unsent
 * segments instead of more retransmissions (step 2b), and the next ACK decides (step 3): if it acknowledges, by the
 * cumulative ACK or a SACK block, data sent before the timeout that was never retransmitted, the original segments
 * were only delayed and the timeout was spurious; otherwise the losses are real and the conventional RTO recovery
 * goes on (every segment not SACKed is deemed lost, RFC 6675 section 5.1). A spurious timeout undoes its window
 * reduction (the response of RFC 4015 section 4, as RecoveryUndo does for D-SACK) and retransmits nothing more, where
 * go-back-N would have resent the whole window.
 *
 * The states are the RFC's step numbers. In step 3 the sender may put out two segments of new data whatever the
 * window says (as Linux sets cwnd = in_flight + 2) and no retransmission; while an episode runs, RACK does not take
 * an ACK of the retransmitted first segment as a delivery of the retransmission (it may be the original's ACK: that
 * is the question F-RTO answers), so it does not deem the whole flight lost behind it.
 */
package io.ustack.tcp;

import static io.ustack.tcp.SequenceNumbers.leq;

/** F-RTO state of one SACK sender. Engine thread only; no allocation. */
final class Frto {
    /** Not in an F-RTO episode. */
    static final int OFF = 0;
    /** Step 2: the first segment was retransmitted; waiting for an ACK that advances SND.UNA. */
    static final int AWAIT_FIRST_ACK = 2;
    /** Step 3: two new segments may go out; the next ACK tells a spurious timeout from a real loss. */
    static final int AWAIT_SECOND_ACK = 3;

    int step = OFF;
    /** The highest sequence number sent when the timer expired (RFC 5682 "recover"). */
    private int recover;
    /** Bytes of new data step 3 may still send. */
    private int newData;

    /** Step 1: a timeout that starts a loss episode; {@code sndMax} is the highest sequence number sent. */
    void begin(int sndMax) {
        step = AWAIT_FIRST_ACK;
        recover = sndMax;
    }

    void end() {
        step = OFF;
    }

    /**
     * Step 2b: SND.UNA advanced but not to {@code recover}; two new segments may go out if the sender has any that
     * the peer's window takes. Returns false if it cannot (the conventional recovery goes on).
     */
    boolean sendNew(boolean newDataSendable, int smss) {
        if (!newDataSendable) {
            step = OFF;
            return false;
        }
        step = AWAIT_SECOND_ACK;
        newData = 2 * smss;
        return true;
    }

    /** Step 2a: everything outstanding at the timeout is acknowledged; nothing can be decided. */
    boolean allRecovered(int sndUna) {
        return leq(recover, sndUna);
    }

    /**
     * Step 3: whether the ACK being processed acknowledged original data sent before the timeout, i.e. the timeout
     * was spurious. {@code board} holds what this ACK delivered.
     */
    boolean spurious(SackScoreboard board) {
        return board.deliveredOriginal && leq(board.minOriginalEnd, recover);
    }

    /** Whether an episode runs (steps 2 and 3). */
    boolean active() {
        return step != OFF;
    }

    /** Step 3: only new data goes out, two segments of it. */
    boolean newDataOnly() {
        return step == AWAIT_SECOND_ACK;
    }

    /** What step 3 may still send. */
    int newDataAllowance() {
        return newData;
    }

    void onTransmit(int bytes) {
        newData = Math.max(0, newData - bytes);
    }
}
