/*
 * Prr: Proportional Rate Reduction (RFC 9937, which obsoletes RFC 6937) for SACK-based fast recovery. Instead of
 * setting cwnd to ssthresh at once and staying silent until pipe falls below it (RFC 6675 alone: half a round trip
 * without sending, then a burst when several holes are repaired), the sender is allowed, on every ACK during
 * recovery, to send in proportion to what that ACK delivered: ssthresh/RecoverFS of it while pipe is above ssthresh
 * (the proportional part), and, once losses took pipe below ssthresh, no more than what was delivered (the
 * conservative bound, PRR-CRB), plus one segment on ACKs that advance SND.UNA without showing a further loss (the
 * slow start bound, PRR-SSRB), never above ssthresh. The ACK clock therefore keeps running through recovery and the
 * flight at its end is ssthresh, as the congestion control asked.
 *
 * Names follow the RFC: prr_delivered, prr_out, RecoverFS, DeliveredData, SafeACK, sndcnt. Sizes are bytes. sndcnt
 * is rounded up to whole segments (a segment is the unit the sender sends; the excess is at most one segment and
 * the next ACK's sndcnt subtracts it through prr_out), as Linux computes it in packets.
 */
package io.ustack.tcp;

/** PRR state of one sender's current fast recovery. Engine thread only; no allocation. */
final class Prr {
    /** RecoverFS: what was outstanding and not yet delivered when recovery began. */
    private long recoverFs;
    /** prr_delivered: bytes delivered (cumulatively ACKed or SACKed) since recovery began. */
    private long prrDelivered;
    /** prr_out: bytes sent (new or retransmitted) since recovery began. */
    private long prrOut;
    /** The congestion window the last ACK set: pipe + sndcnt (RFC 9937 section 4, "cwnd = pipe + sndcnt"). */
    private int window;

    /** Recovery begins: RFC 9937's initialization, with RecoverFS = the bytes outstanding and not yet delivered. */
    void begin(int recoverFs) {
        this.recoverFs = Math.max(1, recoverFs);
        prrDelivered = 0;
        prrOut = 0;
        window = 0;
    }

    /**
     * An ACK that started or arrived during fast recovery (after its losses were detected).
     *
     * @param deliveredData DeliveredData: the change in SND.UNA plus the change in SACKed bytes
     * @param pipe          RFC 6675 pipe after the ACK
     * @param ssthresh      the slow start threshold the congestion control set for this recovery
     * @param safeAck       SND.UNA advanced and the ACK showed no further loss
     * @param smss          the sender's maximum segment size
     */
    void onAck(int deliveredData, int pipe, int ssthresh, boolean safeAck, int smss) {
        if (deliveredData <= 0) {
            // nothing delivered: the window stays (segments deemed lost since leave pipe, and their retransmissions
            // may take that room), except that the fast retransmit that starts recovery goes out regardless
            if (prrOut == 0) {
                window = Math.max(window, pipe + smss);
            }
            return;
        }
        prrDelivered += deliveredData;
        long sndcnt;
        if (pipe > ssthresh) {
            // proportional rate reduction: CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out
            sndcnt = (prrDelivered * ssthresh + recoverFs - 1) / recoverFs - prrOut;
        } else {
            sndcnt = Math.max(prrDelivered - prrOut, deliveredData); // PRR-CRB
            if (safeAck) {
                sndcnt += smss; // PRR-SSRB: recovery is making good progress
            }
            sndcnt = Math.min(ssthresh - pipe, sndcnt);
        }
        if (prrOut == 0 && sndcnt <= 0) {
            sndcnt = smss; // force the fast retransmit upon entering recovery
        }
        window = pipe + (int) (sndcnt <= 0 ? 0 : (sndcnt + smss - 1) / smss * smss);
    }

    /** {@code bytes} were sent (new data or a retransmission) during recovery. */
    void onTransmit(int bytes) {
        prrOut += bytes;
    }

    /** The congestion window to fill now: pipe at the last ACK plus sndcnt in whole segments. */
    int window() {
        return window;
    }

    long prrDelivered() {
        return prrDelivered;
    }

    long prrOut() {
        return prrOut;
    }

    @Override
    public String toString() {
        return "prr[delivered=" + prrDelivered + " out=" + prrOut + " recoverFs=" + recoverFs + " wnd=" + window + "]";
    }
}
