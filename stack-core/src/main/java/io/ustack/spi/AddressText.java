/*
 * AddressText: the text forms of WSPAddressToString and WSPStringToAddress. IPv4: dotted decimal "1.2.3.4" with
 * ":port" when the port is not 0. IPv6: RFC 5952 canonical text (lowercase, longest zero run as "::", mixed
 * notation for IPv4-mapped addresses), "%scope" when sin6_scope_id is not 0 (RFC 4007 section 11, numeric zones),
 * and "[...]:port" when the port is not 0 (RFC 5952 section 6). Parsing accepts the RFC 4291 section 2.2 forms.
 */
package io.ustack.spi;

/** Formats and parses socket addresses (sockaddr_in / sockaddr_in6 in a byte[], see {@link SockAddr}). */
public final class AddressText {
    private AddressText() {
    }

    /** The text of a valid sockaddr_in or sockaddr_in6 (the caller checked family and length). */
    public static String format(byte[] sa) {
        int port = SockAddr.port(sa);
        if (SockAddr.family(sa) == Winsock.AF_INET) {
            String a = inet4Text(SockAddr.inet4Address(sa));
            return port == 0 ? a : a + ":" + port;
        }
        String a = inet6Text(sa, SockAddr.IN6_ADDR_OFFSET);
        int scope = SockAddr.scopeId(sa);
        if (scope != 0) {
            a = a + "%" + Integer.toUnsignedString(scope);
        }
        return port == 0 ? a : "[" + a + "]:" + port;
    }

