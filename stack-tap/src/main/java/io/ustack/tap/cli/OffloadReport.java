/*
 * OffloadReport: the one-line summary the CLI prints of what a TAP opened with offloads received (virtio-net header,
 * virtio spec 1.x section 5.1.6; Linux Documentation/networking/tuntap.rst): frames, super-frames, GSO frames,
 * partial checksums, the longest frame and malformed headers dropped; and the TCP super-segments it wrote (TCP
 * segmentation offload on transmit).
 */
package io.ustack.tap.cli;

import io.ustack.tap.TapLink;

final class OffloadReport {
    private OffloadReport() {
    }

    /** The counters are the engine thread's: read while it runs, they may be a little behind. */
    static String of(TapLink link) {
        return String.format("offloads: %d frames received, %d larger than the MTU (%d GSO), %d with a partial"
                        + " checksum, longest %d bytes, %d malformed headers dropped; %d frames written, %d of them"
                        + " TCP super-segments for the kernel to cut", link.rxFrames(), link.rxSuperFrames(),
                link.rxGsoFrames(), link.rxPartialChecksum(), link.rxLargestFrame(), link.rxMalformed(),
                link.txFrames(), link.txSuperFrames());
    }
}
