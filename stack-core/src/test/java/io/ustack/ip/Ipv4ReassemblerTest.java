/*
 * Ipv4ReassemblerTest: IPv4 reassembly (RFC 791 3.2, RFC 1122 3.3.2) fragment by fragment: in order, reverse and
 * random order, duplicates (ignored), overlaps (the datagram discarded, RFC 5722's rule), last-fragment conflicts,
 * malformed, tiny (RFC 1858) and oversize fragments, the reassembly timeout with its ICMP time exceeded (RFC 792
 * code 1) driven by a TimerWheel without sleeping, and the table's limits (oldest evicted first).
 */
package io.ustack.ip;

import io.ustack.testing.RecordingOutput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ustack.engine.StackCounters;
import io.ustack.engine.TimerWheel;
import io.ustack.wire.Checksum;
import io.ustack.wire.DropReason;
import io.ustack.wire.Icmpv4Packet;
import io.ustack.wire.Ipv4Address;
import io.ustack.wire.Ipv4Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class Ipv4ReassemblerTest {
    static final int US = Ipv4Address.parse("10.0.0.1");
    static final int PEER = Ipv4Address.parse("10.0.0.2");
    static final long SECOND = 1_000_000_000L;

    final StackCounters counters = new StackCounters();
    final RecordingOutput out = new RecordingOutput();
    long now = 5 * SECOND;
    final TimerWheel timers = new TimerWheel(now);
    final Ipv4Reassembler r = new Ipv4Reassembler(PooledByteBufAllocator.DEFAULT, timers,
            new IcmpLayer(out, counters), counters, ReassemblyConfig.DEFAULT);
    final Ipv4Packet view = new Ipv4Packet();
    final List<ByteBuf> results = new ArrayList<>();

    @AfterEach
    void release() {
        r.clear();
        assertThat(r.bufferedBytes()).isZero();
        results.forEach(ByteBuf::release);
        out.close();
    }

    /** An IPv4 fragment of {@code data}: bytes [offset, offset + length), MF as given, 20-byte header. */
    static ByteBuf fragment(int id, int protocol, byte[] data, int offset, int length, boolean more) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(20 + length);
        Ipv4Packet.emitHeader(b, 0, 0, 20 + length, id, (more ? Ipv4Packet.FLAG_MF : 0) | (offset >>> 3), 64,
                protocol, PEER, US);
        b.writerIndex(20);
        b.writeBytes(data, offset, length);
        return b;
    }

    static ByteBuf fragment(int id, byte[] data, int offset, int length, boolean more) {
        return fragment(id, Ipv4Packet.PROTOCOL_UDP, data, offset, length, more);
    }

    /** Feeds one fragment (released after) to the reassembler as unicast; returns the datagram it completed. */
    ByteBuf feed(ByteBuf fragment) {
        return feed(fragment, true);
    }

    ByteBuf feed(ByteBuf fragment, boolean unicast) {
        try {
            assertThat(view.wrap(fragment, 0, fragment.readableBytes()).check()).isEqualTo(DropReason.NONE);
            assertThat(view.isFragment()).isTrue();
            ByteBuf whole = r.add(view, unicast, now);
            if (whole != null) {
                results.add(whole);
            }
            return whole;
        } finally {
            fragment.release();
        }
    }

    static byte[] data(int length, long seed) {
        byte[] d = new byte[length];
        new Random(seed).nextBytes(d);
        return d;
    }

    /** Checks {@code whole} is a valid, unfragmented datagram of {@code id} carrying exactly {@code data}. */
    void assertDatagram(ByteBuf whole, int id, byte[] data) {
        assertThat(whole).isNotNull();
        Ipv4Packet ip = new Ipv4Packet().wrap(whole, whole.readerIndex(), whole.readableBytes());
        assertThat(ip.check()).isEqualTo(DropReason.NONE);
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.totalLength()).isEqualTo(whole.readableBytes()).isEqualTo(20 + data.length);
        assertThat(ip.identification()).isEqualTo(id);
        assertThat(ip.source()).isEqualTo(PEER);
        assertThat(ip.destination()).isEqualTo(US);
        byte[] got = new byte[ip.payloadLength()];
        whole.getBytes(ip.payloadOffset(), got);
        assertThat(got).isEqualTo(data);
    }

    @Test
    void inOrderFragmentsMakeTheDatagram() {
        byte[] d = data(4000, 1);
        assertThat(feed(fragment(7, d, 0, 1480, true))).isNull();
        assertThat(feed(fragment(7, d, 1480, 1480, true))).isNull();
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.bufferedBytes()).isPositive();
        assertDatagram(feed(fragment(7, d, 2960, 1040, false)), 7, d);
        assertThat(r.size()).isZero();
        assertThat(r.bufferedBytes()).isZero();
        assertThat(timers.armedCount()).as("the reassembly timer is cancelled").isZero();
        assertThat(counters.ipReasmReqds).isEqualTo(3);
        assertThat(counters.ipReasmOKs).isEqualTo(1);
        assertThat(counters.ipReasmFails).isZero();
    }

    @Test
    void reverseOrderFragmentsMakeTheDatagram() {
        byte[] d = data(4000, 2);
        assertThat(feed(fragment(8, d, 2960, 1040, false))).isNull();
        assertThat(feed(fragment(8, d, 1480, 1480, true))).isNull();
        assertDatagram(feed(fragment(8, d, 0, 1480, true)), 8, d);
        assertThat(counters.ipReasmOKs).isEqualTo(1);
    }

    @Test
    void randomOrderWithRandomSizesAndDuplicatesMakesTheDatagram() {
        for (long seed = 1; seed <= 40; seed++) {
            Random random = new Random(seed);
            byte[] d = data(1 + random.nextInt(30_000), seed);
            List<int[]> pieces = new ArrayList<>(); // {offset, length}
            for (int off = 0; off < d.length; ) {
                int len = Math.min(8 * (1 + random.nextInt(185)), d.length - off);
                pieces.add(new int[] {off, len});
                off += len;
            }
            if (pieces.size() == 1) {
                continue; // not fragmented
            }
            List<int[]> order = new ArrayList<>(pieces);
            Collections.shuffle(order, random);
            int last = order.size() - 1;
            for (int i = 0; i < 3; i++) { // duplicates of random pieces but the last, before the last
                order.add(random.nextInt(last), order.get(random.nextInt(last)));
            }
            int id = (int) seed;
            ByteBuf whole = null;
            for (int i = 0; i < order.size(); i++) {
                int[] p = order.get(i);
                ByteBuf w = feed(fragment(id, d, p[0], p[1], p[0] + p[1] < d.length));
                if (i < order.size() - 1) {
                    assertThat(w).as("seed %d piece %d of %d", seed, i, order.size()).isNull();
                }
                whole = w;
            }
            assertDatagram(whole, id, d);
            assertThat(r.size()).isZero();
        }
        assertThat(counters.ipReasmFails).isZero();
        assertThat(counters.drops(DropReason.FRAGMENT_DUPLICATE)).isPositive();
    }

    @Test
    void exactDuplicatesAreIgnoredAndTheDatagramCompletes() {
        byte[] d = data(3000, 3);
        feed(fragment(9, d, 0, 1480, true));
        feed(fragment(9, d, 0, 1480, true));
        feed(fragment(9, d, 2960, 40, false));
        feed(fragment(9, d, 2960, 40, false));
        feed(fragment(9, d, 8, 16, true)); // inside the first fragment, the same bytes: a duplicate too
        assertThat(counters.drops(DropReason.FRAGMENT_DUPLICATE)).isEqualTo(3);
        assertThat(r.size()).isEqualTo(1);
        assertDatagram(feed(fragment(9, d, 1480, 1480, true)), 9, d);
        assertThat(counters.ipReasmFails).isZero();
    }

    @Test
    void aPartialOverlapDiscardsTheWholeDatagram() {
        byte[] d = data(4000, 4);
        feed(fragment(10, d, 0, 1480, true));
        feed(fragment(10, d, 1472, 1488, true)); // the same bytes, but starting 8 bytes into the first fragment
        assertThat(r.size()).isZero();
        assertThat(r.bufferedBytes()).isZero();
        assertThat(counters.drops(DropReason.FRAGMENT_OVERLAP)).isEqualTo(1);
        assertThat(counters.ipReasmOverlaps).isEqualTo(1);
        assertThat(counters.ipReasmFails).isEqualTo(1);
        // what comes after starts over, and cannot complete without the fragments discarded
        assertThat(feed(fragment(10, d, 2960, 1040, false))).isNull();
        assertThat(feed(fragment(10, d, 1480, 1480, true))).isNull();
        assertThat(r.size()).isEqualTo(1);
    }

    @Test
    void anOverlapWithOtherBytesInsideReceivedDataDiscardsTheDatagram() {
        byte[] d = data(4000, 5);
        feed(fragment(11, d, 0, 1480, true));
        byte[] other = d.clone();
        other[100] ^= 1;
        feed(fragment(11, other, 96, 16, true));
        assertThat(r.size()).isZero();
        assertThat(counters.drops(DropReason.FRAGMENT_OVERLAP)).isEqualTo(1);
        assertThat(counters.drops(DropReason.FRAGMENT_DUPLICATE)).isZero();
    }

    @Test
    void aLastFragmentContradictingTheKnownEndDiscardsTheDatagram() {
        byte[] d = data(4008, 6);
        feed(fragment(12, d, 2960, 1040, false));
        feed(fragment(12, d, 2960, 1032, false)); // a second, different end
        assertThat(counters.drops(DropReason.FRAGMENT_END_CONFLICT)).isEqualTo(1);
        assertThat(r.size()).isZero();

        feed(fragment(13, d, 2960, 1040, false));
        feed(fragment(13, d, 4000, 8, true)); // data past the known end
        assertThat(counters.drops(DropReason.FRAGMENT_END_CONFLICT)).isEqualTo(2);
        assertThat(r.size()).isZero();

        feed(fragment(14, d, 1480, 1480, true));
        feed(fragment(14, d, 1480, 8, false)); // MF clear at 1480..1488: below the data received
        assertThat(counters.drops(DropReason.FRAGMENT_END_CONFLICT)).isEqualTo(3);
        assertThat(counters.ipReasmFails).isEqualTo(3);
        assertThat(r.size()).isZero();
    }

    @Test
    void malformedTinyAndOversizeFragmentsAreDroppedAlone() {
        byte[] d = data(70_000, 7);
        feed(fragment(20, d, 0, 1480, true));
        feed(fragment(20, d, 1480, 12, true)); // MF with 12 bytes: not a multiple of 8
        assertThat(counters.drops(DropReason.FRAGMENT_MALFORMED)).isEqualTo(1);
        feed(fragment(20, d, 1480, 0, false)); // offset 1480, no data
        assertThat(counters.drops(DropReason.FRAGMENT_MALFORMED)).isEqualTo(2);
        feed(fragment(20, d, 65_520, 8, false)); // 65520 + 8 + 20 > 65535: "ping of death"
        assertThat(counters.drops(DropReason.FRAGMENT_OVERSIZE)).isEqualTo(1);
        feed(fragment(21, Ipv4Packet.PROTOCOL_TCP, d, 0, 16, true)); // a TCP header does not fit in 16 bytes
        feed(fragment(21, Ipv4Packet.PROTOCOL_TCP, d, 8, 64, true)); // offset 8 would rewrite the TCP flags
        assertThat(counters.drops(DropReason.FRAGMENT_TINY)).isEqualTo(2);
        assertThat(r.size()).as("only datagram 20 is held, its good fragment kept").isEqualTo(1);
        assertThat(counters.ipReasmFails).isZero();
        feed(fragment(22, d, 0, 8, true)); // 8 bytes hold a UDP header: accepted
        assertThat(r.size()).isEqualTo(2);
    }

    @Test
    void aDatagramOver65535BytesWithTheFirstHeaderIsDiscardedOnCompletion() {
        byte[] d = data(65_500, 8);
        ByteBuf first = PooledByteBufAllocator.DEFAULT.directBuffer(68);
        Ipv4Packet.emitHeader(first, 0, 0, 68, 30, Ipv4Packet.FLAG_MF, 64, Ipv4Packet.PROTOCOL_UDP, PEER, US);
        first.setByte(0, 0x4f); // 60-byte header: 40 bytes of options (NOP)
        first.writerIndex(20);
        first.writeBytes(filled(40, (byte) 1));
        first.writeBytes(d, 0, 8);
        Ipv4Packet.fillChecksum(first, 0, 60);
        feed(first);
        feed(fragment(30, d, 8, 65_488, true)); // 8 + 65488 + 20 = 65516: fine on its own
        assertThat(feed(fragment(30, d, 65_496, 4, false))).isNull(); // 60 + 65500 > 65535
        assertThat(counters.drops(DropReason.FRAGMENT_OVERSIZE)).isEqualTo(1);
        assertThat(counters.ipReasmFails).isEqualTo(1);
        assertThat(r.size()).isZero();
    }

    private static byte[] filled(int n, byte b) {
        byte[] a = new byte[n];
        Arrays.fill(a, b);
        return a;
    }

    @Test
    void timeoutWithTheFirstFragmentSendsTimeExceededQuotingItsHeaderAndEightBytes() {
        byte[] d = data(4000, 9);
        d[0] = Icmpv4Packet.TYPE_ECHO_REQUEST; // an ICMP echo request: not an error, so an error may quote it
        ByteBuf first = fragment(40, Ipv4Packet.PROTOCOL_ICMP, d, 0, 1480, true);
        byte[] firstBytes = new byte[28];
        first.getBytes(0, firstBytes);
        feed(first);
        feed(fragment(40, Ipv4Packet.PROTOCOL_ICMP, d, 2960, 1040, false));
        now += 30 * SECOND - 1_000_000;
        timers.expire(now);
        assertThat(r.size()).as("still waiting 1 ms before the deadline").isEqualTo(1);
        assertThat(out.sent).isEmpty();
        now += 1_000_000;
        timers.expire(now);
        assertThat(r.size()).isZero();
        assertThat(r.bufferedBytes()).isZero();
        assertThat(counters.ipReasmTimeout).isEqualTo(1);
        assertThat(counters.ipReasmFails).isEqualTo(1);
        assertThat(counters.drops(DropReason.REASSEMBLY_TIMEOUT)).isEqualTo(1);
        assertThat(counters.icmpTimeExceededSent).isEqualTo(1);
        assertThat(out.sent).hasSize(1);
        RecordingOutput.Sent s = out.sent.get(0);
        assertThat(s.src()).isEqualTo(US);
        assertThat(s.dst()).isEqualTo(PEER);
        assertThat(s.protocol()).isEqualTo(Ipv4Packet.PROTOCOL_ICMP);
        ByteBuf m = s.buf();
        assertThat(m.readableBytes()).isEqualTo(8 + 20 + 8);
        assertThat(Checksum.compute(m, m.readerIndex(), m.readableBytes())).isZero();
        assertThat((int) m.getUnsignedByte(m.readerIndex())).isEqualTo(Icmpv4Packet.TYPE_TIME_EXCEEDED);
        assertThat((int) m.getUnsignedByte(m.readerIndex() + 1)).isEqualTo(Icmpv4Packet.CODE_REASSEMBLY_TIME_EXCEEDED);
        assertThat(m.getInt(m.readerIndex() + 4)).as("unused").isZero();
        byte[] quote = new byte[28];
        m.getBytes(m.readerIndex() + 8, quote);
        assertThat(quote).as("the first fragment's header and first 8 data bytes, as received").isEqualTo(firstBytes);
    }

    @Test
    void timeoutWithoutTheFirstFragmentOrForABroadcastOrAboutAnIcmpErrorSendsNothing() {
        byte[] d = data(4000, 10);
        feed(fragment(41, d, 1480, 1480, true)); // no fragment zero (RFC 1122 3.3.2: no time exceeded)
        feed(fragment(42, d, 0, 1480, true), false); // a broadcast destination
        d[0] = Icmpv4Packet.TYPE_DEST_UNREACHABLE; // an ICMP error: never an error about an error
        feed(fragment(43, Ipv4Packet.PROTOCOL_ICMP, d, 0, 1480, true));
        assertThat(r.size()).isEqualTo(3);
        now += 31 * SECOND;
        timers.expire(now);
        assertThat(r.size()).isZero();
        assertThat(counters.ipReasmTimeout).isEqualTo(3);
        assertThat(out.sent).isEmpty();
        assertThat(counters.icmpTimeExceededSent).isZero();
    }

    @Test
    void theTimeoutIsConfigurable() {
        r.limits(new ReassemblyConfig(64, 4L << 20, 2 * SECOND));
        feed(fragment(44, data(100, 11), 0, 48, true));
        now += SECOND;
        timers.expire(now);
        assertThat(r.size()).isEqualTo(1);
        now += SECOND;
        timers.expire(now);
        assertThat(r.size()).isZero();
        assertThat(out.sent).hasSize(1);
    }

    @Test
    void aFullTableEvictsTheOldestDatagram() {
        r.limits(new ReassemblyConfig(3, 4L << 20, 30 * SECOND));
        byte[][] d = {data(3000, 50), data(3000, 51), data(3000, 52), data(3000, 53)};
        for (int id = 0; id < 4; id++) {
            feed(fragment(id, d[id], 0, 1480, true));
            now += SECOND;
        }
        assertThat(r.size()).isEqualTo(3);
        assertThat(counters.drops(DropReason.REASSEMBLY_TABLE_FULL)).isEqualTo(1);
        assertThat(counters.ipReasmFails).isEqualTo(1);
        // datagram 0 (the oldest) is gone; 1..3 still complete
        for (int id = 1; id < 4; id++) {
            feed(fragment(id, d[id], 2960, 40, false));
            assertDatagram(feed(fragment(id, d[id], 1480, 1480, true)), id, d[id]);
        }
        feed(fragment(0, d[0], 2960, 40, false));
        assertThat(feed(fragment(0, d[0], 1480, 1480, true))).isNull();
        assertThat(r.size()).isEqualTo(1);
        assertThat(timers.armedCount()).isEqualTo(1);
    }

    @Test
    void theByteLimitEvictsTheOldestAndNeverHoldsMore() {
        r.limits(new ReassemblyConfig(64, 5000, 30 * SECOND));
        byte[] d = data(3000, 60);
        for (int id = 0; id < 3; id++) {
            feed(fragment(id, d, 0, 1480, true));
        }
        assertThat(r.size()).isEqualTo(3);
        assertThat(r.bufferedBytes()).isEqualTo(3 * (60 + 1480));
        feed(fragment(0, d, 1480, 1480, true)); // datagram 0 grows: the oldest other (1) makes room
        assertThat(r.bufferedBytes()).isLessThanOrEqualTo(5000);
        assertThat(r.size()).isEqualTo(2);
        assertThat(counters.drops(DropReason.REASSEMBLY_TABLE_FULL)).isEqualTo(1);
        assertDatagram(feed(fragment(0, d, 2960, 40, false)), 0, d);
        assertThat(r.bufferedBytes()).isEqualTo(60 + 1480);

        r.limits(new ReassemblyConfig(64, 1000, 30 * SECOND));
        feed(fragment(5, d, 0, 1480, true)); // alone over the limit: everything goes, itself too
        assertThat(r.size()).isZero();
        assertThat(r.bufferedBytes()).isZero();
        assertThat(counters.drops(DropReason.REASSEMBLY_TABLE_FULL)).isEqualTo(3);
    }

    @Test
    void reassemblyCanBeSwitchedOff() {
        r.limits(ReassemblyConfig.OFF);
        feed(fragment(70, data(3000, 70), 0, 1480, true));
        assertThat(r.size()).isZero();
        assertThat(counters.drops(DropReason.FRAGMENT)).isEqualTo(1);
        assertThat(counters.ipReasmReqds).isEqualTo(1);
    }

    @Test
    void fragmentsOfDifferentSourcesProtocolsOrIdentificationsAreKeptApart() {
        byte[] d = data(3000, 80);
        feed(fragment(90, d, 0, 1480, true));
        feed(fragment(90, Ipv4Packet.PROTOCOL_ICMP, d, 1480, 1480, true));
        feed(fragment(91, d, 1480, 1480, true));
        ByteBuf otherSource = fragment(90, d, 1480, 1480, true);
        otherSource.setInt(Ipv4Packet.SOURCE_OFFSET, Ipv4Address.parse("10.0.0.3"));
        Ipv4Packet.fillChecksum(otherSource, 0, 20);
        feed(otherSource);
        assertThat(r.size()).isEqualTo(4);
        assertThat(feed(fragment(90, d, 2960, 40, false))).isNull();
        assertDatagram(feed(fragment(90, d, 1480, 1480, true)), 90, d);
    }
}
