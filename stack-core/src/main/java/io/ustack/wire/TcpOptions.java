/*
 * TcpOptions: a reusable, mutable holder for the TCP options this stack understands, parsed from and emitted into
 * the option area of a TCP header (RFC 9293 3.1 and 3.2: EOL, NOP, MSS; RFC 7323: window scale and timestamps;
 * RFC 2018: SACK-permitted and SACK).
 *
 *   kind  length  meaning
 *   0     -       End of option list
 *   1     -       No-operation (padding)
 *   2     4       Maximum segment size (16 bits)
 *   3     3       Window scale shift count (8 bits)
 *   4     2       SACK permitted
 *   5     2+8n    SACK, n = 1..4 blocks of (left edge, right edge), 32 bits each
 *   8     10      Timestamps: TSval, TSecr (32 bits each)
 *
 * Emission uses the layout Linux uses (tcp_options_write), so every option stays 4-byte aligned:
 *   MSS: 02 04 mm mm | TS: (04 02 | 01 01) 08 0a <TSval> <TSecr> | SACK-perm without TS: 01 01 04 02
 *   WS: 01 03 03 ws  | SACK: 01 01 05 len <blocks>
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;

/**
 * One instance per TCP layer, reused for every segment: {@link #parse} fills it from a received header, the fluent
 * setters prepare it for {@link #emit}. Engine thread only.
 */
public final class TcpOptions {
    public static final int KIND_EOL = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WINDOW_SCALE = 3;
    public static final int KIND_SACK_PERMITTED = 4;
    public static final int KIND_SACK = 5;
    public static final int KIND_TIMESTAMPS = 8;

    /** The option area of a TCP header is at most 40 bytes (data offset 15 * 4 - 20). */
    public static final int MAX_LENGTH = 40;
    public static final int MAX_SACK_BLOCKS = 4;

    private int mss = -1;
    private int windowScale = -1;
    private boolean sackPermitted;
    private boolean timestamps;
    private int tsVal;
    private int tsEcr;
    private int sackBlockCount;
    private final int[] sackEdges = new int[2 * MAX_SACK_BLOCKS];

    public TcpOptions() {}

