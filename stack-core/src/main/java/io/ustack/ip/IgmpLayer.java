/*
 * IgmpLayer: the host side of IGMPv2 (RFC 2236 "Internet Group Management Protocol, Version 2"): an unsolicited
 * Membership Report when a group is joined, repeated once after the Unsolicited Report Interval (section 3); reports
 * after a random delay in answer to General and Group-Specific Queries, suppressed when another member reports
 * first; a Leave Group message to 224.0.0.2 by the last reporter (section 3); IGMPv1 routers honoured for the
 * Version 1 Router Present Timeout (section 4). Messages go out with TTL 1 and the IP Router Alert option (RFC 2113),
 * as section 2 asks.
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import io.ustack.engine.StackCounters;
import io.ustack.engine.Timer;
import io.ustack.engine.TimerWheel;
import io.ustack.link.Link;
import io.ustack.wire.Checksum;
import io.ustack.wire.DropReason;
import io.ustack.wire.Ipv4Packet;

import java.util.random.RandomGenerator;

/** IGMPv2 host state per joined group. Engine thread only. */
public final class IgmpLayer {
    public static final int PROTOCOL = 2;
    public static final int TYPE_MEMBERSHIP_QUERY = 0x11;
    public static final int TYPE_V1_MEMBERSHIP_REPORT = 0x12;
    public static final int TYPE_V2_MEMBERSHIP_REPORT = 0x16;
    public static final int TYPE_LEAVE_GROUP = 0x17;
    /** An IGMP message: type, max response time, checksum, group address. */
    public static final int LENGTH = 8;
    public static final int TYPE_OFFSET = 0;
    public static final int MAX_RESPONSE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int GROUP_OFFSET = 4;
    /** The IP header of an IGMP message: 20 bytes and the 4-byte Router Alert option (RFC 2113). */
    static final int IP_HEADER_LENGTH = 24;
    static final int ROUTER_ALERT = 0x9404_0000;
    /** RFC 2236 8.10: Unsolicited Report Interval, 10 s. */
    static final long UNSOLICITED_REPORT_INTERVAL_NANOS = 10_000_000_000L;
    /** RFC 2236 8.11: Version 1 Router Present Timeout, 400 s. */
    static final long V1_ROUTER_PRESENT_NANOS = 400_000_000_000L;
    /** RFC 2236 4: a query with Max Response Time 0 is an IGMPv1 query, answered within 10 s. */
    static final int V1_MAX_RESPONSE_TENTHS = 100;

    private final class Member {
        final int group;
        final Timer timer = new Timer(this::onTimer);
        /** We sent the last report heard for the group (so we send the leave). */
        boolean lastReporter;
        /** Unsolicited repetitions still to send. */
        int unsolicited;

        Member(int group) {
            this.group = group;
        }

        void onTimer(long now) {
            report(this, now);
        }
    }

    private final Link link;
    private final ArpLayer arp;
    private final Ipv4Layer ip;
    private final TimerWheel timers;
    private final RandomGenerator random;
    private final StackCounters counters;
    private final IntObjectHashMap<Member> members = new IntObjectHashMap<>();
    /** An IGMPv1 query was heard; until {@link #v1RouterUntil} we speak IGMPv1 (RFC 2236 4). */
    private boolean v1RouterHeard;
    private long v1RouterUntil;
    private int identification;
    /** Messages sent (reports and leaves), for tests and statistics. */
    private long reportsSent;
    private long leavesSent;

    IgmpLayer(Link link, ArpLayer arp, Ipv4Layer ip, TimerWheel timers, RandomGenerator random,
            StackCounters counters) {
        this.link = link;
        this.arp = arp;
        this.ip = ip;
        this.timers = timers;
        this.random = random;
        this.counters = counters;
    }

    public long reportsSent() {
        return reportsSent;
    }

    public long leavesSent() {
        return leavesSent;
    }

    private boolean v1Router(long now) {
        return v1RouterHeard && now - v1RouterUntil < 0;
    }

    void joined(int group, long now) {
        Member m = new Member(group);
        members.put(group, m);
        m.unsolicited = 1;
        report(m, now);
    }

    void left(int group, long now) {
        Member m = members.remove(group);
        if (m == null) {
            return;
        }
        timers.cancel(m.timer);
        if (m.lastReporter && !v1Router(now)) {
            send(TYPE_LEAVE_GROUP, group, MulticastGroups.ALL_ROUTERS, now);
            leavesSent++;
        }
    }

