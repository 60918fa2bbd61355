/*
 * KernelLossBaseline: the Linux kernel's TCP sending to the Linux kernel's TCP under random packet loss, the
 * baseline for our stack's goodput over a lossy TAP (ImpairedGoodputTest). Two namespaces on a veth (VethNamespaces);
 * segmentation and receive offloads (tso, gso, gro) off on both ends, so every packet on the veth is one MTU-sized
 * segment as on our TAP (no vnet header); optionally one nftables rule in each namespace's input hook that drops the
 * given percentage of TCP packets at random (`numgen random`), so data is lost one way and ACKs the other, like an
 * ImpairedLink "loss=N" on our side (`tc netem` does not exist on these kernels). socat in A sends a file, socat in B
 * pipes what arrives through sha256sum. Reported: goodput, the sender's counters from nstat (TcpRetransSegs of
 * RFC 4022's MIB, Linux's TcpExt timeouts / SACK recoveries / tail loss probes of RFC 8985) and the rules' drops.
 */
package io.ustack.it;

import io.ustack.tap.netns.ExecResult;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One namespace pair with its loss rule; send() may be called more than once; close() removes everything. */
final class KernelLossBaseline implements AutoCloseable {
    private static final String TABLE = "ustack_loss";
    private static final String CHAIN = "input";
    private static final int PORT = 5400;
    private static final Pattern NFT_PACKETS = Pattern.compile("counter packets (\\d+)");
    private static final String[] NSTAT_NAMES =
            {"TcpOutSegs", "TcpRetransSegs", "TcpExtTCPTimeouts", "TcpExtTCPSackRecovery", "TcpExtTCPLossProbes"};
    private final VethNamespaces veth;
    private final int dropPercent;

    /** What the sending kernel counted during one transfer (differences of nstat's absolute values). */
    record SenderCounters(long segmentsSent, long retransmitted, long timeouts, long sackRecoveries,
                          long lossProbes) {
        SenderCounters minus(SenderCounters before) {
            return new SenderCounters(segmentsSent - before.segmentsSent, retransmitted - before.retransmitted,
                    timeouts - before.timeouts, sackRecoveries - before.sackRecoveries,
                    lossProbes - before.lossProbes);
        }

        @Override
        public String toString() {
            return "kernel sender sent " + segmentsSent + " segments, retransmitted " + retransmitted + ", "
                    + timeouts + " RTO timeouts, " + sackRecoveries + " SACK recoveries, " + lossProbes
                    + " loss probes";
        }
    }

    /**
     * One transfer: the outcome (null failure when the digest matched), the sender's counters, and how many TCP
     * packets the rules dropped on the way to the receiver (data) and on the way back to the sender (ACKs).
     */
    record Result(KernelTransfers.Outcome outcome, SenderCounters sender, long droppedToReceiver,
                  long droppedToSender) {
        /** For MEASURE lines. */
        String describe() {
            return sender + "; nft dropped " + droppedToReceiver + " packets to the receiver, " + droppedToSender
                    + " to the sender";
        }
    }

    private KernelLossBaseline(VethNamespaces veth, int dropPercent) {
        this.veth = veth;
        this.dropPercent = dropPercent;
    }

    /**
     * Creates the namespace pair with offloads off and, unless {@code dropPercent} is 0, the drop rule in both
     * namespaces. If any step fails, what was created is removed before the exception propagates.
     */
    static KernelLossBaseline create(int dropPercent) {
        return create(dropPercent, null);
    }