    /** Dotted decimal of a big-endian IPv4 address. */
    public static String inet4Text(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 0xff) + "." + (a >>> 8 & 0xff) + "." + (a & 0xff);
    }

    /** RFC 5952 text of the 16 bytes at {@code off}. */
    public static String inet6Text(byte[] b, int off) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (b[off + 2 * i] & 0xff) << 8 | b[off + 2 * i + 1] & 0xff;
        }
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
            // RFC 5952 section 5: IPv4-mapped addresses in mixed notation.
            return "::ffff:" + inet4Text(SockAddr.getIntBe(b, off + 12));
        }
        // RFC 5952 section 4.2: the longest run of two or more zero groups (the first of equal runs) becomes "::".
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLen) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /**
     * Parses {@code text} as an address of {@code family} into a sockaddr at the start of {@code sa} (which holds
     * at least {@link SockAddr#lengthOf}(family) bytes).
     *
     * @return false if the text is not an address of that family (nothing meaningful written)
     */
    public static boolean parse(String text, int family, byte[] sa) {
        if (family == Winsock.AF_INET) {
            return parseInet4(text, sa);
        }
        if (family == Winsock.AF_INET6) {
            return parseInet6(text, sa);
        }
        return false;
    }

    private static boolean parseInet4(String text, byte[] sa) {
        int colon = text.indexOf(':');
        String host = colon < 0 ? text : text.substring(0, colon);
        int port = 0;
        if (colon >= 0) {
            port = parsePort(text, colon + 1);
            if (port < 0) {
                return false;
            }
        }
        long a = parseDotted(host, 0, host.length());
        if (a < 0) {
            return false;
        }
        SockAddr.writeInet4(sa, (int) a, port);
        return true;
    }

    private static boolean parseInet6(String text, byte[] sa) {
        String host = text;
        int port = 0;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = text.substring(1, close);
            if (close + 1 < text.length()) {
                if (text.charAt(close + 1) != ':') {
                    return false;
                }
                port = parsePort(text, close + 2);
                if (port < 0) {
                    return false;
                }
            }
        }
        int scope = 0;
        int pct = host.indexOf('%');
        if (pct >= 0) {
            long z = parseDecimal(host, pct + 1, host.length(), 0xffffffffL);
            if (z < 0) {
                return false;
            }
            scope = (int) z;
            host = host.substring(0, pct);
        }
        byte[] addr = new byte[16];
        if (!parseInet6Address(host, addr)) {
            return false;
        }
        SockAddr.writeInet6(sa, addr, 0, port, 0, scope);
        return true;
    }

    /** RFC 4291 section 2.2 text (forms 1 to 3) into 16 bytes. */
    static boolean parseInet6Address(String s, byte[] out) {
        int dc = s.indexOf("::");
        if (dc >= 0 && s.indexOf("::", dc + 1) >= 0) {
            return false;
        }
        int[] groups = new int[8];
        if (dc < 0) {
            return parseGroups(s, 0, s.length(), groups, 0, true) == 8 && writeGroups(groups, out);
        }
        int head = parseGroups(s, 0, dc, groups, 0, false);
        if (head < 0) {
            return false;
        }
        int[] tailGroups = new int[8];
        int tail = parseGroups(s, dc + 2, s.length(), tailGroups, 0, true);
        if (tail < 0 || head + tail > 7) {
            return false;
        }
        System.arraycopy(tailGroups, 0, groups, 8 - tail, tail);
        return writeGroups(groups, out);
    }

    /**
     * Parses colon-separated hex groups of s[from, to) into {@code groups} from {@code at}; the last part may be a
     * dotted IPv4 address (two groups) if {@code ipv4Tail}. An empty range is zero groups.
     *
     * @return the number of groups, or -1 if malformed
     */
    private static int parseGroups(String s, int from, int to, int[] groups, int at, boolean ipv4Tail) {
        if (from == to) {
            return 0;
        }
        int n = at;
        int start = from;
        while (true) {
            int colon = s.indexOf(':', start);
            int end = colon < 0 || colon >= to ? to : colon;
            if (end == to && ipv4Tail && s.indexOf('.', start) >= 0 && s.indexOf('.', start) < to) {
                long v4 = parseDotted(s, start, to);
                if (v4 < 0 || n + 2 > 8) {
                    return -1;
                }
                groups[n++] = (int) (v4 >>> 16);
                groups[n++] = (int) (v4 & 0xffff);
                return n - at;
            }
            if (end - start < 1 || end - start > 4 || n == 8) {
                return -1;
            }
            int v = 0;
            for (int i = start; i < end; i++) {
                int d = Character.digit(s.charAt(i), 16);
                if (d < 0) {
                    return -1;
                }
                v = v << 4 | d;
            }
            groups[n++] = v;
            if (end == to) {
                return n - at;
            }
            start = end + 1;
        }
    }

    private static boolean writeGroups(int[] groups, byte[] out) {
        for (int i = 0; i < 8; i++) {
            out[2 * i] = (byte) (groups[i] >>> 8);
            out[2 * i + 1] = (byte) groups[i];
        }
        return true;
    }

    /**
     * Strict dotted decimal: four parts 0..255, decimal digits only, no leading zeros (which other parsers read
     * as octal).
     *
     * @return the address as an unsigned 32-bit value, or -1
     */
    static long parseDotted(String s, int from, int to) {
        long a = 0;
        int start = from;
        for (int part = 0; part < 4; part++) {
            int end = start;
            while (end < to && s.charAt(end) != '.') {
                end++;
            }
            if (end - start > 1 && s.charAt(start) == '0') {
                return -1;
            }
            long v = parseDecimal(s, start, end, 255);
            if (v < 0 || (part < 3) == (end == to)) {
                return -1;
            }
            a = a << 8 | v;
            start = end + 1;
        }
        return a;
    }

    /** A port: 1 to 5 decimal digits up to 65535 from {@code from} to the end, or -1. */
    private static int parsePort(String s, int from) {
        return (int) parseDecimal(s, from, s.length(), 65535);
    }

    /** Unsigned decimal s[from, to), 1 to 10 digits, at most {@code max}; -1 if malformed or too large. */
    private static long parseDecimal(String s, int from, int to, long max) {
        if (to <= from || to - from > 10) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= max ? v : -1;
    }
}
