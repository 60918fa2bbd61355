/*
 * InitialWindow: the congestion window a connection starts with (RFC 5681 3.1 "IW"): RFC 6928's ten segments
 * (min(10*SMSS, max(2*SMSS, 14600)), the default, as Linux since 2.6.39) or RFC 3390's three to four
 * (min(4*SMSS, max(2*SMSS, 4380)), RFC 5681's equation 1). A window that starts larger lets short transfers finish
 * in fewer round trips.
 */
package io.ustack.tcp;

/** The initial congestion window rule. */
public enum InitialWindow {
    /** RFC 3390 / RFC 5681 3.1 equation 1. */
    RFC3390 {
        @Override
        public int bytes(int smss) {
            return Math.min(4 * smss, Math.max(2 * smss, 4380));
        }
    },
    /** RFC 6928 section 2 (the default). */
    RFC6928 {
        @Override
        public int bytes(int smss) {
            return Math.min(10 * smss, Math.max(2 * smss, 14600));
        }
    };

    /** IW in bytes for a sender MSS of {@code smss}. */
    public abstract int bytes(int smss);
}
