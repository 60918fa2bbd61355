/*
 * WsaException: an unchecked exception carrying a Winsock error code; what failed futures and the idiomatic API
 * throw, so every failure names its WSA code and says what was wrong.
 */
package io.ustack.spi;

/** A failure with a Winsock error code ({@link WsaError}). */
public class WsaException extends RuntimeException {
    private final int error;

    public WsaException(int error, String message) {
        super(WsaError.name(error) + ": " + message);
        this.error = error;
    }

    /** The Winsock error code, e.g. {@link WsaError#WSAECONNRESET}. */
    public int error() {
        return error;
    }
}
