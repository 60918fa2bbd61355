/*
 * Ipv4Address: IPv4 addresses (RFC 791 section 3.2) held in an int, most significant byte first, so 10.0.0.1 is
 * 0x0a000001. Special ranges per RFC 1112 (multicast 224/4) and RFC 919 (limited broadcast).
 */
package io.ustack.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Static helpers for IPv4 addresses as {@code int}. */
public final class Ipv4Address {
    /** 0.0.0.0. */
    public static final int ANY = 0;
    /** 255.255.255.255, the limited broadcast address. */
    public static final int BROADCAST = 0xffff_ffff;

    private Ipv4Address() {}

    /** Parses strict dotted-quad notation ("10.0.0.1"); anything else throws with a message naming the input. */
    public static int parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("IPv4 address is null");
        }
        int addr = 0;
        int parts = 0;
        int i = 0;
        int n = s.length();
        while (true) {
            int start = i;
            int v = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                v = v * 10 + (s.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    break;
                }
            }
            if (i == start || i - start > 3 || v > 255) {
                throw new IllegalArgumentException("not a dotted-quad IPv4 address: \"" + s + "\"");
            }
            addr = (addr << 8) | v;
            parts++;
            if (parts == 4) {
                if (i != n) {
                    throw new IllegalArgumentException("not a dotted-quad IPv4 address: \"" + s + "\"");
                }
                return addr;
            }
            if (i >= n || s.charAt(i) != '.') {
                throw new IllegalArgumentException("not a dotted-quad IPv4 address: \"" + s + "\"");
            }
            i++;
        }
    }

    /** Dotted-quad form. */
    public static String toString(int addr) {
        return (addr >>> 24) + "." + ((addr >>> 16) & 0xff) + "." + ((addr >>> 8) & 0xff) + "." + (addr & 0xff);
    }

    /** Class D, 224.0.0.0/4 (RFC 1112). */
    public static boolean isMulticast(int addr) {
        return (addr >>> 28) == 0xe;
    }

    /** The limited broadcast address 255.255.255.255. */
    public static boolean isBroadcast(int addr) {
        return addr == BROADCAST;
    }

    /** 127.0.0.0/8. */
    public static boolean isLoopback(int addr) {
        return (addr >>> 24) == 127;
    }

    /** The network mask for a prefix length 0..32, e.g. 24 -> 0xffffff00. */
    public static int prefixMask(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("IPv4 prefix length must be 0..32: " + prefixLength);
        }
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /** The address of an {@link Inet4Address}; any other kind throws IllegalArgumentException. */
    public static int fromInetAddress(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("not an IPv4 address: " + address);
        }
        byte[] b = address.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    /** An {@link Inet4Address} for {@code addr} (no name lookup). */
    public static Inet4Address toInetAddress(int addr) {
        byte[] b = {(byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8), (byte) addr};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("4-byte address rejected", e); // cannot happen for a 4-byte array
        }
    }
}
