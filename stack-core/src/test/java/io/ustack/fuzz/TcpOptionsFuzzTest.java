/*
 * TcpOptionsFuzzTest: fuzzes TcpOptions.parse (RFC 9293 3.1-3.2, RFC 7323, RFC 2018) on arbitrary option areas.
 * Invariant: parse returns NONE or BAD_OPTION and never throws; on NONE the values are in their field ranges, only
 * the parsed SACK blocks are readable, and the options emitted again (Linux's aligned layout, at most 40 bytes: SACK
 * blocks that no longer fit are left out, first ones kept) parse to the same options.
 */
package io.ustack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ustack.wire.DropReason;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpOptionsRepr;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TcpOptionsFuzzTest {
    private final TcpOptions options = new TcpOptions();

    @FuzzTest(maxDuration = "2m")
    void parse(byte[] input) {
        try (WireInput in = WireInput.of(input)) {
            DropReason r = options.parse(in.buf, in.offset, in.length);
            if (r != DropReason.NONE) {
                assertThat(r).isEqualTo(DropReason.BAD_OPTION);
                return;
            }
            assertThat(options.mss()).isBetween(-1, 0xffff);
            assertThat(options.windowScale()).isBetween(-1, 0xff);
            assertThat(options.sackBlockCount()).isBetween(0, TcpOptions.MAX_SACK_BLOCKS);
            int blocks = options.sackBlockCount();
            assertThatThrownBy(() -> options.sackLeft(blocks)).isInstanceOf(IndexOutOfBoundsException.class);
            TcpOptionsRepr repr = TcpOptionsRepr.of(options);
            assertThat(reemit(repr)).isEqualTo(emittable(repr));
        }
    }

    /** Emits {@code repr} into a 40-byte option area and parses it back. */
    private static TcpOptionsRepr reemit(TcpOptionsRepr repr) {
        TcpOptions out = repr.toOptions(new TcpOptions());
        ByteBuf area = Unpooled.buffer(TcpOptions.MAX_LENGTH, TcpOptions.MAX_LENGTH);
        try {
            int n = out.emit(area, 0);
            assertThat(n).isEqualTo(out.encodedLength()).isBetween(0, TcpOptions.MAX_LENGTH);
            assertThat(n % 4).isZero();
            TcpOptions again = new TcpOptions();
            assertThat(again.parse(area, 0, n)).isEqualTo(DropReason.NONE);
            return TcpOptionsRepr.of(again);
        } finally {
            area.release();
        }
    }

    /** {@code repr} as it reads after emission: only the SACK blocks that fit in 40 bytes (the first ones). */
    static TcpOptionsRepr emittable(TcpOptionsRepr repr) {
        int kept = repr.toOptions(new TcpOptions()).emittedSackBlocks();
        return new TcpOptionsRepr(repr.mss(), repr.windowScale(), repr.sackPermitted(), repr.timestamps(),
                repr.tsVal(), repr.tsEcr(), Arrays.copyOf(repr.sackBlocks(), 2 * kept));
    }
}
