/*
 * TimeWaitReuse: whether a SYN that meets a connection in TIME-WAIT may open a new incarnation at once (RFC 1122
 * 4.2.2.13, with the timestamp rules of RFC 6191 section 2) instead of waiting out 2*MSL. The SYN must be newer than
 * anything of the old incarnation:
 *
 * - old incarnation with timestamps, new one too (SYN has TSopt and we offer it): TSval > TS.Recent, or
 *   TSval = TS.Recent and SEG.SEQ beyond the last sequence number seen (RCV.NXT - 1);
 * - otherwise, new one with timestamps while the old one had none: allowed;
 * - without timestamps in the new one: SEG.SEQ beyond the last sequence number seen.
 *
 * Anything else is left to TIME-WAIT's ordinary processing. The new incarnation's ISS must exceed the old SND.NXT
 * (RFC 1122 4.2.2.13 (1)), so that the peer cannot take old segments of ours for new ones.
 */
package io.ustack.tcp;

import static io.ustack.tcp.SequenceNumbers.gt;

/** RFC 6191 decision. Stateless. */
final class TimeWaitReuse {
    /** How far above the old SND.NXT a new ISS is placed when the RFC 6528 one is not above it. */
    static final int ISS_GAP = 1 << 16;

    private TimeWaitReuse() {
    }

    /**
     * Whether {@code syn} (SYN without ACK or RST) may replace {@code tw} (in TIME-WAIT); {@code timestampsOffered}
     * says whether the listener would use timestamps with a peer that offers them.
     */
    static boolean allowed(TcpConnection tw, Segment syn, boolean timestampsOffered) {
        boolean newTs = timestampsOffered && syn.options.hasTimestamps();
        boolean seqNewer = gt(syn.seq, tw.receiver.rcvNxt - 1);
        Timestamps old = tw.timestamps;
        if (old.enabled) {
            if (newTs) {
                int d = syn.options.tsVal() - old.tsRecent;
                return d > 0 || (d == 0 && seqNewer);
            }
            return seqNewer;
        }
        return newTs || seqNewer;
    }

    /** The ISS for the new incarnation: the RFC 6528 one if it lies above the old SND.NXT, else just above it. */
    static int iss(int candidate, TcpConnection tw) {
        int oldSndMax = tw.sender.sndMax;
        return gt(candidate, oldSndMax) ? candidate : oldSndMax + ISS_GAP;
    }
}
