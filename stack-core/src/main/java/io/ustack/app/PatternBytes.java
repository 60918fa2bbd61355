/*
 * PatternBytes: the deterministic body served at /bytes/N, so a client anywhere (curl, a test) can check what it got
 * byte by byte or by digest without the server storing anything.
 */
package io.ustack.app;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Byte {@code p} of the pattern is {@code TABLE[p % PERIOD]}: a fixed pseudo-random table whose length is a prime, so
 * a misplaced or repeated segment of any MSS-like size shows up in a digest. Filling is a bulk copy (fast enough not
 * to limit a throughput measurement).
 */
public final class PatternBytes {
    /** A prime, so no power-of-two segment size divides it. */
    public static final int PERIOD = 65521;
    private static final byte[] TABLE = new byte[PERIOD];

    static {
        new SplittableRandom(0x5EEDL).nextBytes(TABLE);
    }

    private PatternBytes() {
    }

    public static byte at(long p) {
        return TABLE[(int) (p % PERIOD)];
    }

    /** Fills {@code dst}'s remaining bytes with the pattern from {@code offset} on. */
    public static void fill(ByteBuffer dst, long offset) {
        while (dst.hasRemaining()) {
            int i = (int) (offset % PERIOD);
            int n = Math.min(dst.remaining(), PERIOD - i);
            dst.put(TABLE, i, n);
            offset += n;
        }
    }

    /** Hex SHA-256 of the first {@code length} bytes of the pattern. */
    public static String sha256(long length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long off = 0;
            while (off < length) {
                int i = (int) (off % PERIOD);
                int n = (int) Math.min(PERIOD - i, length - off);
                md.update(TABLE, i, n);
                off += n;
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
