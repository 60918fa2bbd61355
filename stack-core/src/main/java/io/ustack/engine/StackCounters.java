/*
 * StackCounters: per-stack packet counters, nstat-style: frames in/out and drops by DropReason. Written only by the
 * engine thread (plain long increments), read by anyone (a racy but tear-free snapshot is fine for statistics).
 */
package io.ustack.engine;

import io.ustack.wire.DropReason;

import java.util.EnumMap;
import java.util.Map;

/** Counters of one stack. Incremented by the engine thread only. */
public final class StackCounters {
    private final long[] drops = new long[DropReason.values().length];
    public long framesIn;
    public long framesOut;
    public long bytesIn;
    public long bytesOut;
    public long tcpSegmentsIn;
    public long tcpSegmentsOut;
    public long tcpRetransmits;
    /** TCP super-segments handed to a link with segmentation offload (each counts its pieces in tcpSegmentsOut). */
    public long tcpSuperSegmentsOut;
    public long tcpResetsSent;
    public long udpDatagramsIn;
    public long udpDatagramsOut;
    public long icmpEchoReplies;
    public long icmpUnreachablesSent;
    public long arpRequestsSent;
    public long arpRepliesSent;
    /** ICMP time exceeded sent (code 1: fragment reassembly time exceeded, RFC 792). */
    public long icmpTimeExceededSent;
    // IPv4 fragmentation and reassembly, named after RFC 4293 ipSystemStats* / Linux nstat Ip*:
    /** Fragments received that needed reassembly (ReasmReqds). */
    public long ipReasmReqds;
    /** Datagrams reassembled (ReasmOKs). */
    public long ipReasmOKs;
    /** Reassembly failures: datagrams discarded by timeout, overlap, end conflict, eviction (ReasmFails). */
    public long ipReasmFails;
    /** Datagrams discarded because their reassembly timer ran out (Linux ReasmTimeout). */
    public long ipReasmTimeout;
    /** Datagrams discarded because of overlapping fragments (Linux ReasmOverlaps). */
    public long ipReasmOverlaps;
    /** Datagrams fragmented for output (FragOKs). */
    public long ipFragOKs;
    /** Datagrams that needed fragmentation but could not be fragmented: DF set or over 65535 bytes (FragFails). */
    public long ipFragFails;
    /** Fragments created for output (FragCreates). */
    public long ipFragCreates;

    /** Counts one dropped frame or packet. */
    public void drop(DropReason reason) {
        drops[reason.ordinal()]++;
    }

    public long drops(DropReason reason) {
        return drops[reason.ordinal()];
    }

    /** Drops by reason, only the non-zero ones. */
    public Map<DropReason, Long> dropSnapshot() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            if (drops[r.ordinal()] != 0) {
                m.put(r, drops[r.ordinal()]);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return "framesIn=" + framesIn + " framesOut=" + framesOut + " bytesIn=" + bytesIn + " bytesOut=" + bytesOut
                + " tcpIn=" + tcpSegmentsIn + " tcpOut=" + tcpSegmentsOut + " tcpSuperOut=" + tcpSuperSegmentsOut
                + " tcpRetransmits=" + tcpRetransmits
                + " tcpResetsSent=" + tcpResetsSent + " udpIn=" + udpDatagramsIn + " udpOut=" + udpDatagramsOut
                + " reasmOKs=" + ipReasmOKs + " reasmFails=" + ipReasmFails + " fragCreates=" + ipFragCreates
                + " drops=" + dropSnapshot();
    }
}
