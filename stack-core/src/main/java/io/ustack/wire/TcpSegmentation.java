/*
 * TcpSegmentation: software TCP segmentation of an IPv4 "super-segment" (what a NIC does for TCP segmentation
 * offload, and what Linux's tcp_gso_segment does when the device cannot): the payload is cut into pieces of at most
 * gso_size bytes, each with a copy of the link, IPv4 and TCP headers, where the copies get the IPv4 total length,
 * an identification one higher per piece and a new header checksum (RFC 791 3.1), the TCP sequence number advanced
 * by the bytes before it, FIN and PSH only on the last piece and CWR only on the first (RFC 3168 6.1.2), and a full
 * TCP checksum (RFC 9293 3.1). It is the fallback of Link.transmitTcpSegments for a device without offload, so a
 * super-segment is never put on a wire as one frame by mistake.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

import java.util.function.Predicate;

/** Static helpers; engine thread (no shared state). */
public final class TcpSegmentation {
    private TcpSegmentation() {
    }

    /**
     * Cuts {@code frame} (its readable bytes: {@code l3Offset} bytes of link header, then an IPv4 header and a TCP
     * segment) into pieces of at most {@code gsoSize} payload bytes and hands each to {@code out} (which takes
     * ownership), in sequence order; each piece has {@code headroom} free bytes in front of its readable bytes. Releases {@code frame}. A frame that is not IPv4 + TCP, or whose lengths do not
     * add up, is released and nothing is sent.
     *
     * @return true if {@code out} accepted every piece; false if it refused one or the frame was not a well-formed
     *     IPv4 TCP packet
     */
    public static boolean segment(ByteBuf frame, int l3Offset, int gsoSize, int headroom, Predicate<ByteBuf> out) {
        try {
            int base = frame.readerIndex();
            int ip = base + l3Offset;
            int available = frame.readableBytes() - l3Offset;
            if (gsoSize <= 0 || available < Ipv4Packet.MIN_HEADER_LENGTH
                    || (frame.getUnsignedByte(ip) >>> 4) != 4
                    || frame.getUnsignedByte(ip + Ipv4Packet.PROTOCOL_OFFSET) != Ipv4Packet.PROTOCOL_TCP) {
                return false;
            }
            int ihl = (frame.getUnsignedByte(ip) & 0x0f) * 4;
            int total = frame.getUnsignedShort(ip + Ipv4Packet.TOTAL_LENGTH_OFFSET);
            if (ihl < Ipv4Packet.MIN_HEADER_LENGTH || total > available
                    || total < ihl + TcpSegment.MIN_HEADER_LENGTH) {
                return false;
            }
            int tcp = ip + ihl;
            int thl = (frame.getUnsignedByte(tcp + TcpSegment.DATA_OFFSET_OFFSET) >>> 4) * 4;
            if (thl < TcpSegment.MIN_HEADER_LENGTH || ihl + thl > total) {
                return false;
            }
            int headers = l3Offset + ihl + thl;
            int payload = total - ihl - thl;
            int src = frame.getInt(ip + Ipv4Packet.SOURCE_OFFSET);
            int dst = frame.getInt(ip + Ipv4Packet.DESTINATION_OFFSET);
            int id = frame.getUnsignedShort(ip + Ipv4Packet.IDENTIFICATION_OFFSET);
            int seq = frame.getInt(tcp + TcpSegment.SEQUENCE_OFFSET);
            int flags = frame.getUnsignedByte(tcp + TcpSegment.FLAGS_OFFSET);
            boolean all = true;
            int done = 0;
            int piece = 0;
            do {
                int len = Math.min(gsoSize, payload - done);
                boolean last = done + len == payload;
                ByteBuf s = frame.alloc().directBuffer(headroom + headers + len);
                s.setIndex(headroom, headroom);
                s.writeBytes(frame, base, headers);
                s.writeBytes(frame, base + headers + done, len);
                int sip = headroom + l3Offset;
                int stcp = sip + ihl;
                s.setShort(sip + Ipv4Packet.TOTAL_LENGTH_OFFSET, ihl + thl + len);
                s.setShort(sip + Ipv4Packet.IDENTIFICATION_OFFSET, (id + piece) & 0xffff);
                Ipv4Packet.fillChecksum(s, sip, ihl);
                s.setInt(stcp + TcpSegment.SEQUENCE_OFFSET, seq + done);
                int f = flags;
                if (!last) {
                    f &= ~(TcpSegment.FIN | TcpSegment.PSH);
                }
                if (piece > 0) {
                    f &= ~TcpSegment.CWR;
                }
                s.setByte(stcp + TcpSegment.FLAGS_OFFSET, f);
                TcpSegment.fillChecksum(s, stcp, thl + len, src, dst);
                all &= out.test(s);
                done += len;
                piece++;
            } while (done < payload);
            return all;
        } finally {
            frame.release();
        }
    }

    /**
     * The value a TCP checksum field holds in a segment handed over for checksum offload (Linux's CHECKSUM_PARTIAL,
     * virtio's NEEDS_CSUM): the folded, uncomplemented sum of the IPv4 pseudo-header for a TCP length of
     * {@code tcpLength} bytes; the device adds the segment and complements.
     */
    public static int partialChecksum(int src, int dst, int tcpLength) {
        return Checksum.pseudoHeaderV4(src, dst, Ipv4Packet.PROTOCOL_TCP, tcpLength) & 0xffff;
    }
}
