/*
 * MulticastGroups: the IP host group memberships of one interface (RFC 1112 "Host Extensions for IP Multicasting",
 * level 2 conformance): which class D destinations IP input accepts (section 7.2: the all-hosts group 224.0.0.1
 * always, other groups while joined), the Ethernet address a group maps to (section 6.4), the TTL multicast
 * datagrams are sent with (section 6.1: 1 unless asked otherwise), and IGMP told of joins and leaves (RFC 2236).
 */
package io.ustack.ip;

import io.ustack.wire.Ipv4Address;

/**
 * Joined groups with a reference count each (several sockets may join one group). A small array: the input path
 * ({@link #accepts}) scans it without allocating. Engine thread only.
 */
public final class MulticastGroups {
    /** 224.0.0.1: every multicast host is a member (RFC 1112 4). */
    public static final int ALL_HOSTS = 0xE000_0001;
    /** 224.0.0.2: the all-routers group, destination of IGMPv2 leave messages (RFC 2236 3). */
    public static final int ALL_ROUTERS = 0xE000_0002;
    /** RFC 1112 6.1: multicast datagrams go out with TTL 1 by default (this link only). */
    public static final int DEFAULT_TTL = 1;
    /** The Ethernet multicast block 01-00-5E-00-00-00 (RFC 1112 6.4). */
    static final long MAC_BASE = 0x01_00_5E_00_00_00L;

    private int[] groups = new int[4];
    private int[] references = new int[4];
    private int size;
    private IgmpLayer igmp;

    MulticastGroups() {
    }

    void igmp(IgmpLayer igmp) {
        this.igmp = igmp;
    }

    /** RFC 1112 6.4: the low-order 23 bits of the group in the low-order 23 bits of 01-00-5E-00-00-00. */
    public static long macFor(int group) {
        return MAC_BASE | (group & 0x7F_FFFFL);
    }

    private int indexOf(int group) {
        for (int i = 0; i < size; i++) {
            if (groups[i] == group) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Joins {@code group} (JoinHostGroup of RFC 1112 7.1) once more; the first join starts the membership and
     * tells IGMP, which reports it.
     *
     * @return the group's reference count after the join
     * @throws IllegalArgumentException if {@code group} is not a class D address
     */
    public int join(int group, long now) {
        if (!Ipv4Address.isMulticast(group)) {
            throw new IllegalArgumentException("not a multicast group: " + Ipv4Address.toString(group));
        }
        int i = indexOf(group);
        if (i >= 0) {
            return ++references[i];
        }
        if (size == groups.length) {
            groups = java.util.Arrays.copyOf(groups, size * 2);
            references = java.util.Arrays.copyOf(references, size * 2);
        }
        groups[size] = group;
        references[size] = 1;
        size++;
        if (igmp != null && group != ALL_HOSTS) {
            igmp.joined(group, now);
        }
        return 1;
    }

    /**
     * Drops one reference to {@code group} (LeaveHostGroup of RFC 1112 7.1); the last one ends the membership and
     * tells IGMP.
     *
     * @return the references left, or -1 if the group was not joined
     */
    public int leave(int group, long now) {
        int i = indexOf(group);
        if (i < 0) {
            return -1;
        }
        if (--references[i] > 0) {
            return references[i];
        }
        size--;
        groups[i] = groups[size];
        references[i] = references[size];
        if (igmp != null && group != ALL_HOSTS) {
            igmp.left(group, now);
        }
        return 0;
    }

    /** True for a group this interface receives: 224.0.0.1, or a joined group (RFC 1112 7.2). */
    public boolean accepts(int dst) {
        return dst == ALL_HOSTS || (Ipv4Address.isMulticast(dst) && indexOf(dst) >= 0);
    }

    /** True while {@code group} is joined (224.0.0.1 only if joined explicitly). */
    public boolean isJoined(int group) {
        return indexOf(group) >= 0;
    }

    /** Joined groups now. */
    public int size() {
        return size;
    }

    /** The group at {@code i} (0 <= i < size), for iteration without allocation. */
    int groupAt(int i) {
        return groups[i];
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("MulticastGroups[");
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : " ").append(Ipv4Address.toString(groups[i])).append('x').append(references[i]);
        }
        return sb.append(']').toString();
    }
}
