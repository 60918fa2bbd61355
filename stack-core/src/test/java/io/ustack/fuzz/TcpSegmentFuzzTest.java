/*
 * TcpSegmentFuzzTest: fuzzes TcpSegment and TcpRepr (RFC 9293 3.1, IPv4 pseudo-header) on arbitrary bytes, with the
 * checksum recomputed for half of the inputs. Invariant: check() returns TRUNCATED, BAD_HEADER_LENGTH, BAD_CHECKSUM
 * or NONE and never throws; on NONE header, options and data lie inside the bytes; TcpRepr.parse either throws its
 * documented IllegalArgumentException (exactly when the options do not parse) or gives a Repr whose emission parses
 * to the same Repr (SACK blocks that do not fit the 40-byte option area left out).
 */
package io.ustack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ustack.wire.DropReason;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpRepr;
import io.ustack.wire.TcpSegment;

import static io.ustack.fuzz.WireInput.DST_IP;
import static io.ustack.fuzz.WireInput.SRC_IP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TcpSegmentFuzzTest {
    private final TcpSegment view = new TcpSegment();
    private final TcpOptions options = new TcpOptions();

    @FuzzTest(maxDuration = "2m")
    void parse(byte[] input) {
        try (WireInput in = WireInput.of(input)) {
            if (in.fixChecksums && in.length >= TcpSegment.MIN_HEADER_LENGTH) {
                TcpSegment.fillChecksum(in.buf, in.offset, in.length, SRC_IP, DST_IP);
            }
            DropReason r = view.wrap(in.buf, in.offset, in.length).check(SRC_IP, DST_IP);
            if (r != DropReason.NONE) {
                assertThat(r).isIn(DropReason.TRUNCATED, DropReason.BAD_HEADER_LENGTH, DropReason.BAD_CHECKSUM);
                return;
            }
            assertThat(view.headerLength()).isBetween(TcpSegment.MIN_HEADER_LENGTH, TcpSegment.MAX_HEADER_LENGTH);
            in.assertInside(view.optionsOffset(), view.optionsLength());
            in.assertInside(view.payloadOffset(), view.payloadLength());
            assertThat(view.segmentLength()).isBetween(view.payloadLength(), view.payloadLength() + 2);
            if (options.parse(in.buf, view.optionsOffset(), view.optionsLength()) != DropReason.NONE) {
                assertThatThrownBy(() -> TcpRepr.parse(view)).isInstanceOf(IllegalArgumentException.class);
                return;
            }
            TcpRepr repr = TcpRepr.parse(view);
            assertThat(repr.payload()).hasSize(view.payloadLength());
            assertThat(repr.toString()).isNotEmpty();
            TcpRepr expected = new TcpRepr(repr.sourcePort(), repr.destinationPort(), repr.sequenceNumber(),
                    repr.acknowledgmentNumber(), repr.flags(), repr.window(), repr.urgentPointer(),
                    TcpOptionsFuzzTest.emittable(repr.options()), repr.payload());
            WireInput.assertRoundTrip(expected, repr.bufferLength(), (b, at) -> repr.emit(b, at, SRC_IP, DST_IP),
                    b -> new TcpSegment().wrap(b, 0, b.capacity()), v -> v.check(SRC_IP, DST_IP), TcpRepr::parse);
        }
    }
}
