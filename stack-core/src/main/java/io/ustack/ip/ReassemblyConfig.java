/*
 * ReassemblyConfig: the limits of IPv4 reassembly (RFC 791 3.2, RFC 1122 3.3.2): how many datagrams may be in
 * reassembly at once, how many bytes of buffer they may hold together, and how long one may wait for its missing
 * fragments (Linux: ipfrag_time 30 s; ipfrag_high_thresh 4 MiB).
 */
package io.ustack.ip;

/**
 * Reassembly limits of one interface. {@code maxDatagrams == 0} switches reassembly off (every fragment is dropped as
 * {@link io.ustack.wire.DropReason#FRAGMENT}). Immutable.
 *
 * @param maxDatagrams incomplete datagrams held at once; a new one beyond this evicts the oldest
 * @param maxBytes buffer bytes held by incomplete datagrams together (each holds its data buffer's capacity)
 * @param timeoutNanos how long after its first fragment arrived an incomplete datagram is discarded
 */
public record ReassemblyConfig(int maxDatagrams, long maxBytes, long timeoutNanos) {
    /** 64 datagrams, 4 MiB, 30 s. */
    public static final ReassemblyConfig DEFAULT = new ReassemblyConfig(64, 4L << 20, 30_000_000_000L);
    /** Reassembly switched off: every fragment is dropped. */
    public static final ReassemblyConfig OFF = new ReassemblyConfig(0, 0, DEFAULT.timeoutNanos);

    public ReassemblyConfig {
        if (maxDatagrams < 0 || maxBytes < 0 || timeoutNanos <= 0) {
            throw new IllegalArgumentException("reassembly limits must be >= 0 and the timeout positive: "
                    + maxDatagrams + " datagrams, " + maxBytes + " bytes, " + timeoutNanos + " ns");
        }
    }

    /** True if fragments are reassembled at all. */
    public boolean enabled() {
        return maxDatagrams > 0 && maxBytes > 0;
    }
}
