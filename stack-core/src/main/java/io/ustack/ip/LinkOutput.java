/*
 * LinkOutput: where the IP layers hand a finished frame to the Link (Ipv4Layer for an IP-framed link, ArpLayer for
 * Ethernet) and count it: framesOut and bytesOut, or a LINK_DROPPED drop. A TCP super-segment goes through
 * Link.transmitTcpSegments (TCP segmentation offload), anything else through Link.transmit.
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;
import io.ustack.engine.StackCounters;
import io.ustack.link.Link;
import io.ustack.wire.DropReason;

/** Static helper; engine thread. */
final class LinkOutput {
    private LinkOutput() {
    }

    /**
     * Hands {@code frame} to {@code link} (to be cut into {@code gsoSize} pieces there unless 0; the link owns it
     * from here) and counts it.
     *
     * @return whether the link took it
     */
    static boolean transmit(Link link, StackCounters counters, ByteBuf frame, int gsoSize) {
        int len = frame.readableBytes();
        if (gsoSize == 0 ? link.transmit(frame) : link.transmitTcpSegments(frame, gsoSize)) {
            counters.framesOut++;
            counters.bytesOut += len;
            return true;
        }
        counters.drop(DropReason.LINK_DROPPED);
        return false;
    }
}
