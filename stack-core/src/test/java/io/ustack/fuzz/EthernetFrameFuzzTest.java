/*
 * EthernetFrameFuzzTest: fuzzes EthernetFrame and EthernetRepr (IEEE 802.3 / RFC 894 header) on arbitrary bytes.
 * Invariant: check() returns a DropReason and never throws; when it returns NONE every accessor reads inside the
 * frame, the payload lies inside it, and emit(parse(x)) parses to the same EthernetRepr.
 */
package io.ustack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ustack.wire.DropReason;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.EthernetRepr;

import static org.assertj.core.api.Assertions.assertThat;

class EthernetFrameFuzzTest {
    private final EthernetFrame view = new EthernetFrame();

    @FuzzTest(maxDuration = "2m")
    void parse(byte[] input) {
        try (WireInput in = WireInput.of(input)) {
            DropReason r = view.wrap(in.buf, in.offset, in.length).check();
            if (r != DropReason.NONE) {
                assertThat(r).isEqualTo(DropReason.TRUNCATED);
                return;
            }
            in.assertInside(view.payloadOffset(), view.payloadLength());
            EthernetRepr repr = EthernetRepr.parse(view);
            assertThat(repr.toString()).isNotEmpty();
            WireInput.assertRoundTrip(repr, repr.bufferLength(), repr::emit,
                    b -> new EthernetFrame().wrap(b, 0, b.capacity()), EthernetFrame::check, EthernetRepr::parse);
        }
    }
}
