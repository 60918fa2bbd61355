/*
 * ConfigChecks: the argument checks of TcpConfig's setters: an integer within its range, a positive duration, a
 * duration within bounds. The limits themselves (e.g. RFC 1122 4.2.3.2's 500 ms for delayed ACKs, RFC 1191 3's
 * 68-byte path MTU) are TcpConfig's; a value outside them is an IllegalArgumentException naming setting and value.
 */
package io.ustack.tcp;

import java.time.Duration;

/** Static checks; each returns the accepted value. */
final class ConfigChecks {
    private ConfigChecks() {
    }

    /** {@code value} if it is in [{@code min}, {@code max}]; otherwise "name value". */
    static int inRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " " + value);
        }
        return value;
    }

    /** {@code value} if it is at least {@code min}; otherwise "name value". */
    static int atLeast(String name, int value, int min) {
        return inRange(name, value, min, Integer.MAX_VALUE);
    }

    /** {@code d} in nanoseconds if that is in [{@code min}, {@code max}]; otherwise "name d". */
    static long nanosInRange(String name, Duration d, long min, long max) {
        long n = d.toNanos();
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + " " + d);
        }
        return n;
    }

    /** {@code d} in nanoseconds if positive. */
    static long positive(Duration d) {
        long n = d.toNanos();
        if (n <= 0) {
            throw new IllegalArgumentException("duration must be positive: " + d);
        }
        return n;
    }
}
