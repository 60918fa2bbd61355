/*
 * MacAddress: IEEE 802 48-bit MAC addresses held in the low 48 bits of a long (first octet in bits 40..47), as
 * carried in Ethernet (IEEE 802.3) and ARP (RFC 826). Bit 0 of the first octet is the group (multicast) bit,
 * bit 1 the locally-administered bit.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;
import java.security.SecureRandom;

/** Static helpers for MAC addresses as {@code long}. */
public final class MacAddress {
    /** ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xffff_ffff_ffffL;

    private static final long MASK = 0xffff_ffff_ffffL;
    private static final long GROUP_BIT = 0x01L << 40;
    private static final long LOCAL_BIT = 0x02L << 40;

    private MacAddress() {}

    /** Reads 6 bytes at absolute {@code off}. */
    public static long get(ByteBuf buf, int off) {
        return ((long) buf.getUnsignedShort(off) << 32) | buf.getUnsignedInt(off + 2);
    }

    /** Writes the low 48 bits of {@code mac} as 6 bytes at absolute {@code off}. */
    public static void set(ByteBuf buf, int off, long mac) {
        buf.setShort(off, (int) (mac >>> 32));
        buf.setInt(off + 2, (int) mac);
    }

    /** Lower-case colon form, e.g. "02:00:00:00:00:01". */
    public static String toString(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int b = (int) (mac >>> shift) & 0xff;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            if (shift != 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /** Parses "xx:xx:xx:xx:xx:xx" (or with '-' separators), hex digits of either case. */
    public static long parse(String s) {
        if (s == null || s.length() != 17) {
            throw new IllegalArgumentException("not a MAC address (expected xx:xx:xx:xx:xx:xx): " + s);
        }
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            int p = i * 3;
            int hi = Character.digit(s.charAt(p), 16);
            int lo = Character.digit(s.charAt(p + 1), 16);
            if (hi < 0 || lo < 0 || (i < 5 && s.charAt(p + 2) != ':' && s.charAt(p + 2) != '-')) {
                throw new IllegalArgumentException("not a MAC address (expected xx:xx:xx:xx:xx:xx): " + s);
            }
            mac = (mac << 8) | (hi << 4) | lo;
        }
        return mac;
    }

    /** True for group addresses (the I/G bit set), which includes {@link #BROADCAST}. */
    public static boolean isMulticast(long mac) {
        return (mac & GROUP_BIT) != 0;
    }

    /** True if the locally-administered (U/L) bit is set. */
    public static boolean isLocallyAdministered(long mac) {
        return (mac & LOCAL_BIT) != 0;
    }

    /** A random locally administered unicast address, for a new stack instance. */
    public static long random() {
        long r = new SecureRandom().nextLong() & MASK;
        return (r & ~GROUP_BIT) | LOCAL_BIT;
    }
}