    /** Forgets every option. Returns this. */
    public TcpOptions clear() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlockCount = 0;
        return this;
    }

    /**
     * Clears this holder and parses {@code length} bytes of option area at absolute {@code offset}. Returns NONE,
     * or BAD_OPTION for a length byte under 2 or missing, an option overrunning the area, or a known kind with the
     * wrong length (the holder then holds what was parsed before the bad option). Unknown kinds are skipped; EOL
     * ends the list. A repeated option overwrites the earlier one.
     */
    public DropReason parse(ByteBuf buf, int offset, int length) {
        clear();
        int i = 0;
        while (i < length) {
            int kind = buf.getUnsignedByte(offset + i);
            if (kind == KIND_EOL) {
                break;
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                return DropReason.BAD_OPTION;
            }
            int len = buf.getUnsignedByte(offset + i + 1);
            if (len < 2 || i + len > length) {
                return DropReason.BAD_OPTION;
            }
            int p = offset + i + 2;
            switch (kind) {
                case KIND_MSS -> {
                    if (len != 4) {
                        return DropReason.BAD_OPTION;
                    }
                    mss = buf.getUnsignedShort(p);
                }
                case KIND_WINDOW_SCALE -> {
                    if (len != 3) {
                        return DropReason.BAD_OPTION;
                    }
                    windowScale = buf.getUnsignedByte(p);
                }
                case KIND_SACK_PERMITTED -> {
                    if (len != 2) {
                        return DropReason.BAD_OPTION;
                    }
                    sackPermitted = true;
                }
                case KIND_SACK -> {
                    int n = (len - 2) >>> 3;
                    if (n < 1 || n > MAX_SACK_BLOCKS || len != 2 + 8 * n) {
                        return DropReason.BAD_OPTION;
                    }
                    for (int b = 0; b < n; b++) {
                        sackEdges[2 * b] = buf.getInt(p + 8 * b);
                        sackEdges[2 * b + 1] = buf.getInt(p + 8 * b + 4);
                    }
                    sackBlockCount = n;
                }
                case KIND_TIMESTAMPS -> {
                    if (len != 10) {
                        return DropReason.BAD_OPTION;
                    }
                    timestamps = true;
                    tsVal = buf.getInt(p);
                    tsEcr = buf.getInt(p + 4);
                }
                default -> { } // unknown kind with a sane length: skipped
            }
            i += len;
        }
        return DropReason.NONE;
    }

    // ---------------------------------------------------------------- getters

    /** The MSS option value, or -1 if absent. */
    public int mss() {
        return mss;
    }

    /** The raw window scale shift count (not clamped to 14), or -1 if absent. */
    public int windowScale() {
        return windowScale;
    }

    public boolean sackPermitted() {
        return sackPermitted;
    }

    public boolean hasTimestamps() {
        return timestamps;
    }

    public int tsVal() {
        return tsVal;
    }

    public int tsEcr() {
        return tsEcr;
    }

    public int sackBlockCount() {
        return sackBlockCount;
    }

    /** Left edge of SACK block {@code i} (0 = first on the wire). */
    public int sackLeft(int i) {
        checkBlock(i);
        return sackEdges[2 * i];
    }

    /** Right edge of SACK block {@code i}. */
    public int sackRight(int i) {
        checkBlock(i);
        return sackEdges[2 * i + 1];
    }

    private void checkBlock(int i) {
        if (i < 0 || i >= sackBlockCount) {
            throw new IndexOutOfBoundsException("SACK block " + i + " of " + sackBlockCount);
        }
    }

    // ---------------------------------------------------------------- fluent setters

    /** Sets the MSS to send (0..65535), or -1 for none. */
    public TcpOptions mss(int mss) {
        this.mss = mss;
        return this;
    }

    /** Sets the window scale shift count to send, or -1 for none. */
    public TcpOptions windowScale(int shift) {
        this.windowScale = shift;
        return this;
    }

    public TcpOptions sackPermitted(boolean permitted) {
        this.sackPermitted = permitted;
        return this;
    }

    public TcpOptions timestamps(int tsVal, int tsEcr) {
        this.timestamps = true;
        this.tsVal = tsVal;
        this.tsEcr = tsEcr;
        return this;
    }

    public TcpOptions clearTimestamps() {
        this.timestamps = false;
        this.tsVal = 0;
        this.tsEcr = 0;
        return this;
    }

    /**
     * Appends a SACK block [left, right). Add the most recently changed block first (RFC 2018 section 4): blocks
     * are emitted in the order added, and when the header has no room for all, the first ones are kept. A fifth
     * and later block is ignored.
     */
    public TcpOptions addSackBlock(int left, int right) {
        if (sackBlockCount < MAX_SACK_BLOCKS) {
            sackEdges[2 * sackBlockCount] = left;
            sackEdges[2 * sackBlockCount + 1] = right;
            sackBlockCount++;
        }
        return this;
    }

    public TcpOptions clearSackBlocks() {
        sackBlockCount = 0;
        return this;
    }

    /** Copies every option from {@code other}. */
    public TcpOptions copyFrom(TcpOptions other) {
        mss = other.mss;
        windowScale = other.windowScale;
        sackPermitted = other.sackPermitted;
        timestamps = other.timestamps;
        tsVal = other.tsVal;
        tsEcr = other.tsEcr;
        sackBlockCount = other.sackBlockCount;
        System.arraycopy(other.sackEdges, 0, sackEdges, 0, sackEdges.length);
        return this;
    }

    // ---------------------------------------------------------------- emission

    private int fixedLength() {
        int n = 0;
        if (mss >= 0) {
            n += 4;
        }
        if (timestamps) {
            n += 12; // carries SACK-permitted in its two leading bytes when set
        } else if (sackPermitted) {
            n += 4;
        }
        if (windowScale >= 0) {
            n += 4;
        }
        return n;
    }

    /** How many SACK blocks {@link #emit} writes: as many as fit in 40 bytes, first added first. */
    public int emittedSackBlocks() {
        if (sackBlockCount == 0) {
            return 0;
        }
        int room = MAX_LENGTH - fixedLength() - 4;
        return room < 8 ? 0 : Math.min(sackBlockCount, room >>> 3);
    }

    /** Bytes {@link #emit} writes: a multiple of 4, at most 40. */
    public int encodedLength() {
        int blocks = emittedSackBlocks();
        return fixedLength() + (blocks == 0 ? 0 : 4 + 8 * blocks);
    }

    /** Writes the options at absolute {@code offset} in Linux's layout; returns {@link #encodedLength()}. */
    public int emit(ByteBuf buf, int offset) {
        int p = offset;
        if (mss >= 0) {
            buf.setInt(p, (KIND_MSS << 24) | (4 << 16) | (mss & 0xffff));
            p += 4;
        }
        if (timestamps) {
            int lead = sackPermitted ? (KIND_SACK_PERMITTED << 8) | 2 : (KIND_NOP << 8) | KIND_NOP;
            buf.setInt(p, (lead << 16) | (KIND_TIMESTAMPS << 8) | 10);
            buf.setInt(p + 4, tsVal);
            buf.setInt(p + 8, tsEcr);
            p += 12;
        } else if (sackPermitted) {
            buf.setInt(p, (KIND_NOP << 24) | (KIND_NOP << 16) | (KIND_SACK_PERMITTED << 8) | 2);
            p += 4;
        }
        if (windowScale >= 0) {
            buf.setInt(p, (KIND_NOP << 24) | (KIND_WINDOW_SCALE << 16) | (3 << 8) | (windowScale & 0xff));
            p += 4;
        }
        int blocks = emittedSackBlocks();
        if (blocks > 0) {
            buf.setInt(p, (KIND_NOP << 24) | (KIND_NOP << 16) | (KIND_SACK << 8) | (2 + 8 * blocks));
            p += 4;
            for (int b = 0; b < blocks; b++) {
                buf.setInt(p, sackEdges[2 * b]);
                buf.setInt(p + 4, sackEdges[2 * b + 1]);
                p += 8;
            }
        }
        return p - offset;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TcpOptions[");
        if (mss >= 0) {
            sb.append("mss=").append(mss).append(' ');
        }
        if (windowScale >= 0) {
            sb.append("ws=").append(windowScale).append(' ');
        }
        if (sackPermitted) {
            sb.append("sackOK ");
        }
        if (timestamps) {
            sb.append("ts=").append(Integer.toUnsignedString(tsVal)).append('/')
                    .append(Integer.toUnsignedString(tsEcr)).append(' ');
        }
        for (int b = 0; b < sackBlockCount; b++) {
            sb.append("sack=").append(Integer.toUnsignedString(sackEdges[2 * b])).append('-')
                    .append(Integer.toUnsignedString(sackEdges[2 * b + 1])).append(' ');
        }
        return sb.append(']').toString();
    }
}
