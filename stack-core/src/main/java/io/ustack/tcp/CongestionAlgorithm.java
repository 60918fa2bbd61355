/*
 * CongestionAlgorithm: the congestion controls a TcpConfig can choose: CUBIC (RFC 9438, the default, with optional
 * HyStart++ of RFC 9406), NewReno (RFC 5681 + RFC 6582) and BBR v1 (draft-cardwell-iccrg-bbr-congestion-control-00),
 * the model-based control that keeps its window on paths with random loss (it paces; loss-based ones do not).
 */
package io.ustack.tcp;

/** Which {@link CongestionControl} a new connection gets. */
public enum CongestionAlgorithm {
    NEW_RENO {
        @Override
        public CongestionControl create(int smss) {
            return new NewReno(smss);
        }

        @Override
        public CongestionControl create(int smss, TcpConfig config) {
            return new NewReno(smss, config.initialWindow());
        }
    },
    CUBIC {
        @Override
        public CongestionControl create(int smss) {
            return new Cubic(smss);
        }

        @Override
        public CongestionControl create(int smss, TcpConfig config) {
            return new Cubic(smss, config.hystart(), config.initialWindow());
        }
    },
    BBR {
        @Override
        public CongestionControl create(int smss) {
            return new Bbr(smss);
        }

        @Override
        public CongestionControl create(int smss, TcpConfig config) {
            return new Bbr(smss, config.initialWindow());
        }
    };

    /** A fresh controller for a connection whose sender MSS is {@code smss}. */
    public abstract CongestionControl create(int smss);

    /** A fresh controller configured by {@code config} (initial window, HyStart++ on or off). */
    public CongestionControl create(int smss, TcpConfig config) {
        return create(smss);
    }
}
