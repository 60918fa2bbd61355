/*
 * ErrnoRef: the LPINT lpErrno out-parameter of the WSP functions. The caller owns one (reusable, so the call path
 * stays garbage-free) and reads the WSA error code after a call that returned INVALID_SOCKET or SOCKET_ERROR.
 */
package io.ustack.spi;

/** A mutable int for a WSP function's error code (lpErrno). */
public final class ErrnoRef {
    private int value;

    /** The error code last stored. */
    public int get() {
        return value;
    }

    /** Stores an error code. */
    public void set(int code) {
        value = code;
    }

    /** Stores {@code code} and returns {@code result}: {@code return errno.fail(WSAEINVAL, INVALID_SOCKET);}. */
    public int fail(int code, int result) {
        value = code;
        return result;
    }

    @Override
    public String toString() {
        return WsaError.name(value);
    }
}
