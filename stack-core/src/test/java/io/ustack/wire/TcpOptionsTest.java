/*
 * TcpOptionsTest: parsing and emission of TCP options (RFC 9293 3.2, RFC 7323, RFC 2018): Linux layouts, EOL,
 * unknown kinds, malformed lengths, SACK block limits and the 40-byte budget.
 */
package io.ustack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class TcpOptionsTest extends BufferTest {
    private final TcpOptions o = new TcpOptions();

    private DropReason parse(String hex) {
        ByteBuf b = hex("eeee" + hex); // two junk bytes in front: offsets are absolute
        return o.parse(b, 2, b.readableBytes() - 2);
    }

    @Test
    void emptyAndClear() {
        assertThat(parse("")).isEqualTo(DropReason.NONE);
        assertThat(o.mss()).isEqualTo(-1);
        assertThat(o.windowScale()).isEqualTo(-1);
        assertThat(o.sackPermitted()).isFalse();
        assertThat(o.hasTimestamps()).isFalse();
        assertThat(o.sackBlockCount()).isZero();
        assertThat(o.encodedLength()).isZero();
    }

    @Test
    void parseClearsPreviousState() {
        assertThat(parse("020405b4 01030307")).isEqualTo(DropReason.NONE);
        assertThat(o.mss()).isEqualTo(1460);
        assertThat(parse("0101080a 00000001 00000002")).isEqualTo(DropReason.NONE);
        assertThat(o.mss()).isEqualTo(-1);
        assertThat(o.windowScale()).isEqualTo(-1);
        assertThat(o.tsVal()).isEqualTo(1);
        assertThat(o.tsEcr()).isEqualTo(2);
    }

    @Test
    void eolEndsTheListEarly() {
        assertThat(parse("020405b4 00 030307 000000")).isEqualTo(DropReason.NONE);
        assertThat(o.mss()).isEqualTo(1460);
        assertThat(o.windowScale()).isEqualTo(-1); // after EOL: ignored, even though well-formed
        assertThat(parse("00 ff")).isEqualTo(DropReason.NONE); // garbage after EOL is not examined
    }

    @Test
    void unknownOptionIsSkipped() {
        assertThat(parse("1e06 aabbccdd 020405dc")).isEqualTo(DropReason.NONE); // kind 30 (MPTCP), len 6
        assertThat(o.mss()).isEqualTo(1500);
        assertThat(parse("fe02 01 01")).isEqualTo(DropReason.NONE); // experimental kind, empty body
    }

    @Test
    void malformedLengths() {
        assertThat(parse("1e00 0000")).isEqualTo(DropReason.BAD_OPTION); // zero-length option
        assertThat(parse("1e01 0000")).isEqualTo(DropReason.BAD_OPTION); // length 1
        assertThat(parse("0101 1e08 aabbcc")).isEqualTo(DropReason.BAD_OPTION); // overruns the area
        assertThat(parse("010101 02")).isEqualTo(DropReason.BAD_OPTION); // kind with no room for a length
        assertThat(parse("0205 05b4 00")).isEqualTo(DropReason.BAD_OPTION); // MSS length 5
        assertThat(parse("0303 07 030207")).isEqualTo(DropReason.BAD_OPTION); // WS length 2
        assertThat(parse("0403")).isEqualTo(DropReason.BAD_OPTION); // SACK-permitted length 3 overruns
        assertThat(parse("0403 00 01")).isEqualTo(DropReason.BAD_OPTION); // SACK-permitted length 3
        assertThat(parse("0809 00000000000000 00")).isEqualTo(DropReason.BAD_OPTION); // TS length 9
    }

    @Test
    void wrongSizesForTimestampsAndSack() {
        assertThat(parse("080b 0000000100000002 00")).isEqualTo(DropReason.BAD_OPTION); // TS length 11
        assertThat(parse("0502 0000")).isEqualTo(DropReason.BAD_OPTION); // SACK with no block
        assertThat(parse("0509 0000000100000002 00")).isEqualTo(DropReason.BAD_OPTION); // not 2 + 8n
        StringBuilder five = new StringBuilder("052a"); // 2 + 8*5 = 42 > 40 in any case
        for (int i = 0; i < 10; i++) {
            five.append("00000001");
        }
        assertThat(parse(five.toString())).isEqualTo(DropReason.BAD_OPTION);
    }

    @Test
    void fourSackBlocks() {
        StringBuilder s = new StringBuilder("0101 0522");
        for (int i = 1; i <= 8; i++) {
            s.append(String.format("%08x", i * 0x1000_0001));
        }
        assertThat(parse(s.toString())).isEqualTo(DropReason.NONE);
        assertThat(o.sackBlockCount()).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(o.sackLeft(i)).isEqualTo((2 * i + 1) * 0x1000_0001);
            assertThat(o.sackRight(i)).isEqualTo((2 * i + 2) * 0x1000_0001);
        }
        assertThatThrownBy(() -> o.sackLeft(4)).isInstanceOf(IndexOutOfBoundsException.class);
        // Re-emitted: 4 + 32 bytes, same bytes.
        ByteBuf b = zeros(40);
        assertThat(o.encodedLength()).isEqualTo(36);
        assertThat(o.emit(b, 0)).isEqualTo(36);
        assertThat(copy(b, 0, 36)).isEqualTo(bytes(s.toString()));
    }

    @Test
    void linuxLayouts() {
        ByteBuf b = zeros(40);
        o.mss(1460).sackPermitted(true).windowScale(7);
        assertThat(o.emit(b, 0)).isEqualTo(12); // SYN without timestamps: MSS, NOP NOP SACK-perm, NOP WS
        assertThat(copy(b, 0, 12)).isEqualTo(bytes("020405b4 01010402 01030307"));

        o.clear().timestamps(0x11223344, 0x55667788);
        assertThat(o.emit(b, 0)).isEqualTo(12); // established: NOP NOP TS
        assertThat(copy(b, 0, 12)).isEqualTo(bytes("0101080a 11223344 55667788"));

        o.addSackBlock(100, 200);
        assertThat(o.emit(b, 0)).isEqualTo(24); // NOP NOP TS, NOP NOP SACK
        assertThat(copy(b, 12, 12)).isEqualTo(bytes("0101050a 00000064 000000c8"));
    }

    @Test
    void tooManySackBlocksForFortyBytes() {
        o.timestamps(1, 2);
        for (int i = 0; i < 6; i++) {
            o.addSackBlock(i * 10, i * 10 + 5);
        }
        assertThat(o.sackBlockCount()).isEqualTo(4); // at most 4 kept
        assertThat(o.emittedSackBlocks()).isEqualTo(3); // 12 + 4 + 24 = 40
        assertThat(o.encodedLength()).isEqualTo(40);
        ByteBuf b = zeros(40);
        assertThat(o.emit(b, 0)).isEqualTo(40);
        TcpOptions back = new TcpOptions();
        assertThat(back.parse(b, 0, 40)).isEqualTo(DropReason.NONE);
        assertThat(back.sackBlockCount()).isEqualTo(3);
        assertThat(back.sackLeft(0)).isZero(); // the first added (most recent) are kept
        assertThat(back.sackRight(2)).isEqualTo(25);

        o.mss(536); // 4 + 12 = 16 fixed; room for 2 blocks
        assertThat(o.emittedSackBlocks()).isEqualTo(2);
        assertThat(o.encodedLength()).isEqualTo(36);
        o.windowScale(14).sackPermitted(true); // 4 + 12 + 4 = 20; room for 2 blocks
        assertThat(o.encodedLength()).isEqualTo(40);
        o.clearSackBlocks();
        assertThat(o.encodedLength()).isEqualTo(20);
        o.clearTimestamps();
        assertThat(o.encodedLength()).isEqualTo(12);
    }

    @Test
    void roundTripEveryCombination() {
        ByteBuf b = zeros(40);
        TcpOptions back = new TcpOptions();
        for (int mask = 0; mask < 32; mask++) {
            o.clear();
            if ((mask & 1) != 0) {
                o.mss(65535);
            }
            if ((mask & 2) != 0) {
                o.windowScale(14);
            }
            if ((mask & 4) != 0) {
                o.sackPermitted(true);
            }
            if ((mask & 8) != 0) {
                o.timestamps(-1, 0x7fff_ffff);
            }
            if ((mask & 16) != 0) {
                o.addSackBlock(-10, -1).addSackBlock(5, 6);
            }
            int n = o.emit(b, 0);
            assertThat(n).as("mask %d", mask).isEqualTo(o.encodedLength());
            assertThat(n % 4).isZero();
            assertThat(n).isLessThanOrEqualTo(40);
            assertThat(back.parse(b, 0, n)).isEqualTo(DropReason.NONE);
            assertThat(TcpOptionsRepr.of(back)).as("mask %d", mask).isEqualTo(TcpOptionsRepr.of(o));
        }
    }

    @Test
    void copyFromAndRepr() {
        o.mss(1400).timestamps(5, 6).addSackBlock(1, 2);
        TcpOptions c = new TcpOptions().copyFrom(o);
        assertThat(TcpOptionsRepr.of(c)).isEqualTo(TcpOptionsRepr.of(o));
        assertThat(TcpOptionsRepr.of(c).toOptions(new TcpOptions()).encodedLength()).isEqualTo(4 + 12 + 12);
        assertThat(TcpOptionsRepr.NONE.toOptions(c).encodedLength()).isZero();
    }
}
