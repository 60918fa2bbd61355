/*
 * FuzzCursor: reads the fields of a structured fuzz input (the records of FrameScript, the fragments of the
 * reassembly fuzzer) from a byte array, big-endian, with zeros once the input is used up, so every input decodes and
 * a seed can be written by hand as a hex string of its fields.
 */
package io.ustack.fuzz;

import java.util.Arrays;

/** A read position in a fuzz input. Reads past the end return zeros. */
public final class FuzzCursor {
    private final byte[] data;
    private int pos;

    public FuzzCursor(byte[] data) {
        this.data = data;
    }

    public boolean hasMore() {
        return pos < data.length;
    }

    public int u8() {
        return pos < data.length ? data[pos++] & 0xff : 0;
    }

    public int u16() {
        return u8() << 8 | u8();
    }

    /** A signed 16-bit value (for deltas around a known sequence number). */
    public int s16() {
        return (short) u16();
    }

    public int u32() {
        return u16() << 16 | u16();
    }

    /** The next {@code n} bytes, zero-filled where the input ends. */
    public byte[] bytes(int n) {
        byte[] b = Arrays.copyOfRange(data, pos, pos + n);
        pos = Math.min(data.length, pos + n);
        return b;
    }
}
