/*
 * Icmpv4PacketFuzzTest: fuzzes Icmpv4Packet and Icmpv4Repr (RFC 792) on arbitrary bytes, with the checksum
 * recomputed for half of the inputs. Invariant: check() returns TRUNCATED, BAD_CHECKSUM or NONE and never throws; on
 * NONE every accessor reads inside the message, the data lies inside it, and emit(parse(x)) parses to the same
 * Icmpv4Repr.
 */
package io.ustack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ustack.wire.DropReason;
import io.ustack.wire.Icmpv4Packet;
import io.ustack.wire.Icmpv4Repr;

import static org.assertj.core.api.Assertions.assertThat;

class Icmpv4PacketFuzzTest {
    private final Icmpv4Packet view = new Icmpv4Packet();

    @FuzzTest(maxDuration = "2m")
    void parse(byte[] input) {
        try (WireInput in = WireInput.of(input)) {
            if (in.fixChecksums && in.length >= Icmpv4Packet.HEADER_LENGTH) {
                Icmpv4Packet.fillChecksum(in.buf, in.offset, in.length);
            }
            DropReason r = view.wrap(in.buf, in.offset, in.length).check();
            if (r != DropReason.NONE) {
                assertThat(r).isIn(DropReason.TRUNCATED, DropReason.BAD_CHECKSUM);
                return;
            }
            in.assertInside(view.payloadOffset(), view.payloadLength());
            assertThat(view.restOfHeader()).isEqualTo(view.identifier() << 16 | view.sequence());
            assertThat(view.nextHopMtu()).isEqualTo(view.sequence());
            Icmpv4Repr repr = Icmpv4Repr.parse(view);
            assertThat(repr.payload()).hasSize(view.payloadLength());
            assertThat(repr.toString()).isNotEmpty();
            WireInput.assertRoundTrip(repr, repr.bufferLength(), repr::emit,
                    b -> new Icmpv4Packet().wrap(b, 0, b.capacity()), Icmpv4Packet::check, Icmpv4Repr::parse);
        }
    }
}