    /** Sends a report for {@code m} now; arms the unsolicited repetition if one is left. */
    private void report(Member m, long now) {
        send(v1Router(now) ? TYPE_V1_MEMBERSHIP_REPORT : TYPE_V2_MEMBERSHIP_REPORT, m.group, m.group, now);
        reportsSent++;
        m.lastReporter = true;
        if (m.unsolicited > 0) {
            m.unsolicited--;
            timers.schedule(m.timer, now + UNSOLICITED_REPORT_INTERVAL_NANOS);
        }
    }

    /** An IGMP message arrived ({@code length} bytes at absolute {@code offset}, the IP header checked). */
    void input(ByteBuf buf, int offset, int length, int src, int dst, long now) {
        if (length < LENGTH) {
            counters.drop(DropReason.TRUNCATED);
            return;
        }
        if (Checksum.compute(buf, offset, length) != 0) {
            counters.drop(DropReason.BAD_CHECKSUM);
            return;
        }
        int type = buf.getUnsignedByte(offset + TYPE_OFFSET);
        int group = buf.getInt(offset + GROUP_OFFSET);
        switch (type) {
            case TYPE_MEMBERSHIP_QUERY -> {
                int tenths = buf.getUnsignedByte(offset + MAX_RESPONSE_OFFSET);
                if (tenths == 0) {
                    tenths = V1_MAX_RESPONSE_TENTHS;
                    v1RouterHeard = true;
                    v1RouterUntil = now + V1_ROUTER_PRESENT_NANOS;
                }
                long maxDelay = tenths * 100_000_000L;
                if (group == 0) {
                    for (Member m : members.values()) {
                        delay(m, maxDelay, now);
                    }
                } else {
                    Member m = members.get(group);
                    if (m != null) {
                        delay(m, maxDelay, now);
                    }
                }
            }
            case TYPE_V1_MEMBERSHIP_REPORT, TYPE_V2_MEMBERSHIP_REPORT -> {
                Member m = members.get(group);
                if (m != null && m.timer.isArmed()) {
                    timers.cancel(m.timer); // another member answered: ours would be redundant
                    m.unsolicited = 0;
                    m.lastReporter = false;
                }
            }
            default -> counters.drop(DropReason.ICMP_IGNORED); // leaves and unknown types: not for hosts
        }
    }

    /** RFC 2236 3: a report within a random delay in (0, maxDelay], unless one is already due sooner. */
    private void delay(Member m, long maxDelay, long now) {
        if (m.timer.isArmed() && m.timer.deadline() - now <= maxDelay) {
            return;
        }
        m.unsolicited = 0;
        timers.schedule(m.timer, now + 1 + random.nextLong(maxDelay));
    }

    /** Builds and sends one IGMP message with TTL 1 and Router Alert to {@code dst}. */
    private void send(int type, int group, int dst, long now) {
        int src = ip.config().address();
        ByteBuf b = ip.allocate(LENGTH);
        int at = b.writerIndex();
        b.writeByte(type);
        b.writeByte(0);
        b.writeShort(0);
        b.writeInt(group);
        b.setShort(at + CHECKSUM_OFFSET, Checksum.compute(b, at, LENGTH));
        int start = at - IP_HEADER_LENGTH;
        Ipv4Packet.emitHeader(b, start, 0, IP_HEADER_LENGTH + LENGTH, (identification++) & 0xffff, 0,
                MulticastGroups.DEFAULT_TTL, PROTOCOL, src, dst);
        b.setByte(start + Ipv4Packet.VERSION_IHL_OFFSET, 0x40 | IP_HEADER_LENGTH / 4);
        b.setInt(start + Ipv4Packet.MIN_HEADER_LENGTH, ROUTER_ALERT);
        Ipv4Packet.fillChecksum(b, start, IP_HEADER_LENGTH);
        b.readerIndex(start);
        if (!link.isUp()) {
            b.release();
            counters.drop(DropReason.LINK_DROPPED);
            return;
        }
        if (arp != null) {
            arp.sendToMac(b, MulticastGroups.macFor(dst));
        } else {
            int len = b.readableBytes();
            if (link.transmit(b)) {
                counters.framesOut++;
                counters.bytesOut += len;
            } else {
                counters.drop(DropReason.LINK_DROPPED);
            }
        }
    }
}
