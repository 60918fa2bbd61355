/*
 * TapOptions: how a TapLink opens its device. Today one choice: offloads, i.e. the virtio-net header on every frame
 * (IFF_VNET_HDR, Linux Documentation/networking/tuntap.rst; the header of virtio spec 1.x section 5.1.6) with
 * checksum offload and TCP segmentation offload towards us (TUNSETOFFLOAD CSUM|TSO4|TSO6|TSO_ECN), so that the kernel
 * hands the stack up to 64 KiB TCP super-frames with a partial or already verified checksum.
 */
package io.ustack.tap;

/**
 * Options of {@link TapLink#open(String, DeviceMode, int, long, TapOptions)}.
 *
 * @param offloads open with the virtio-net header and receive offloads; false: plain frames, offloads reset to none
 */
public record TapOptions(boolean offloads) {
    /** Plain frames, one per read and write, no offloads (what the constructors without options do). */
    public static final TapOptions PLAIN = new TapOptions(false);
    /** The virtio-net header with receive checksum offload and TSO4/TSO6 (the kernel sends us super-frames). */
    public static final TapOptions OFFLOADS = new TapOptions(true);

    /** {@link #OFFLOADS} if {@code on}, else {@link #PLAIN}. */
    public static TapOptions offloads(boolean on) {
        return on ? OFFLOADS : PLAIN;
    }
}
