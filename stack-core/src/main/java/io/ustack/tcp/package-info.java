/*
 * io.ustack.tcp: the TCP engine (RFC 9293) of ustack.
 */

/**
 * TCP, driven by one engine thread.
 *
 * <h2>Structure</h2>
 * <ul>
 *   <li>{@link io.ustack.tcp.TcpLayer}: per stack; checks and demultiplexes arriving segments, resets for closed
 *       ports (RFC 9293 3.10.7.1), listen/connect, ISN ({@link io.ustack.tcp.IsnGenerator}, RFC 6528) and ephemeral
 *       ports ({@code EphemeralPorts}, RFC 6056), the 4-tuple table ({@code ConnectionTable}).</li>
 *   <li>{@link io.ustack.tcp.TcpListener}: LISTEN (RFC 9293 3.10.7.2), backlog and accept queue, the SYN backlog
 *       with {@code SynCookies} when it is full (RFC 4987 3.6), TIME-WAIT reuse ({@code TimeWaitReuse}, RFC 6191).
 *       </li>
 *   <li>{@link io.ustack.tcp.TcpConnection}: the TCB and the user calls (RFC 9293 3.10.1-3.10.6), lifecycle and
 *       events; timer expiries and the TIME-WAIT / FIN-WAIT-2 close timer in {@code ConnectionTimers}. Arriving
 *       segments go through {@code SegmentArrives} (RFC 9293 3.10.7.3 / 3.10.7.4); the halves are
 *       {@code TcpSender} (SND.*, send ring, RFC 6298 retransmission, persist, the loss timer of RACK-TLP) and
 *       {@code TcpReceiver} (RCV.*, receive ring with {@code Assembler} reassembly, window, delayed ACK).</li>
 *   <li>Loss recovery ({@code LossRecovery}): {@code RenoRecovery} without SACK (RFC 5681 3.2, RFC 6582, RFC 3042),
 *       {@code SackRecovery} with it (RFC 6675 over the per-segment {@code SackScoreboard}, RFC 8985 RACK-TLP in
 *       {@code RackTlp}); both pace fast recovery by RFC 9937 PRR ({@code Prr}). The receiver reports SACK /
 *       D-SACK blocks ({@code SackBlocks}, RFC 2018, RFC 2883); {@code Timestamps} does RFC 7323 RTTM and PAWS;
 *       {@code SegmentOptions} builds outgoing options.</li>
 *   <li>{@link io.ustack.tcp.CongestionControl} with {@link io.ustack.tcp.Cubic} (RFC 9438, default, with
 *       {@code HyStartPlusPlus} of RFC 9406) and {@link io.ustack.tcp.NewReno}; {@link io.ustack.tcp.RttEstimator}
 *       (RFC 6298); {@link io.ustack.tcp.SequenceNumbers} (modular comparisons).</li>
 *   <li>Robustness and defences: {@code KeepAlive} (RFC 1122 4.2.3.6), {@code UserTimeout} (RFC 9293 3.8.3,
 *       RFC 5482), {@code ChallengeAckLimiter} (RFC 5961 7), {@code IcmpErrors} (RFC 1122 4.2.3.9, RFC 1191 path
 *       MTU, RFC 5927 validation), {@code BufferSizing} (SO_RCVBUF / SO_SNDBUF or auto-sizing), counted in
 *       {@link io.ustack.tcp.TcpExtCounters}.</li>
 *   <li>{@code Segment} (the arriving segment as parsed once) and {@code SegmentWriter} (building outgoing
 *       segments through {@link io.ustack.ip.IpOutput}).</li>
 * </ul>
 *
 * <h2>Threading, time, events</h2>
 * Everything runs on the engine thread; nothing locks. Time is never read: {@code input}, {@code connect} and
 * timers carry {@code now}; for calls without it (read, write, close...) the engine calls
 * {@link io.ustack.tcp.TcpLayer#updateTime(long)} once per loop turn. Handler events are queued while a segment,
 * timer or call is being processed and delivered when it is done, so handlers may call back into the connection.
 *
 * <h2>Buffers</h2>
 * Each connection has one send ring (SO_SNDBUF) and one receive ring (SO_RCVBUF), allocated from
 * {@link io.ustack.tcp.TcpConfig#allocator()} on first use and released when the connection ends (the receive ring
 * when the user has read it or closed). Unless the user fixes their sizes, they grow with the path (BufferSizing):
 * a bigger ring is allocated and the bytes copied, at most about once per round trip. Packet buffers come from {@code IpOutput.allocate} and are always handed to
 * {@code IpOutput.sendIpv4}. The per-segment path allocates no objects.
 */
package io.ustack.tcp;
