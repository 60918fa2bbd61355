/*
 * ChecksumState: what a link knows about the transport (TCP/UDP) checksum of a frame it received, after Linux's
 * skb->ip_summed (CHECKSUM_NONE / CHECKSUM_UNNECESSARY / CHECKSUM_PARTIAL). A TAP with the virtio-net header
 * (virtio spec 1.x section 5.1.6 "Device Operation") sets it from VIRTIO_NET_HDR_F_DATA_VALID and
 * VIRTIO_NET_HDR_F_NEEDS_CSUM; every other link hands frames over as NONE.
 */
package io.ustack.link;

/**
 * The transport checksum state of one received frame. The IPv4 header checksum is always complete and always
 * verified; only the TCP/UDP checksum of an unfragmented datagram is affected.
 */
public enum ChecksumState {
    /** Nothing is known: the stack verifies the transport checksum (every frame of a link without offloads). */
    NONE,
    /** The device verified the transport checksum (VIRTIO_NET_HDR_F_DATA_VALID): it need not be verified again. */
    UNNECESSARY,
    /**
     * The transport checksum field holds only the pseudo-header sum (VIRTIO_NET_HDR_F_NEEDS_CSUM): the sender's
     * kernel left the rest to "hardware" that does not exist between two ends on one host. It cannot be verified;
     * the frame never crossed a wire.
     */
    PARTIAL;

    /** True when the stack must not (PARTIAL) or need not (UNNECESSARY) verify the transport checksum. */
    public boolean trusted() {
        return this != NONE;
    }
}
