/*
 * OptionValue: the optval / ioctl buffer layouts of WSPGetSockOpt, WSPSetSockOpt and WSPIoctl as bytes in Windows
 * memory order: BOOL, int and u_long are 4 bytes little-endian (x86/x64), struct linger is two little-endian u_short
 * (l_onoff, l_linger).
 */
package io.ustack.spi;

/** Reads and writes option values in a byte[] (the LPCHAR optval of the WSP option functions). */
public final class OptionValue {
    /** sizeof(int), sizeof(BOOL), sizeof(u_long) on Windows. */
    public static final int INT_LENGTH = 4;
    /** sizeof(struct linger). */
    public static final int LINGER_LENGTH = 4;
    public static final int LINGER_ONOFF_OFFSET = 0;
    public static final int LINGER_SECONDS_OFFSET = 2;

    private OptionValue() {
    }

    /** A 4-byte little-endian int at {@code offset}. */
    public static int getInt(byte[] b, int offset) {
        return b[offset] & 0xff | (b[offset + 1] & 0xff) << 8 | (b[offset + 2] & 0xff) << 16
                | (b[offset + 3] & 0xff) << 24;
    }

    public static void putInt(byte[] b, int offset, int v) {
        b[offset] = (byte) v;
        b[offset + 1] = (byte) (v >>> 8);
        b[offset + 2] = (byte) (v >>> 16);
        b[offset + 3] = (byte) (v >>> 24);
    }

    /** A little-endian u_short at {@code offset}. */
    public static int getShort(byte[] b, int offset) {
        return b[offset] & 0xff | (b[offset + 1] & 0xff) << 8;
    }

    public static void putShort(byte[] b, int offset, int v) {
        b[offset] = (byte) v;
        b[offset + 1] = (byte) (v >>> 8);
    }

    /** A new 4-byte int/BOOL value. */
    public static byte[] ofInt(int v) {
        byte[] b = new byte[INT_LENGTH];
        putInt(b, 0, v);
        return b;
    }

    /** A new BOOL value (TRUE = 1). */
    public static byte[] ofBool(boolean v) {
        return ofInt(v ? 1 : 0);
    }

    /** A new struct linger. */
    public static byte[] ofLinger(boolean onOff, int seconds) {
        byte[] b = new byte[LINGER_LENGTH];
        putShort(b, LINGER_ONOFF_OFFSET, onOff ? 1 : 0);
        putShort(b, LINGER_SECONDS_OFFSET, seconds);
        return b;
    }
}
