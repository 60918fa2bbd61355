/*
 * TapException: a TAP/TUN system call failed; carries the errno and a message that says what to do about it.
 */
package io.ustack.tap;

import java.io.IOException;

/** Opening or configuring a TAP/TUN device failed. */
public final class TapException extends IOException {
    private final int errno;

    public TapException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The errno of the failed call (e.g. 1 for EPERM), or 0 when the failure was not a system call's. */
    public int errno() {
        return errno;
    }
}
