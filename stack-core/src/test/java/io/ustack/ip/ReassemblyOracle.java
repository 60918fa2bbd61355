/*
 * ReassemblyOracle: what Ipv4ReassemblerFuzzTest expects of IPv4 reassembly, from the fragments fed and the drop
 * counters each add() moved, after Ipv4Reassembler's documented policy: malformed, tiny and oversize fragments and
 * exact duplicates are dropped alone; an overlap or a conflicting end discards the datagram; the limits evict and the
 * timer discards whole datagrams. Per buffer identifier it keeps the generation of fragments accepted since the
 * datagram began. A generation no eviction or timeout can have cut short (the counters do not say which datagram
 * went) is checked strictly: a delivered datagram agrees with every one of its fragments, and once they cover it up to
 * a last fragment it must be delivered at once. Otherwise (tainted) the check is loose: every delivered byte was
 * carried at its place by some fragment of that identifier. Both check the header, the length and the identifier.
 */
package io.ustack.ip;

import io.netty.buffer.ByteBuf;
import io.ustack.engine.StackCounters;
import io.ustack.wire.DropReason;
import io.ustack.wire.Ipv4Packet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The expected outcome of each fragment fed to one reassembler. */
final class ReassemblyOracle {
    /** Buffer identifier (RFC 791): source, protocol, identification (the destination is always the same). */
    record Key(int src, int protocol, int id) {}

    /** A fragment as fed: its whole header and its data at a data offset. */
    record Fragment(byte[] header, int offset, byte[] data, boolean more) {
        int end() {
            return offset + data.length;
        }
    }

    private static final class Generation {
        final List<Fragment> fragments = new ArrayList<>();
        boolean tainted;
    }

    private static final DropReason[] WATCHED = {DropReason.FRAGMENT_MALFORMED, DropReason.FRAGMENT_TINY,
        DropReason.FRAGMENT_OVERSIZE, DropReason.FRAGMENT_DUPLICATE, DropReason.FRAGMENT_OVERLAP,
        DropReason.FRAGMENT_END_CONFLICT, DropReason.REASSEMBLY_TABLE_FULL, DropReason.REASSEMBLY_TIMEOUT};

    private final StackCounters counters;
    private final Map<Key, Generation> generations = new HashMap<>();
    private final long[] before = new long[WATCHED.length];
    private long failsBefore;

    ReassemblyOracle(StackCounters counters) {
        this.counters = counters;
    }

    /** Call before each add() or timer run. */
    void before() {
        for (int i = 0; i < WATCHED.length; i++) {
            before[i] = counters.drops(WATCHED[i]);
        }
        failsBefore = counters.ipReasmFails;
    }

    private boolean moved(DropReason r) {
        return counters.drops(r) != before[Arrays.asList(WATCHED).indexOf(r)];
    }

    /** Timers ran: any datagram may have timed out. */
    void afterTimers() {
        if (moved(DropReason.REASSEMBLY_TIMEOUT)) {
            generations.values().forEach(g -> g.tainted = true);
        }
    }

    /** {@code f} of datagram {@code k} was added; {@code whole} is what add() returned (null: nothing yet). */
    void afterAdd(Key k, Fragment f, ByteBuf whole) {
        if (moved(DropReason.REASSEMBLY_TABLE_FULL)) {
            generations.values().forEach(g -> g.tainted = true); // evicted: some datagram, maybe this one
        }
        Generation g = generations.computeIfAbsent(k, x -> new Generation());
        boolean finishedOversize = moved(DropReason.FRAGMENT_OVERSIZE) && counters.ipReasmFails != failsBefore;
        boolean discarded = moved(DropReason.FRAGMENT_OVERLAP) || moved(DropReason.FRAGMENT_END_CONFLICT)
                || finishedOversize;
        boolean droppedAlone = moved(DropReason.FRAGMENT_MALFORMED) || moved(DropReason.FRAGMENT_TINY)
                || moved(DropReason.FRAGMENT_DUPLICATE) || moved(DropReason.FRAGMENT_OVERSIZE);
        if (whole != null) {
            g.fragments.add(f);
            assertDelivered(whole, k, g);
            generations.remove(k);
        } else if (discarded) {
            generations.remove(k);
        } else if (!droppedAlone) {
            g.fragments.add(f);
            assertThat(!g.tainted && covered(g)).as("datagram %s complete but not delivered", k).isFalse();
        }
    }

    /** True if the fragments reach from 0 to the end of a last fragment without a hole. */
    private static boolean covered(Generation g) {
        int end = g.fragments.stream().filter(f -> !f.more).mapToInt(Fragment::end).findFirst().orElse(-1);
        if (end < 0) {
            return false;
        }
        boolean[] have = new boolean[end];
        for (Fragment f : g.fragments) {
            Arrays.fill(have, Math.min(f.offset, end), Math.min(f.end(), end), true);
        }
        for (boolean b : have) {
            if (!b) {
                return false;
            }
        }
        return true;
    }

    private static void assertDelivered(ByteBuf whole, Key k, Generation g) {
        Ipv4Packet ip = new Ipv4Packet().wrap(whole, whole.readerIndex(), whole.readableBytes());
        assertThat(ip.check()).isEqualTo(DropReason.NONE);
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.totalLength()).isEqualTo(whole.readableBytes());
        assertThat(new Key(ip.source(), ip.protocol(), ip.identification())).isEqualTo(k);
        int length = ip.payloadLength();
        assertThat(g.fragments).as("a last fragment ending at %d", length).anyMatch(f -> !f.more && f.end() == length);
        byte[] header = new byte[ip.headerLength()];
        whole.getBytes(ip.offset(), header);
        assertThat(g.fragments).as("a first fragment with this header").anyMatch(f -> f.offset == 0
                && sameHeader(f.header, header));
        byte[] data = new byte[length];
        whole.getBytes(ip.payloadOffset(), data);
        boolean[] carried = new boolean[length];
        for (Fragment f : g.fragments) {
            for (int i = 0; i < f.data.length; i++) {
                int p = f.offset + i;
                boolean same = p < length && data[p] == f.data[i];
                assertThat(same || g.tainted).as("byte %d of %s as fragment %d+%d carried it", p, k, f.offset,
                        f.data.length).isTrue();
                carried[p < length ? p : 0] |= same;
            }
        }
        for (int p = 0; p < length; p++) {
            assertThat(carried[p]).as("byte %d of %s carried at its place by a fragment", p, k).isTrue();
        }
    }

    /** Equal headers but for total length, flags/fragment offset and checksum (which reassembly rewrites). */
    private static boolean sameHeader(byte[] fragment, byte[] datagram) {
        if (fragment.length != datagram.length) {
            return false;
        }
        for (int i = 0; i < fragment.length; i++) {
            boolean rewritten = i == 2 || i == 3 || i == 6 || i == 7 || i == 10 || i == 11;
            if (!rewritten && fragment[i] != datagram[i]) {
                return false;
            }
        }
        return true;
    }
}
