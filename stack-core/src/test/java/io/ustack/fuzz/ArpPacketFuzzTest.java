/*
 * ArpPacketFuzzTest: fuzzes ArpPacket and ArpRepr (RFC 826, Ethernet/IPv4 only) on arbitrary bytes.
 * Invariant: check() returns TRUNCATED, BAD_VERSION or NONE and never throws; on NONE every accessor reads inside
 * the packet and emit(parse(x)) parses to the same ArpRepr.
 */
package io.ustack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ustack.wire.ArpPacket;
import io.ustack.wire.ArpRepr;
import io.ustack.wire.DropReason;

import static org.assertj.core.api.Assertions.assertThat;

class ArpPacketFuzzTest {
    private final ArpPacket view = new ArpPacket();

    @FuzzTest(maxDuration = "2m")
    void parse(byte[] input) {
        try (WireInput in = WireInput.of(input)) {
            DropReason r = view.wrap(in.buf, in.offset, in.length).check();
            if (r != DropReason.NONE) {
                assertThat(r).isIn(DropReason.TRUNCATED, DropReason.BAD_VERSION);
                return;
            }
            assertThat(view.hardwareType()).isEqualTo(ArpPacket.HTYPE_ETHERNET);
            assertThat(view.protocolType()).isEqualTo(ArpPacket.PTYPE_IPV4);
            ArpRepr repr = ArpRepr.parse(view);
            assertThat(repr.toString()).isNotEmpty();
            WireInput.assertRoundTrip(repr, repr.bufferLength(), repr::emit,
                    b -> new ArpPacket().wrap(b, 0, b.capacity()), ArpPacket::check, ArpRepr::parse);
        }
    }
}
