/*
 * VnetHeaderTest: the virtio-net header (virtio spec 1.x section 5.1.6, struct virtio_net_hdr_v1, little-endian) read
 * from and written to byte fixtures, and the checks that make a frame malformed (counted and dropped by TapLink).
 */
package io.ustack.tap;

import io.ustack.link.ChecksumState;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

class VnetHeaderTest {
    /**
     * What tun hands over for a TSO super-frame of a kernel TCP sender (Ethernet + IPv4 + TCP with timestamps):
     * NEEDS_CSUM, GSO TCPV4, hdr_len 66, gso_size 1448 (MSS), csum_start 34 (the TCP header), csum_offset 16 (its checksum).
     */
    static final byte[] TSO4 = {0x01, 0x01, 0x42, 0x00, (byte) 0xa8, 0x05, 0x22, 0x00, 0x10, 0x00, 0x00, 0x00};

    private static VnetHeader parse(byte[] bytes) {
        return new VnetHeader().read(MemorySegment.ofArray(bytes), 0);
    }

    private static byte[] header(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        byte[] b = new byte[VnetHeader.LENGTH];
        VnetHeader.write(MemorySegment.ofArray(b), 0, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
        return b;
    }

    @Test
    void readsATso4SuperFrameHeaderLittleEndian() {
        VnetHeader h = parse(TSO4);
        assertThat(h.flags).isEqualTo(VnetHeader.F_NEEDS_CSUM);
        assertThat(h.gsoType).isEqualTo(VnetHeader.GSO_TCPV4);
        assertThat(h.hdrLen).isEqualTo(66);
        assertThat(h.gsoSize).isEqualTo(1448);
        assertThat(h.csumStart).isEqualTo(34);
        assertThat(h.csumOffset).isEqualTo(16);
        assertThat(h.isGso()).isTrue();
        assertThat(h.checksumState()).isEqualTo(ChecksumState.PARTIAL);
        assertThat(h.problem(65_160)).isNull();
    }

    @Test
    void writesTheSameBytesItReads() {
        assertThat(header(1, 1, 66, 1448, 34, 16)).isEqualTo(TSO4);
        byte[] high = header(0, 0, 0xfedc, 0xba98, 0x7654, 0x3210);
        assertThat(high).containsExactly(0, 0, 0xdc, 0xfe, 0x98, 0xba, 0x54, 0x76, 0x10, 0x32, 0, 0);
        VnetHeader h = parse(high);
        assertThat(new int[] {h.hdrLen, h.gsoSize, h.csumStart, h.csumOffset})
                .containsExactly(0xfedc, 0xba98, 0x7654, 0x3210);
    }

    @Test
    void aPlainFrameHeaderIsTwelveZeroBytes() {
        byte[] b = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
        VnetHeader.writePlain(MemorySegment.ofArray(b), 0);
        assertThat(b).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9);
        VnetHeader h = parse(b);
        assertThat(h.isGso()).isFalse();
        assertThat(h.checksumState()).isEqualTo(ChecksumState.NONE);
        assertThat(h.problem(60)).isNull();
    }

    @Test
    void dataValidMeansTheChecksumNeedsNoCheck() {
        assertThat(parse(header(VnetHeader.F_DATA_VALID, 0, 0, 0, 0, 0)).checksumState())
                .isEqualTo(ChecksumState.UNNECESSARY);
        assertThat(parse(header(VnetHeader.F_DATA_VALID | VnetHeader.F_NEEDS_CSUM, 0, 0, 0, 34, 16))
                .checksumState()).as("a partial field cannot be trusted as complete").isEqualTo(ChecksumState.PARTIAL);
    }

    @Test
    void tcpv6AndTheEcnBitOnATcpTypeAreAccepted() {
        assertThat(parse(header(1, VnetHeader.GSO_TCPV6, 86, 1428, 54, 16)).problem(60_000)).isNull();
        assertThat(parse(header(1, VnetHeader.GSO_TCPV4 | VnetHeader.GSO_ECN, 66, 1448, 34, 16)).problem(60_000))
                .isNull();
    }

    @Test
    void gsoTypesThatWereNotNegotiatedAreMalformed() {
        assertThat(parse(header(1, VnetHeader.GSO_UDP, 42, 1472, 34, 6)).problem(9000)).contains("gso_type");
        assertThat(parse(header(1, VnetHeader.GSO_UDP_L4, 42, 1472, 34, 6)).problem(9000)).contains("gso_type");
        assertThat(parse(header(0, 2, 0, 1448, 0, 0)).problem(9000)).contains("gso_type");
        assertThat(parse(header(0, 0x7f, 0, 1448, 0, 0)).problem(9000)).contains("gso_type");
        assertThat(parse(header(0, VnetHeader.GSO_ECN, 0, 0, 0, 0)).problem(60)).contains("ECN");
    }

    @Test
    void checksumPositionBeyondTheFrameIsMalformed() {
        VnetHeader h = parse(header(VnetHeader.F_NEEDS_CSUM, 0, 0, 0, 60, 16));
        assertThat(h.problem(77)).contains("csum_start");
        assertThat(h.problem(78)).as("the 2-byte field ends exactly at the frame's end").isNull();
        assertThat(parse(header(0, 0, 0, 0, 60000, 16)).problem(78))
                .as("csum_start is not used without NEEDS_CSUM").isNull();
    }

    @Test
    void otherMalformedHeaders() {
        assertThat(parse(header(0x04, 0, 0, 0, 0, 0)).problem(60)).contains("flags");
        assertThat(parse(header(0x80, 0, 0, 0, 0, 0)).problem(60)).contains("flags");
        assertThat(parse(header(1, VnetHeader.GSO_TCPV4, 66, 0, 34, 16)).problem(9000)).contains("gso_size");
        assertThat(parse(header(0, 0, 61, 0, 0, 0)).problem(60)).contains("hdr_len");
        assertThat(parse(new byte[VnetHeader.LENGTH]).problem(0)).contains("no frame");
    }
}
