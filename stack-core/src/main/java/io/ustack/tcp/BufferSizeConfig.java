/*
 * BufferSizeConfig: how TcpConfig sizes one direction's ring of new connections: a fixed size (SO_SNDBUF /
 * SO_RCVBUF, which turn auto-sizing off as they do on Linux) or auto-sizing from an initial size within [min, max]
 * (Linux's tcp_wmem / tcp_rmem triples). The receive side's largest size also chooses the window scale offered in
 * the SYN (RFC 7323 section 2.3). BufferSizing applies these settings to a connection.
 */
package io.ustack.tcp;

/**
 * The size settings of one ring. Immutable.
 *
 * @param min the smallest size a connection's setter accepts
 * @param size the fixed size, or the initial one when auto-sized
 * @param max the largest size auto-sizing may grow the ring to
 * @param auto whether the ring is auto-sized
 */
record BufferSizeConfig(int min, int size, int max, boolean auto) {
    /** Auto-sized: 4 KiB / 256 KiB / 4 MiB. */
    static final BufferSizeConfig DEFAULT = new BufferSizeConfig(4096, 256 * 1024, 4 << 20, true);

    /** Auto-sizing from {@code initial} bytes within [{@code min}, {@code max}]. */
    static BufferSizeConfig auto(int min, int initial, int max) {
        checkSize(min);
        checkSize(max);
        if (min > initial || initial > max) {
            throw new IllegalArgumentException("buffer bounds " + min + " <= " + initial + " <= " + max);
        }
        return new BufferSizeConfig(min, initial, max, true);
    }

    /** A fixed size of {@code bytes}: auto-sizing off, the bounds kept. */
    BufferSizeConfig fixed(int bytes) {
        return new BufferSizeConfig(min, checkSize(bytes), max, false);
    }

    /** The largest the ring may become: the auto-sizing maximum, or the fixed size. */
    int limit() {
        return auto ? max : size;
    }

    private static int checkSize(int bytes) {
        if (bytes < 1 || bytes > (1 << 30)) {
            throw new IllegalArgumentException("buffer size " + bytes + " outside 1..2^30");
        }
        return bytes;
    }
}
