/*
 * DeliveryRate: delivery rate estimation (draft-cheng-iccrg-delivery-rate-estimation-02), the bandwidth samples a
 * model-based congestion control (Bbr) is driven by. The connection keeps C.delivered (bytes cumulatively ACKed or
 * SACKed), C.delivered_time, C.first_sent_time and C.app_limited (section 3.1); every segment record of the
 * SackScoreboard snapshots the first three and whether the sender was application-limited when it went out
 * (section 3.2, "upon transmitting"). When an ACK delivers segments, the newest of them (latest transmission) gives
 * the sample: the data delivered since it was sent over max(send elapsed, ACK elapsed) (section 3.3), with samples
 * shorter than the minimum RTT discarded (section 3.3.4). Allocation-free.
 */
package io.ustack.tcp;

/** Per-connection delivery rate state and the rate sample of the ACK being processed. Engine thread only. */
public final class DeliveryRate {
    /** C.delivered: bytes delivered to the peer (cumulatively acknowledged or SACKed) so far. */
    long delivered;
    /** C.delivered_time: when {@link #delivered} last grew. */
    long deliveredTime;
    /** C.first_sent_time: transmit time of the newest segment delivered (start of the current send interval). */
    long firstSentTime;
    /** C.app_limited: 0, or the {@link #delivered} value after which samples stop being application-limited. */
    long appLimited;

    // ---- the rate sample (rs) of the ACK being processed
    private boolean hasPrior;
    /** rs.prior_delivered: C.delivered when the newest delivered segment was sent. */
    long priorDelivered;
    private long priorTime;
    private long sendElapsed;
    /** rs.is_app_limited. */
    boolean sampleAppLimited;
    /** Bytes this ACK delivered (newly ACKed or SACKed): BBR's acked_sacked. */
    int newlyDelivered;
    /** rs.delivered: bytes delivered over {@link #interval}; valid when {@link #generate} returned true. */
    long sampleDelivered;
    /** rs.interval in nanoseconds. */
    long interval;
    /** The smallest RTT measured on the connection (0 before the first): shorter intervals are not trusted. */
    long minRtt;

    /** An RTT measurement of the connection. */
    void onRttSample(long rttNanos) {
        if (rttNanos > 0 && (minRtt == 0 || rttNanos < minRtt)) {
            minRtt = rttNanos;
        }
    }

    /** C.delivered: bytes delivered so far. */
    public long delivered() {
        return delivered;
    }

    /** rs.prior_delivered of the current sample: C.delivered when its newest segment was sent. */
    public long priorDelivered() {
        return priorDelivered;
    }

    /** Whether the current sample was taken while the sender was application-limited. */
    public boolean sampleAppLimited() {
        return sampleAppLimited;
    }

    /** Bytes the current ACK delivered (newly ACKed or SACKed). */
    public int newlyDelivered() {
        return newlyDelivered;
    }

    /**
     * A new segment is going out: if nothing is in flight, the send and ACK intervals start now (section 3.2, the
     * first packet of a flight).
     */
    void onSend(boolean nothingInFlight, long now) {
        if (nothingInFlight) {
            firstSentTime = now;
            deliveredTime = now;
        }
    }

    /** Whether a segment sent now is sent while application-limited. */
    boolean appLimitedNow() {
        return appLimited != 0;
    }

    /**
     * Section 3.4: the sender ran out of data (less than a segment to send, nothing lost to repair, window not
     * full): samples until everything now in flight is delivered are marked application-limited.
     */
    void markAppLimited(int inFlight) {
        appLimited = Math.max(delivered + inFlight, 1);
    }

    /** Resets the per-ACK sample. */
    void beginAck() {
        hasPrior = false;
        newlyDelivered = 0;
    }

    /**
     * Section 3.3 UpdateRateSample: a segment of {@code len} bytes with the given snapshot, sent at {@code sentTime},
     * was delivered at {@code now}.
     */
    void onDelivered(int len, long pDelivered, long pDeliveredTime, long pFirstSentTime, long sentTime,
                     boolean pAppLimited, long now) {
        delivered += len;
        deliveredTime = now;
        newlyDelivered += len;
        if (!hasPrior || sentTime - firstSentTime > 0) { // IsNewestPacket: the latest transmission wins
            hasPrior = true;
            priorDelivered = pDelivered;
            priorTime = pDeliveredTime;
            sampleAppLimited = pAppLimited;
            sendElapsed = sentTime - pFirstSentTime;
            firstSentTime = sentTime;
        }
    }

    /**
     * Section 3.3 GenerateRateSample at the end of the ACK. Returns whether the sample is valid: something was
     * delivered and the interval is at least the minimum RTT (section 3.3.4).
     */
    boolean generate() {
        if (appLimited != 0 && delivered - appLimited > 0) {
            appLimited = 0; // the application-limited flight has been delivered
        }
        if (!hasPrior) {
            return false;
        }
        long ackElapsed = deliveredTime - priorTime;
        interval = Math.max(sendElapsed, ackElapsed);
        sampleDelivered = delivered - priorDelivered;
        return interval > 0 && interval >= minRtt && sampleDelivered > 0;
    }

    /** The sample's delivery rate in bytes per second (after {@link #generate} returned true). */
    public long rateBytesPerSecond() {
        return (long) (sampleDelivered * 1e9 / interval);
    }

    /** Whether the ACK being processed delivered anything. */
    public boolean hasSample() {
        return hasPrior;
    }
}
