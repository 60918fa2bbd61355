/*
 * CongestionAlgorithm: the congestion controls a TcpConfig can choose (RFC 5681 + RFC 6582 NewReno now; CUBIC of
 * RFC 9438 is planned).
 */
package io.ustack.tcp;

/** Which {@link CongestionControl} a new connection gets. */
public enum CongestionAlgorithm {
    NEW_RENO {
        @Override
        public CongestionControl create(int smss) {
            return new NewReno(smss);
        }
    };

    /** A fresh controller for a connection whose sender MSS is {@code smss}. */
    public abstract CongestionControl create(int smss);
}
