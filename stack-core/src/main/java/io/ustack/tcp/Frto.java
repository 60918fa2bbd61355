/*
 * Frto: forward RTO-recovery (F-RTO, RFC 5682), the basic algorithm of section 2 for a sender without SACK
 * (RenoRecovery) and the SACK-enhanced algorithm of section 3 (SackRecovery). After a retransmission timeout that
 * starts a loss episode, only the first unacknowledged segment is retransmitted (step 1). When the first ACK that
 * advances SND.UNA arrives (step 2) the sender transmits up to two previously unsent segments instead of more
 * retransmissions (step 2b), and the next ACK decides (step 3): if it acknowledges data sent before the timeout that
 * was never retransmitted (section 2: it advances SND.UNA; section 3: by the cumulative ACK or a SACK block), the
 * original segments were only delayed and the timeout was spurious; otherwise the losses are real and the
 * conventional RTO recovery goes on (go-back-N in slow start without SACK; with it every segment not SACKed is deemed
 * lost, RFC 6675 section 5.1). A duplicate ACK in step 2 is the conventional recovery at once in section 2 (2a); with
 * SACK the sender stays in step 2. A spurious timeout undoes its window reduction (the response of RFC 4015 section 4,
 * RecoveryUndo, as for D-SACK) and retransmits nothing more, where go-back-N would have resent the whole window.
 *
 * The states are the RFC's step numbers. In step 3 the sender may put out two segments of new data whatever the
 * window says (as Linux sets cwnd = in_flight + 2) and no retransmission; while an episode runs, RACK does not take
 * an ACK of the retransmitted first segment as a delivery of the retransmission (it may be the original's ACK: that
 * is the question F-RTO answers), so it does not deem the whole flight lost behind it.
 */
package io.ustack.tcp;

import static io.ustack.tcp.SequenceNumbers.leq;

/** F-RTO state of one sender. Engine thread only; no allocation. */
final class Frto {
    /** Not in an F-RTO episode. */
    static final int OFF = 0;
    /** Step 2: the first segment was retransmitted; waiting for an ACK that advances SND.UNA. */
    static final int AWAIT_FIRST_ACK = 2;
    /** Step 3: two new segments may go out; the next ACK tells a spurious timeout from a real loss. */
    static final int AWAIT_SECOND_ACK = 3;

    /** What an ACK of an episode decided ({@link #onAck}): nothing yet (the episode goes on, or ended in step 2a). */
    static final int UNDECIDED = 0;
    /** Step 2b: up to two new segments go out now. */
    static final int SEND_NEW = 1;
    /** A duplicate ACK in step 2 (section 2), step 2b without new data, or a real loss in step 3. */
    static final int CONVENTIONAL = 2;
    /** Step 3 found the timeout spurious (SpuriousRecovery = SPUR_TO: section 2 step 3b, section 3 step 3a). */
    static final int SPURIOUS = 3;

    /** Section 3 (SACK-enhanced): a duplicate ACK in step 2 keeps waiting rather than ending the episode. */
    private final boolean sackEnhanced;
    int step = OFF;
    /** The highest sequence number sent when the timer expired (RFC 5682 "recover"). */
    private int recover;
    /** Bytes of new data step 3 may still send. */
    private int newData;

    Frto(boolean sackEnhanced) {
        this.sackEnhanced = sackEnhanced;
    }

    /** Step 1: a timeout that starts a loss episode; {@code sndMax} is the highest sequence number sent. */
    void begin(int sndMax) {
        step = AWAIT_FIRST_ACK;
        recover = sndMax;
    }

    void end() {
        step = OFF;
    }

    /**
     * Steps 2 and 3 on an ACK while an episode runs: {@code advanced} if it moved SND.UNA (now {@code sndUna}),
     * {@code duplicate} if it is a duplicate ACK (with SACK also one that SACKed new data), {@code spurious} the step 3
     * test (data sent before the timeout and never retransmitted was acknowledged). Returns what it decided; the
     * episode is over unless UNDECIDED with {@link #active()} or SEND_NEW.
     */
    int onAck(int sndUna, boolean advanced, boolean duplicate, boolean spurious, TcpSender snd) {
        if (step == AWAIT_FIRST_ACK) {
            if (!advanced) {
                if (duplicate && !sackEnhanced) {
                    step = OFF; // section 2 step 2a: a duplicate ACK
                    return CONVENTIONAL;
                }
                return UNDECIDED;
            }
            if (leq(recover, sndUna)) {
                step = OFF; // step 2a: the retransmission and everything before the timeout are acknowledged
                return UNDECIDED;
            }
            if (!newDataSendable(snd)) {
                step = OFF; // step 2b without new data the peer's window takes: the conventional recovery
                return CONVENTIONAL;
            }
            step = AWAIT_SECOND_ACK;
            newData = 2 * snd.smss;
            return SEND_NEW;
        }
        if (!advanced && !duplicate) {
            return UNDECIDED;
        }
        step = OFF;
        return spurious ? SPURIOUS : CONVENTIONAL;
    }

    /** Whether the sender has data never sent that the peer's window takes. */
    private static boolean newDataSendable(TcpSender snd) {
        return snd.unsent() - (snd.sndMax - snd.sndNxt) > 0 && snd.sndWnd - (snd.sndMax - snd.sndUna) > 0;
    }

    /**
     * Section 3 step 3: whether the ACK being processed acknowledged, cumulatively or by SACK, original data sent
     * before the timeout. {@code board} holds what this ACK delivered.
     */
    boolean sackedOriginal(SackScoreboard board) {
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

    /** A transmission of {@code bytes}: in step 3 it uses up the new data allowed; otherwise nothing. */
    void onTransmit(int bytes) {
        if (step == AWAIT_SECOND_ACK) {
            newData = Math.max(0, newData - bytes);
        }
    }
}
