/*
 * Ipv4PacketFuzzTest: fuzzes Ipv4Packet and Ipv4Repr (RFC 791 3.1) on arbitrary bytes, with the header checksum
 * recomputed for half of the inputs. Invariant: check() returns one of its documented reasons and never throws; on
 * NONE the header, options and payload lie inside the bytes, the fragment fields agree with each other, and
 * emit(parse(x)) (a 20-byte header: options are not part of the Repr) parses to the same Ipv4Repr.
 */
package io.ustack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ustack.wire.DropReason;
import io.ustack.wire.Ipv4Packet;
import io.ustack.wire.Ipv4Repr;

import static org.assertj.core.api.Assertions.assertThat;

class Ipv4PacketFuzzTest {
    private final Ipv4Packet view = new Ipv4Packet();

    @FuzzTest(maxDuration = "2m")
    void parse(byte[] input) {
        try (WireInput in = WireInput.of(input)) {
            if (in.fixChecksums && in.length >= Ipv4Packet.MIN_HEADER_LENGTH) {
                int hl = (in.buf.getUnsignedByte(in.offset) & 0xf) << 2;
                if (hl >= Ipv4Packet.MIN_HEADER_LENGTH && hl <= in.length) {
                    Ipv4Packet.fillChecksum(in.buf, in.offset, hl);
                }
            }
            DropReason r = view.wrap(in.buf, in.offset, in.length).check();
            if (r != DropReason.NONE) {
                assertThat(r).isIn(DropReason.TRUNCATED, DropReason.BAD_VERSION, DropReason.BAD_HEADER_LENGTH,
                        DropReason.BAD_LENGTH, DropReason.BAD_CHECKSUM);
                return;
            }
            assertThat(view.version()).isEqualTo(4);
            assertThat(view.headerLength()).isBetween(Ipv4Packet.MIN_HEADER_LENGTH, Ipv4Packet.MAX_HEADER_LENGTH);
            assertThat(view.totalLength()).isBetween(view.headerLength(), in.length);
            in.assertInside(view.optionsOffset(), view.optionsLength());
            in.assertInside(view.payloadOffset(), view.payloadLength());
            assertThat(view.fragmentOffset() % 8).isZero();
            assertThat(view.isFragment()).isEqualTo(view.moreFragments() || view.fragmentOffset() != 0);
            Ipv4Repr repr = Ipv4Repr.parse(view);
            assertThat(repr.toString()).isNotEmpty();
            WireInput.assertRoundTrip(repr, repr.bufferLength(), repr::emit,
                    b -> new Ipv4Packet().wrap(b, 0, b.capacity()), Ipv4Packet::check, Ipv4Repr::parse);
        }
    }
}
