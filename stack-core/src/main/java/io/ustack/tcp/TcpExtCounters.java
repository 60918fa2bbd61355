/*
 * TcpExtCounters: counters of one TCP layer's defences and robustness mechanisms, in the spirit of Linux's TcpExt
 * MIB: RFC 5961 challenge ACKs and their section 7 throttling, SYN backlog overflows and SYN cookies (RFC 4987),
 * keep-alives (RFC 1122 4.2.3.6), user timeouts (RFC 9293 3.8.3), ICMP errors (RFC 1191, RFC 5927, RFC 1122
 * 4.2.3.9), TIME-WAIT reuse (RFC 6191), buffer auto-sizing, and loss recovery (RFC 6298 timeouts, RFC 6675 and
 * RFC 6582 recoveries, RFC 8985 loss probes and lost retransmissions). Written by the engine thread only.
 */
package io.ustack.tcp;

/** Plain counters; read them from the engine thread (or accept a racy snapshot). */
public final class TcpExtCounters {
    /** Challenge ACKs sent (RFC 5961 3.2, 4.2, 5.2). */
    public long challengeAcks;
    /** Challenge ACKs not sent because the per-second budget was spent (RFC 5961 7). */
    public long challengeAcksSuppressed;
    /** SYNs that found the SYN backlog full (answered with a cookie or dropped). */
    public long synBacklogOverflows;
    /** SYN-ACKs carrying a SYN cookie. */
    public long synCookiesSent;
    /** ACKs whose cookie validated and became a connection. */
    public long synCookiesValid;
    /** ACKs checked as cookies that did not validate. */
    public long synCookiesInvalid;
    /** Keep-alive probes sent. */
    public long keepAliveProbes;
    /** Connections ended because keep-alive probes went unanswered. */
    public long keepAliveTimeouts;
    /** Connections ended by the user timeout. */
    public long userTimeouts;
    /** ICMP errors about TCP that matched a connection and a segment we sent. */
    public long icmpAccepted;
    /** ICMP errors about TCP that matched nothing we sent (no connection, sequence outside SND.UNA..SND.NXT). */
    public long icmpIgnored;
    /** Send MSS reductions because of "fragmentation needed" (RFC 1191). */
    public long pathMtuReductions;
    /** New connections accepted from a SYN that hit a TIME-WAIT connection (RFC 6191 / RFC 1122 4.2.2.13). */
    public long timeWaitReuses;
    /** Receive rings grown by auto-sizing. */
    public long receiveBufferGrowths;
    /** Send rings grown by auto-sizing. */
    public long sendBufferGrowths;
    /** Retransmission timeouts of established connections (Linux TCPTimeouts). */
    public long retransmitTimeouts;
    /** SACK-based fast recoveries entered (RFC 6675; Linux TCPSackRecovery). */
    public long sackRecoveries;
    /** Fast recoveries without SACK (RFC 5681 / RFC 6582; Linux TCPRenoRecovery). */
    public long renoRecoveries;
    /** Tail loss probes sent (RFC 8985 7.3; Linux TCPLossProbes). */
    public long lossProbes;
    /** Retransmissions that RACK found lost again (RFC 8985 6.2; Linux TCPLostRetransmit). */
    public long lostRetransmits;
    /** Loss episodes found spurious by D-SACK and undone (RFC 3708; Linux TCPDSACKUndo + TCPLossUndo). */
    public long spuriousRecoveriesUndone;
    /** Retransmission timeouts found spurious by F-RTO and undone (RFC 5682; Linux TCPSpuriousRTOs). */
    public long spuriousRtos;
    /** Out-of-order segments dropped because the receiver kept as many separate ranges as it may (TcpConfig). */
    public long outOfOrderDrops;

    @Override
    public String toString() {
        return "TcpExt[challengeAcks=" + challengeAcks + "/" + challengeAcksSuppressed + " suppressed, synOverflows="
                + synBacklogOverflows + " cookies sent/valid/invalid=" + synCookiesSent + "/" + synCookiesValid + "/"
                + synCookiesInvalid + " keepAlive probes/timeouts=" + keepAliveProbes + "/" + keepAliveTimeouts
                + " userTimeouts=" + userTimeouts + " icmp accepted/ignored=" + icmpAccepted + "/" + icmpIgnored
                + " pmtu=" + pathMtuReductions + " timeWaitReuses=" + timeWaitReuses + " growths rcv/snd="
                + receiveBufferGrowths + "/" + sendBufferGrowths + " timeouts=" + retransmitTimeouts
                + " recoveries sack/reno=" + sackRecoveries + "/" + renoRecoveries + " lossProbes=" + lossProbes
                + " lostRetransmits=" + lostRetransmits + " undone=" + spuriousRecoveriesUndone + " spuriousRtos=" + spuriousRtos + " outOfOrderDrops="
                + outOfOrderDrops + "]";
    }
}
