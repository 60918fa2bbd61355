/*
 * SegmentOptions: the options of an outgoing segment of a connection. On SYNs: MSS (RFC 9293 3.7.1), window scale
 * (RFC 7323 2.2), timestamps (RFC 7323 3.2) and SACK-permitted (RFC 2018 2), each offered in our SYN and sent in a
 * SYN-ACK only in reply to the peer's offer. After the handshake: TSval/TSecr on every segment but resets once
 * timestamps are on (RFC 7323 3.2), and on ACKs the SACK blocks of RFC 2018 section 4 (D-SACK of RFC 2883 first),
 * as many as fit beside the data within one MSS.
 */
package io.ustack.tcp;

import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;

/** Builds the options of outgoing segments into the layer's shared holder. Engine thread only. */
final class SegmentOptions {
    private SegmentOptions() {
    }

    /**
     * The options for a segment with {@code flags} and {@code dataLength} bytes of data, or null for none. Sets
     * {@link TcpReceiver#sackShort} when SACK information was due but did not fit.
     *
     * @param synSent we are in SYN-SENT (our SYN offers; otherwise a SYN-ACK answers)
     */
    static TcpOptions build(TcpConnection c, int flags, int dataLength, boolean synSent, boolean windowScaling,
            boolean sackOffered, long now) {
        TcpReceiver rcv = c.receiver;
        Timestamps ts = c.timestamps;
        rcv.sackShort = false;
        if ((flags & TcpSegment.SYN) != 0) {
            TcpOptions options = c.layer.writer().clearedOptions().mss(rcv.rcvMss);
            if (synSent ? rcv.offeredWscale >= 0 : windowScaling) {
                options.windowScale(rcv.offeredWscale);
            }
            if (synSent ? ts.offered : ts.enabled) {
                ts.addTo(options, synSent, now);
            }
            options.sackPermitted(synSent ? sackOffered : rcv.sack.enabled);
            return options;
        }
        if ((flags & TcpSegment.RST) != 0) {
            return null;
        }
        boolean sackInfo = (flags & TcpSegment.ACK) != 0 && rcv.sack.anyToReport(rcv.assembler());
        if (!ts.enabled && !sackInfo) {
            return null;
        }
        TcpOptions options = c.layer.writer().clearedOptions();
        if (ts.enabled) {
            ts.addTo(options, false, now);
        }
        if (sackInfo) {
            int blocks = Math.min(TcpOptions.MAX_SACK_BLOCKS, (c.sender.smss - dataLength - 4) / 8);
            int added = rcv.sack.fill(options, rcv.assembler(), rcv.rcvNxt, blocks);
            if (added > 0 && rcv.sack.dsackPending()) {
                rcv.sack.dsackSent();
            }
            rcv.sackShort = added == 0;
        }
        return options;
    }
}
