/*
 * ChecksumTest: the Internet checksum (RFC 1071) against the RFC's own worked example, a naive reference over
 * random data of every length and alignment, odd lengths, pseudo-headers and the verify-to-zero property.
 */
package io.ustack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChecksumTest extends BufferTest {

    @Test
    void rfc1071WorkedExample() {
        // RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2 (one's complement), checksum 0x220d.
        ByteBuf b = hex("0001f203f4f5f6f7");
        assertThat(Checksum.sum(b, 0, 8, 0)).isEqualTo(0xddf2);
        assertThat(Checksum.compute(b, 0, 8)).isEqualTo(0x220d);
    }

    @Test
    void wellKnownIpv4Header() {
        // A widely published IPv4 header example with checksum 0xb861 in it: verifies to zero.
        ByteBuf b = hex("45000073000040004011b861c0a80001c0a800c7");
        assertThat(Checksum.compute(b, 0, 20)).isZero();
        b.setShort(10, 0);
        assertThat(Checksum.compute(b, 0, 20)).isEqualTo(0xb861);
    }

    @Test
    void oddLengthPadsTrailingByteOnTheRight() {
        ByteBuf b = hex("0102 03");
        // 0x0102 + 0x0300 = 0x0402 -> ~ = 0xfbfd
        assertThat(Checksum.compute(b, 0, 3)).isEqualTo(0xfbfd);
        assertThat(Checksum.compute(b, 2, 1)).isEqualTo(~0x0300 & 0xffff);
        assertThat(Checksum.compute(b, 0, 0)).isEqualTo(0xffff);
    }

    @Test
    void matchesNaiveReferenceForEveryLengthAndOffset() {
        SplittableRandom rnd = new SplittableRandom(1071);
        byte[] data = new byte[300];
        for (int round = 0; round < 20; round++) {
            rnd.nextBytes(data);
            if (round == 0) {
                java.util.Arrays.fill(data, (byte) 0xff); // maximal carries
            }
            ByteBuf heap = wrapBytes(data);
            ByteBuf direct = direct(data);
            for (int off = 0; off < 9; off++) {
                for (int len = 0; off + len <= data.length; len += 1 + (len > 40 ? 13 : 0)) {
                    byte[] slice = java.util.Arrays.copyOfRange(data, off, off + len);
                    int expected = naiveChecksum(slice);
                    assertThat(Checksum.compute(heap, off, len)).as("heap off=%d len=%d", off, len)
                            .isEqualTo(expected);
                    assertThat(Checksum.compute(direct, off, len)).as("direct off=%d len=%d", off, len)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void slicedAndPooledBuffersUseTheirOwnOffsets() {
        byte[] data = bytes("ffff 0001f203f4f5f6f7 eeee");
        ByteBuf whole = wrapBytes(data);
        ByteBuf slice = whole.slice(2, 8); // arrayOffset 2
        assertThat(Checksum.compute(slice, 0, 8)).isEqualTo(0x220d);
        ByteBuf pooled = track(io.netty.buffer.PooledByteBufAllocator.DEFAULT.heapBuffer(64));
        pooled.writeBytes(data);
        assertThat(Checksum.compute(pooled, 2, 8)).isEqualTo(0x220d);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Checksum.compute(slice, 4, 5))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void partialSumsChainAcrossEvenSplits() {
        SplittableRandom rnd = new SplittableRandom(7);
        byte[] data = new byte[101];
        rnd.nextBytes(data);
        ByteBuf b = wrapBytes(data);
        for (int split = 0; split <= 100; split += 2) {
            int s = Checksum.sum(b, 0, split, 0);
            s = Checksum.sum(b, split, data.length - split, s);
            assertThat(Checksum.finish(s)).isEqualTo(naiveChecksum(data));
        }
    }

    @Test
    void initialValueIsTreatedAsUnsigned32Bits() {
        ByteBuf b = hex("0001");
        // 0xffffffff folds to 0xffff + 0xffff = 0x1fffe -> 0xffff; plus 1 -> 0x10000 -> 1.
        assertThat(Checksum.finish(Checksum.sum(b, 0, 2, 0xffff_ffff))).isEqualTo(~1 & 0xffff);
        assertThat(Checksum.finish(0x0001_fffe)).isEqualTo(0); // folds to 0xffff
    }

    @Test
    void pseudoHeaderV4MatchesNaiveBytes() {
        int src = Ipv4Address.parse("192.168.200.17");
        int dst = Ipv4Address.parse("255.254.1.2");
        int s = Checksum.pseudoHeaderV4(src, dst, 17, 0xfff3);
        assertThat(Checksum.finish(s)).isEqualTo(naiveChecksum(pseudoHeader(src, dst, 17, 0xfff3)));
    }

    @Test
    void pseudoHeaderV6MatchesNaiveBytes() {
        long srcHi = 0xfe80_0000_0000_0000L;
        long srcLo = 0x0200_00ff_fe00_0001L;
        long dstHi = 0xff02_0000_0000_0000L;
        long dstLo = 0xffff_ffff_ffff_ffffL;
        int len = 0x0001_0203;
        byte[] ph = new byte[40];
        ByteBuf t = zeros(40);
        t.setLong(0, srcHi).setLong(8, srcLo).setLong(16, dstHi).setLong(24, dstLo).setInt(32, len).setInt(36, 58);
        t.getBytes(0, ph);
        int s = Checksum.pseudoHeaderV6(srcHi, srcLo, dstHi, dstLo, 58, len);
        assertThat(Checksum.finish(s)).isEqualTo(naiveChecksum(ph));
    }

    @Test
    void regionWithItsChecksumVerifiesToZero() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int len = 2; len < 64; len++) {
            byte[] data = new byte[len];
            rnd.nextBytes(data);
            ByteBuf b = wrapBytes(data);
            b.setShort(0, 0);
            b.setShort(0, Checksum.compute(b, 0, len));
            assertThat(Checksum.compute(b, 0, len)).as("len %d", len).isZero();
        }
    }
}
