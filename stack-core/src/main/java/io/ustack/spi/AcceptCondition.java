/*
 * AcceptCondition: the lpfnCondition of WSPAccept (ws2spi.h, CONDITIONPROC): asked with the caller's and the
 * callee's address whether to take a connection that is waiting in the accept queue.
 */
package io.ustack.spi;

/**
 * The condition function of WSPAccept. TCP carries no connect data and no QOS here, so the function sees the two
 * addresses only; dwCallbackData is whatever the implementation captures.
 */
@FunctionalInterface
public interface AcceptCondition {
    /** Take the connection. */
    int CF_ACCEPT = 0x0000;
    /** Refuse it: the connection is reset and WSPAccept fails with WSAECONNREFUSED. */
    int CF_REJECT = 0x0001;
    /** Leave it queued (needs SO_CONDITIONAL_ACCEPT, which this provider does not offer: WSAEINVAL). */
    int CF_DEFER = 0x0002;

    /**
     * @param callerId the remote sockaddr (the connecting peer)
     * @param calleeId the local sockaddr the connection arrived on
     * @return CF_ACCEPT or CF_REJECT
     */
    int decide(byte[] callerId, byte[] calleeId);
}
