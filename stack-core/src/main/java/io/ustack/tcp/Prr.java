/*
 * Prr: Proportional Rate Reduction (RFC 9937, which obsoletes RFC 6937) for fast recovery, with SACK (SackRecovery,
 * RFC 6675) or without it (RenoRecovery, RFC 6582 NewReno). Instead of setting cwnd to ssthresh at once and staying
 * silent until pipe falls below it (RFC 6675 alone: half a round trip without sending, then a burst when several
 * holes are repaired; NewReno's inflated cwnd stays under the flight as long), the sender is allowed, on every ACK
 * during recovery, to send in proportion to what that ACK delivered: ssthresh/RecoverFS of it while pipe is above
 * ssthresh (the proportional part), and, once losses took pipe below ssthresh, no more than what was delivered (the
 * conservative bound, PRR-CRB), plus one segment on ACKs that advance SND.UNA without showing a further loss (the
 * slow start bound, PRR-SSRB), never above ssthresh. The ACK clock therefore keeps running through recovery and the
 * flight at its end is ssthresh, as the congestion control asked.
 *
 * Without SACK (section 6.2) an ACK shows no more than how far SND.UNA moved: each duplicate ACK is taken to have
 * delivered 1 SMSS, and the partial or full ACK that follows only the change in SND.UNA beyond what its preceding
 * duplicate ACKs were already counted for; the same estimate is taken off pipe. The duplicate ACKs before the one
 * that starts recovery are treated as SACKed bytes before recovery are: out of RecoverFS, in the estimate. Against
 * a receiver that sends extraneous duplicate ACKs [Savage99] the estimate stays within the data outstanding (see
 * deliveredWithoutSack for why that bound is not RecoverFS).
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
    /**
     * Without SACK: 1 SMSS for each duplicate ACK that SND.UNA has not passed yet (RFC 9937 6.2: what pipe leaves
     * out, and what the next partial or full ACK is not counted for again).
     */
    private long dupAckEstimate;

    /** Recovery begins: RFC 9937's initialization, with RecoverFS = the bytes outstanding and not yet delivered. */
    void begin(int recoverFs) {
        this.recoverFs = Math.max(1, recoverFs);
        prrDelivered = 0;
        prrOut = 0;
        window = 0;
        dupAckEstimate = 0;
    }

    /**
     * Recovery without SACK begins, on the duplicate ACK after {@code earlierDupAckBytes} / SMSS others (RFC 9937 6.1
     * with duplicate ACKs in place of SACKed bytes): RecoverFS = SND.NXT - SND.UNA ({@code flight}) less what the
     * earlier duplicate ACKs showed delivered before recovery, as bytes SACKed before recovery are left out; they
     * stay in the estimate, so pipe leaves them out and the advance of SND.UNA over them is not counted again.
     */
    void beginWithoutSack(int flight, int earlierDupAckBytes, int smss) {
        int earlier = Math.max(0, Math.min(earlierDupAckBytes, flight - smss));
        begin(flight - earlier);
        dupAckEstimate = earlier;
    }

    /**
     * DeliveredData of an ACK during recovery without SACK (RFC 9937 section 6.2): 1 SMSS for a duplicate ACK; when
     * SND.UNA advances by {@code acked} (a partial or full ACK), the change in SND.UNA less the 1 SMSS each preceding
     * duplicate ACK was already counted for, so no byte is counted twice (an estimate the advance does not use up is
     * kept for the next one). Pass the result to {@link #onAck}.
     *
     * <p>Against a receiver that sends extraneous duplicate ACKs [Savage99], a duplicate ACK counts only while the
     * estimate stays within {@code flight} (SND.NXT - SND.UNA after the ACK) less the 1 SMSS at SND.UNA that is
     * missing: the estimate never claims more than is outstanding, so such ACKs clock out no more than RFC 5681's
     * inflation would. This bound is the flight now, not the RFC's RecoverFS: new data sent during a NewReno
     * recovery (one hole per round trip) draws duplicate ACKs too, and once those add up to RecoverFS a RecoverFS
     * bound stops the ACK clock until the recovery ends (TcpRenoPrrTest.theAckClockRunsOnAfterAPartialAck; behind a
     * shallow queue the flight fell to two segments). Linux bounds its duplicate ACK count by the packets out
     * likewise (tcp_limit_reno_sacked).
     */
    int deliveredWithoutSack(int acked, boolean duplicate, int flight, int smss) {
        long deliveredData;
        if (acked > 0) {
            deliveredData = Math.max(0, acked - dupAckEstimate);
            dupAckEstimate = Math.max(0, dupAckEstimate - acked);
        } else if (duplicate) {
            long estimate = Math.min(Math.max(0, flight - smss), dupAckEstimate + smss);
            deliveredData = Math.max(0, estimate - dupAckEstimate);
            dupAckEstimate += deliveredData;
        } else {
            deliveredData = 0;
        }
        return (int) deliveredData;
    }

    /** Without SACK: what RFC 9937 6.2 takes off the flight for pipe, the duplicate ACK estimate. */
    int dupAckEstimate() {
        return (int) dupAckEstimate;
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
        return "prr[delivered=" + prrDelivered + " out=" + prrOut + " recoverFs=" + recoverFs + " wnd=" + window
                + (dupAckEstimate > 0 ? " dupAckEstimate=" + dupAckEstimate : "") + "]";
    }
}
