/*
 * Ipv6PacketFuzzTest: fuzzes Ipv6Packet and Ipv6Repr (RFC 8200 3, fixed header only) on arbitrary bytes.
 * Invariant: check() returns TRUNCATED, BAD_VERSION, BAD_LENGTH or NONE and never throws; on NONE the payload lies
 * inside the bytes and emit(parse(x)) parses to the same Ipv6Repr.
 */
package io.ustack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ustack.wire.DropReason;
import io.ustack.wire.Ipv6Packet;
import io.ustack.wire.Ipv6Repr;

import static org.assertj.core.api.Assertions.assertThat;

class Ipv6PacketFuzzTest {
    private final Ipv6Packet view = new Ipv6Packet();

    @FuzzTest(maxDuration = "2m")
    void parse(byte[] input) {
        try (WireInput in = WireInput.of(input)) {
            DropReason r = view.wrap(in.buf, in.offset, in.length).check();
            if (r != DropReason.NONE) {
                assertThat(r).isIn(DropReason.TRUNCATED, DropReason.BAD_VERSION, DropReason.BAD_LENGTH);
                return;
            }
            assertThat(view.version()).isEqualTo(6);
            in.assertInside(view.payloadOffset(), view.payloadLength());
            long[] addresses = new long[4];
            view.source(addresses, 0);
            view.destination(addresses, 2);
            Ipv6Repr repr = Ipv6Repr.parse(view);
            assertThat(addresses).containsExactly(repr.sourceHigh(), repr.sourceLow(), repr.destinationHigh(),
                    repr.destinationLow());
            assertThat(repr.pseudoHeaderSum()).isBetween(0, 0xffff);
            WireInput.assertRoundTrip(repr, repr.bufferLength(), repr::emit,
                    b -> new Ipv6Packet().wrap(b, 0, b.capacity()), Ipv6Packet::check, Ipv6Repr::parse);
        }
    }
}
