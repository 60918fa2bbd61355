/*
 * VnetHeader: the virtio-net header a TAP/TUN device opened with IFF_VNET_HDR puts before every frame it hands out
 * and expects before every frame written (Linux Documentation/networking/tuntap.rst; the layout and rules are those of
 * virtio spec 1.x section 5.1.6 "Device Operation", struct virtio_net_hdr):
 *
 *   offset 0  u8   flags        NEEDS_CSUM (1): the transport checksum is partial, to be completed from csum_start
 *                               and stored at csum_start + csum_offset; DATA_VALID (2): the checksum was verified
 *          1  u8   gso_type     NONE (0), TCPV4 (1), UDP (3), TCPV6 (4), UDP_L4 (5); | ECN (0x80)
 *          2  le16 hdr_len      bytes of headers (a hint; Linux gives the linear part of the packet)
 *          4  le16 gso_size     payload bytes per segment when segmented (the MSS)
 *          6  le16 csum_start
 *          8  le16 csum_offset
 *         10  le16 num_buffers  virtio 1.x; always 1 buffer here (the device never merges receive buffers)
 *
 * We use the 12-byte virtio 1.x header (struct virtio_net_hdr_v1, TUNSETVNETHDRSZ 12) rather than the legacy 10-byte
 * one: virtio 1.x (VIRTIO_F_VERSION_1) always has num_buffers, so the 12-byte layout is the standard one and what
 * vhost/QEMU speak, and it is little-endian by definition (TUNSETVNETLE makes the kernel agree on any host). tun
 * zero-fills num_buffers when reading and ignores it when writing.
 *
 * A header is checked against the frame behind it before the frame goes to the stack: unknown flags, a GSO type other
 * than the negotiated TCPv4/TCPv6 (with or without ECN), a zero gso_size on a GSO frame, or hdr_len / csum_start +
 * csum_offset beyond the frame make the frame malformed (counted and dropped by TapLink, never thrown).
 */
package io.ustack.tap;

import io.ustack.link.ChecksumState;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** One parsed header, reused for every frame (engine thread only), plus the writer of a plain-frame header. */
final class VnetHeader {
    /** Bytes of the virtio 1.x header (struct virtio_net_hdr_v1). */
    static final int LENGTH = 12;

    static final int F_NEEDS_CSUM = 1;
    static final int F_DATA_VALID = 2;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    static final int GSO_UDP_L4 = 5;
    static final int GSO_ECN = 0x80;

    static final int FLAGS_OFFSET = 0;
    static final int GSO_TYPE_OFFSET = 1;
    static final int HDR_LEN_OFFSET = 2;
    static final int GSO_SIZE_OFFSET = 4;
    static final int CSUM_START_OFFSET = 6;
    static final int CSUM_OFFSET_OFFSET = 8;
    static final int NUM_BUFFERS_OFFSET = 10;

    private static final ValueLayout.OfShort LE16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    int flags;
    int gsoType;
    int hdrLen;
    int gsoSize;
    int csumStart;
    int csumOffset;

    /** Reads the header at {@code offset} of {@code segment} (which must hold {@link #LENGTH} bytes there). */
    VnetHeader read(MemorySegment segment, long offset) {
        flags = segment.get(ValueLayout.JAVA_BYTE, offset + FLAGS_OFFSET) & 0xff;
        gsoType = segment.get(ValueLayout.JAVA_BYTE, offset + GSO_TYPE_OFFSET) & 0xff;
        hdrLen = u16(segment, offset + HDR_LEN_OFFSET);
        gsoSize = u16(segment, offset + GSO_SIZE_OFFSET);
        csumStart = u16(segment, offset + CSUM_START_OFFSET);
        csumOffset = u16(segment, offset + CSUM_OFFSET_OFFSET);
        return this;
    }

    private static int u16(MemorySegment segment, long offset) {
        return segment.get(LE16, offset) & 0xffff;
    }

    /** True for a GSO super-frame (a TCP segment of up to 64 KiB the kernel did not cut into MSS-sized ones). */
    boolean isGso() {
        return gsoType != GSO_NONE;
    }

    /**
     * What is wrong with this header in front of a frame of {@code frameLength} bytes, or null if nothing is (a
     * constant text: no allocation).
     */
    String problem(int frameLength) {
        if (frameLength <= 0) {
            return "no frame after the header";
        }
        if ((flags & ~(F_NEEDS_CSUM | F_DATA_VALID)) != 0) {
            return "unknown flags";
        }
        int base = gsoType & ~GSO_ECN;
        if (base != GSO_NONE && base != GSO_TCPV4 && base != GSO_TCPV6) {
            return "gso_type not negotiated (only TCPv4/TCPv6 segmentation offload is)";
        }
        if (base == GSO_NONE && gsoType != GSO_NONE) {
            return "ECN bit without a GSO type";
        }
        if (base != GSO_NONE && gsoSize == 0) {
            return "gso_size 0 on a GSO frame";
        }
        if (hdrLen > frameLength) {
            return "hdr_len beyond the frame";
        }
        if ((flags & F_NEEDS_CSUM) != 0 && csumStart + csumOffset + 2 > frameLength) {
            return "csum_start + csum_offset beyond the frame";
        }
        return null;
    }

    /**
     * The frame's transport checksum state: PARTIAL for NEEDS_CSUM (it wins should a device also set DATA_VALID, as
     * the field then does not hold a full checksum), UNNECESSARY for DATA_VALID, else NONE.
     */
    ChecksumState checksumState() {
        if ((flags & F_NEEDS_CSUM) != 0) {
            return ChecksumState.PARTIAL;
        }
        return (flags & F_DATA_VALID) != 0 ? ChecksumState.UNNECESSARY : ChecksumState.NONE;
    }

    /** Writes the header of a plain frame (all zero: no GSO, checksum complete) at {@code offset}. */
    static void writePlain(MemorySegment segment, long offset) {
        segment.asSlice(offset, LENGTH).fill((byte) 0);
    }

    /** Writes a header with every field explicit (num_buffers 0), little-endian. For tests and a future transmit. */
    static void write(MemorySegment segment, long offset, int flags, int gsoType, int hdrLen, int gsoSize,
            int csumStart, int csumOffset) {
        segment.set(ValueLayout.JAVA_BYTE, offset + FLAGS_OFFSET, (byte) flags);
        segment.set(ValueLayout.JAVA_BYTE, offset + GSO_TYPE_OFFSET, (byte) gsoType);
        segment.set(LE16, offset + HDR_LEN_OFFSET, (short) hdrLen);
        segment.set(LE16, offset + GSO_SIZE_OFFSET, (short) gsoSize);
        segment.set(LE16, offset + CSUM_START_OFFSET, (short) csumStart);
        segment.set(LE16, offset + CSUM_OFFSET_OFFSET, (short) csumOffset);
        segment.set(LE16, offset + NUM_BUFFERS_OFFSET, (short) 0);
    }
}
