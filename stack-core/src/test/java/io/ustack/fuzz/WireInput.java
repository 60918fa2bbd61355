/*
 * WireInput: how the wire fuzz targets read a fuzz input. Byte 0 is a control byte, the rest is the packet:
 *   bit 0   recompute the checksum(s) before check() (so the fuzzer gets past them; half of the inputs leave them
 *           as they are, so BAD_CHECKSUM stays reachable too)
 *   bit 1   a direct (off-heap) buffer instead of a heap buffer (Checksum has a separate path for each)
 *   bits 2-4 0..7 bytes of junk in front of the view (absolute offsets other than 0)
 * The packet is placed at the very end of an exactly sized buffer, so any read past the view's length throws.
 * The seed corpora under src/test/resources are this control byte followed by a real packet.
 */
package io.ustack.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ustack.wire.DropReason;

import java.util.function.BiConsumer;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** One decoded wire fuzz input; close() releases its buffer. */
final class WireInput implements AutoCloseable {
    /** Addresses of the pseudo-header (UDP, TCP checksums): those of the seed fixtures, 10.0.0.1 -> 10.0.0.2. */
    static final int SRC_IP = 0x0a00_0001;
    static final int DST_IP = 0x0a00_0002;

    final boolean fixChecksums;
    final ByteBuf buf;
    /** Absolute offset and length of the packet in {@link #buf}. */
    final int offset;
    final int length;

    private WireInput(boolean fixChecksums, ByteBuf buf, int offset, int length) {
        this.fixChecksums = fixChecksums;
        this.buf = buf;
        this.offset = offset;
        this.length = length;
    }

    static WireInput of(byte[] input) {
        int control = input.length == 0 ? 0 : input[0] & 0xff;
        int length = Math.max(0, input.length - 1);
        int lead = (control >>> 2) & 7;
        int capacity = lead + length;
        ByteBuf buf = (control & 2) != 0 ? Unpooled.directBuffer(capacity, capacity)
                : Unpooled.buffer(capacity, capacity);
        for (int i = 0; i < lead; i++) {
            buf.setByte(i, 0xa5);
        }
        buf.setBytes(lead, input, input.length - length, length);
        buf.writerIndex(capacity);
        return new WireInput((control & 1) != 0, buf, lead, length);
    }

    /** A region a view reports (payload, options) lies inside the viewed bytes. */
    void assertInside(int regionOffset, int regionLength) {
        assertThat(regionLength).as("region length").isGreaterThanOrEqualTo(0);
        assertThat(regionOffset).as("region start").isGreaterThanOrEqualTo(offset);
        assertThat(regionOffset + regionLength).as("region end").isLessThanOrEqualTo(offset + length);
    }

    /**
     * Round trip of a parsed Repr: {@code emit} writes it at offset 0 of a zeroed buffer of {@code length} bytes, a
     * {@code view} of that buffer must {@code check} NONE and {@code parse} to {@code expected}.
     */
    static <V, R> void assertRoundTrip(R expected, int length, BiConsumer<ByteBuf, Integer> emit,
            Function<ByteBuf, V> view, Function<V, DropReason> check, Function<V, R> parse) {
        ByteBuf out = Unpooled.buffer(length, length);
        try {
            out.writeZero(length);
            emit.accept(out, 0);
            V again = view.apply(out);
            assertThat(check.apply(again)).as("check() of emit(parse(x))").isEqualTo(DropReason.NONE);
            assertThat(parse.apply(again)).as("emit(parse(x)) parsed again").isEqualTo(expected);
        } finally {
            out.release();
        }
    }

    @Override
    public void close() {
        buf.release();
    }
}
