/*
 * RecoveryUndo: detection of a spurious loss recovery by D-SACK (RFC 3708 section 3: when every retransmission of an
 * episode is reported as a duplicate by a D-SACK block, RFC 2883, none of them was needed) and the undo of the window
 * reduction it cost (the response of RFC 4015 section 4 in spirit: cwnd and ssthresh go back to their values before
 * the episode). Covers fast recoveries and retransmission timeouts alike; on a path that loses ACKs, most timeouts
 * are of this kind: the data arrived, only its acknowledgment did not.
 *
 * An episode starts with the reduction (recording SND.UNA as its marker and the window before it); each
 * retransmission of the episode counts up, each D-SACK block at or above the marker counts down. A duplicate made by
 * the network rather than by us can count down too (as in other stacks); the undo then errs towards the old window.
 */
package io.ustack.tcp;

import static io.ustack.tcp.SequenceNumbers.geq;
import static io.ustack.tcp.SequenceNumbers.leq;

/** Undo bookkeeping of one sender. Engine thread only. */
final class RecoveryUndo {
    private boolean armed;
    /** SND.UNA when the episode began: D-SACKs below it are about older retransmissions. */
    private int marker;
    /** Retransmissions of the episode not yet reported as duplicates. */
    private int retransmissions;
    /** Retransmissions of the episode in all. */
    private int sent;
    private int priorCwnd;
    private int priorSsthresh;

    /**
     * A loss episode begins (before its window reduction). A timeout inside an episode continues it: the window to
     * go back to is the one before the first reduction.
     */
    void begin(int sndUna, int cwnd, int ssthresh) {
        if (armed) {
            return;
        }
        armed = true;
        marker = sndUna;
        retransmissions = 0;
        sent = 0;
        priorCwnd = cwnd;
        priorSsthresh = ssthresh;
    }

    /** A segment of the episode was retransmitted. */
    void onRetransmit() {
        if (armed) {
            retransmissions++;
            sent++;
        }
    }

    /** A D-SACK block [left, right) arrived (below the cumulative ACK or inside the first SACK block, RFC 2883). */
    void onDsack(int left, int right, int sndMax) {
        if (armed && retransmissions > 0 && geq(left, marker) && leq(right, sndMax)) {
            retransmissions--;
        }
    }

    /** RFC 3708 section 3: the episode retransmitted, and every retransmission was reported as a duplicate. */
    boolean spurious() {
        return armed && sent > 0 && retransmissions == 0;
    }

    boolean armed() {
        return armed;
    }

    /** RFC 4015 section 4: the episode was spurious; cwnd and ssthresh go back to their values before it. */
    void undo(CongestionControl cc, TcpExtCounters counters) {
        cc.undo(priorCwnd, priorSsthresh);
        end();
        counters.spuriousRecoveriesUndone++;
    }

    /** The episode is over (undone, or ended with retransmissions that were really needed). */
    void end() {
        armed = false;
        retransmissions = 0;
        sent = 0;
    }
}
