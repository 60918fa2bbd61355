/*
 * UdpDatagramFuzzTest: fuzzes UdpDatagram and UdpRepr (RFC 768, IPv4 pseudo-header) on arbitrary bytes, with the
 * checksum recomputed for half of the inputs. Invariant: check() returns TRUNCATED, BAD_LENGTH, BAD_CHECKSUM or NONE
 * and never throws; on NONE the data lies inside the bytes, and emit(parse(x)) parses to the same UdpRepr both with
 * a checksum and with none (0).
 */
package io.ustack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ustack.wire.DropReason;
import io.ustack.wire.UdpDatagram;
import io.ustack.wire.UdpRepr;

import static io.ustack.fuzz.WireInput.DST_IP;
import static io.ustack.fuzz.WireInput.SRC_IP;
import static org.assertj.core.api.Assertions.assertThat;

class UdpDatagramFuzzTest {
    private final UdpDatagram view = new UdpDatagram();

    @FuzzTest(maxDuration = "2m")
    void parse(byte[] input) {
        try (WireInput in = WireInput.of(input)) {
            if (in.fixChecksums && in.length >= UdpDatagram.HEADER_LENGTH) {
                int udpLength = in.buf.getUnsignedShort(in.offset + UdpDatagram.LENGTH_OFFSET);
                if (udpLength >= UdpDatagram.HEADER_LENGTH && udpLength <= in.length) {
                    UdpDatagram.fillChecksum(in.buf, in.offset, udpLength, SRC_IP, DST_IP);
                }
            }
            DropReason r = view.wrap(in.buf, in.offset, in.length).check(SRC_IP, DST_IP);
            if (r != DropReason.NONE) {
                assertThat(r).isIn(DropReason.TRUNCATED, DropReason.BAD_LENGTH, DropReason.BAD_CHECKSUM);
                return;
            }
            assertThat(view.length()).isBetween(UdpDatagram.HEADER_LENGTH, in.length);
            in.assertInside(view.payloadOffset(), view.payloadLength());
            UdpRepr repr = UdpRepr.parse(view);
            assertThat(repr.toString()).isNotEmpty();
            WireInput.assertRoundTrip(repr, repr.bufferLength(), (b, at) -> repr.emit(b, at, SRC_IP, DST_IP),
                    b -> new UdpDatagram().wrap(b, 0, b.capacity()), v -> v.check(SRC_IP, DST_IP), UdpRepr::parse);
            WireInput.assertRoundTrip(repr, repr.bufferLength(), repr::emit,
                    b -> new UdpDatagram().wrap(b, 0, b.capacity()), v -> v.check(SRC_IP, DST_IP), UdpRepr::parse);
        }
    }
}