    /**
     * As {@link #create(int)}, with the sender's (A's) congestion control set to {@code senderCongestionControl}
     * (`sysctl net.ipv4.tcp_congestion_control` in A, e.g. "reno") unless null (the host's default, bbr here).
     */
    static KernelLossBaseline create(int dropPercent, String senderCongestionControl) {
        if (dropPercent < 0 || dropPercent > 100) {
            throw new IllegalArgumentException("drop percentage not in 0..100: " + dropPercent);
        }
        VethNamespaces veth = VethNamespaces.create();
        boolean done = false;
        try {
            for (String ns : new String[] {veth.namespaceA(), veth.namespaceB()}) {
                // the veth end in each namespace is named like the namespace
                in(ns, "ethtool", "-K", ns, "tso", "off", "gso", "off", "gro", "off");
                if (dropPercent > 0) {
                    in(ns, "nft", "add", "table", "inet", TABLE);
                    in(ns, "nft", "add", "chain", "inet", TABLE, CHAIN,
                            "{ type filter hook input priority 0 ; policy accept ; }");
                    // numgen's values are 0..99, and nft refuses a comparison no value can fail (< 100)
                    String random = dropPercent == 100 ? "" : "numgen random mod 100 < " + dropPercent + " ";
                    in(ns, "nft", "add", "rule", "inet", TABLE, CHAIN, "meta l4proto tcp " + random + "counter drop");
                }
            }
            if (senderCongestionControl != null) {
                in(veth.namespaceA(), "sysctl", "-qw", "net.ipv4.tcp_congestion_control=" + senderCongestionControl);
            }
            done = true;
            return new KernelLossBaseline(veth, dropPercent);
        } finally {
            if (!done) {
                veth.close();
            }
        }
    }

    int dropPercent() {
        return dropPercent;
    }

    VethNamespaces namespaces() {
        return veth;
    }

    /**
     * socat in A serves {@code file} ({@code bytes} long, digest {@code sha256}); socat in B reads it to the end
     * through sha256sum. The wall time covers B's command (connect to end of stream); the whole is bounded by
     * {@code limit}, after which the outcome says so (and the sender is ended).
     */
    Result send(Path file, long bytes, String sha256, Duration limit) throws InterruptedException {
        SenderCounters before = senderCounters();
        long toReceiverBefore = dropped(veth.namespaceB());
        long toSenderBefore = dropped(veth.namespaceA());
        KernelTransfers.Outcome outcome = KernelTransfers.socatFileToSha256(veth::startInA, veth.namespaceA(),
                veth.addressA(), PORT, veth::runInB, file, bytes, sha256, limit);
        return new Result(outcome, senderCounters().minus(before), dropped(veth.namespaceB()) - toReceiverBefore,
                dropped(veth.namespaceA()) - toSenderBefore);
    }

    /** Removes both namespaces (and with them the veth and the rules), ending what still runs there. */
    @Override
    public void close() {
        veth.close();
    }

    /** The sender's (namespace A's) counters now. */
    private SenderCounters senderCounters() {
        return senderCounters(veth.namespaceA());
    }

    /** The TCP counters of {@code namespace} now: `nstat -asz` prints absolute values and keeps no history. */
    static SenderCounters senderCounters(String namespace) {
        ExecResult nstat = KernelTools.inNamespace(namespace, KernelTools.QUICK, "nstat", "-asz", NSTAT_NAMES[0],
                NSTAT_NAMES[1], NSTAT_NAMES[2], NSTAT_NAMES[3], NSTAT_NAMES[4]).orThrow();
        long[] v = new long[NSTAT_NAMES.length];
        for (int i = 0; i < NSTAT_NAMES.length; i++) {
            Matcher m = Pattern.compile("(?m)^" + NSTAT_NAMES[i] + "\\s+(\\d+)").matcher(nstat.stdout());
            if (!m.find()) {
                throw new IllegalStateException("no " + NSTAT_NAMES[i] + " in " + nstat.describe());
            }
            v[i] = Long.parseLong(m.group(1));
        }
        return new SenderCounters(v[0], v[1], v[2], v[3], v[4]);
    }

    /** Packets the drop rule in {@code namespace} dropped so far (0 when there is no rule). */
    private long dropped(String namespace) {
        if (dropPercent == 0) {
            return 0;
        }
        ExecResult list = in(namespace, "nft", "list", "chain", "inet", TABLE, CHAIN);
        Matcher m = NFT_PACKETS.matcher(list.stdout());
        if (!m.find()) {
            throw new IllegalStateException("no counter in " + list.describe());
        }
        return Long.parseLong(m.group(1));
    }

    private static ExecResult in(String namespace, String... command) {
        return KernelTools.inNamespace(namespace, KernelTools.QUICK, command).orThrow();
    }
}
