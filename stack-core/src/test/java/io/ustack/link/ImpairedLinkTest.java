/*
 * ImpairedLinkTest: what ImpairedLink does to frames, in both directions over an InMemoryLink pair: loss rate within
 * binomial bounds, burst loss (mean rate and mean burst length), replay from a seed, reordering that loses nothing
 * and lets exactly `gap` frames overtake, duplication (two equal copies, refcounts), and corruption (exactly one bit,
 * never in the first 14 bytes, the sender's buffer untouched). Timing (delay, rate, await, close) is in
 * ImpairedLinkTimingTest.
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.ustack.engine.ManualClock;
import io.ustack.link.ImpairTestSupport.AwaitRecordingLink;
import io.ustack.link.ImpairTestSupport.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static io.ustack.link.ImpairTestSupport.drainPeer;
import static io.ustack.link.ImpairTestSupport.frame;
import static org.assertj.core.api.Assertions.assertThat;

class ImpairedLinkTest {
    private final ManualClock clock = new ManualClock();
    private final List<Link> toClose = new ArrayList<>();
    /** The impaired end made last by {@link #impaired}. */
    private ImpairedLink last;

    @AfterEach
    void closeLinks() {
        toClose.forEach(Link::close);
    }

    /** An impaired end A over an in-memory pair, and the plain peer B: [A, B]. */
    private Link[] impaired(String spec) {
        InMemoryLink[] pair = InMemoryLink.pair(ImpairTestSupport.MTU);
        ImpairedLink a = ImpairedLink.of(pair[0], clock, spec);
        last = a;
        toClose.add(a);
        toClose.add(pair[1]);
        return new Link[] {a, pair[1]};
    }

    /** Sends frames 0..n-1 through A's transmit side (or, with {@code receive}, from B into A's receive side). */
    private Collector run(String spec, int n, boolean receive) {
        return run(spec, n, receive, true);
    }

    /**
     * As {@link #run(String, int, boolean)}; {@code tracked} false sends untracked heap frames (the 100k-frame
     * statistics: the leak detector's stack trace per access would make them slow; release on loss is covered by
     * the tracked runs of the other tests).
     */
    private Collector run(String spec, int n, boolean receive, boolean tracked) {
        Link[] ends = impaired(spec);
        Collector got = new Collector(clock);
        for (int i = 0; i < n; i++) {
            ByteBuf f = tracked ? frame(i) : ImpairTestSupport.frame(i, 64, Unpooled.buffer(64, 64));
            if (receive) {
                ends[1].transmit(f);
            } else {
                ends[0].transmit(f);
            }
            if (i % 512 == 511 || i == n - 1) {
                if (i == n - 1) {
                    clock.advanceNanos(3_600_000_000_000L); // past every hold
                }
                ends[0].flush();
                if (receive) {
                    while (ends[0].receive(got, 64) > 0) {
                        // drain
                    }
                } else {
                    drainPeer(ends[1], got);
                }
            }
        }
        return got;
    }

    @Test
    void lossRateIsWithinBinomialBoundsOver100kFramesInEachDirection() {
        for (boolean receive : new boolean[] {false, true}) {
            String spec = (receive ? "rx." : "tx.") + "loss=10,seed=42";
            Collector got = run(spec, 100_000, receive, false);
            ImpairedLink a = last;
            long lost = 100_000 - got.count();
            // Binomial(100000, 0.1): mean 10000, sd 94.9; +-5 sd
            assertThat(lost).as(spec).isBetween(9_525L, 10_475L);
            ImpairmentCounters c = receive ? a.receiveCounters() : a.transmitCounters();
            ImpairmentCounters other = receive ? a.transmitCounters() : a.receiveCounters();
            assertThat(c.lost()).isEqualTo(lost);
            assertThat(c.offered()).isEqualTo(100_000);
            assertThat(c.passed()).isEqualTo(got.count());
            assertThat(other.lost()).isZero();
            assertThat(got.seqs).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void burstLossKeepsTheMeanRateAndHasTheMeanBurstLength() {
        Collector bursty = run("loss=10,lossburst=4,seed=9", 100_000, false, false);
        Collector independent = run("loss=10,seed=9", 100_000, false, false);
        double[] b = lossRateAndMeanBurst(bursty.seqs, 100_000);
        double[] i = lossRateAndMeanBurst(independent.seqs, 100_000);
        assertThat(b[0]).isBetween(0.09, 0.11);
        assertThat(b[1]).isBetween(3.6, 4.4);
        // independent losses: runs are geometric with mean 1/(1-0.1) = 1.11
        assertThat(i[0]).isBetween(0.095, 0.105);
        assertThat(i[1]).isBetween(1.05, 1.17);
    }

    /** Loss share and mean length of runs of consecutive lost sequence numbers. */
    private static double[] lossRateAndMeanBurst(List<Integer> survivors, int sent) {
        long runs = 0;
        long lost = 0;
        int expected = 0;
        for (int seq : survivors) {
            if (seq > expected) {
                runs++;
                lost += seq - expected;
            }
            expected = seq + 1;
        }
        if (expected < sent) {
            runs++;
            lost += sent - expected;
        }
        return new double[] {(double) lost / sent, (double) lost / runs};
    }

    @Test
    void theSameSeedGivesTheSameDropPatternAndAnotherSeedAnother() {
        List<Integer> first = run("loss=30,seed=7", 5_000, false).seqs;
        List<Integer> again = run("loss=30,seed=7", 5_000, false).seqs;
        List<Integer> other = run("loss=30,seed=8", 5_000, false).seqs;
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        // the receive side has its own stream: same seed, different pattern from the transmit side
        List<Integer> rx = run("loss=30,seed=7", 5_000, true).seqs;
        assertThat(rx).isNotEqualTo(first);
        assertThat(run("loss=30,seed=7", 5_000, true).seqs).isEqualTo(rx);
    }

    @Test
    void aRunWithEveryRuleOnReplaysExactlyFromItsSeed() {
        String spec = "loss=10,reorder=5,duplicate=1,corrupt=1,delay=20ms,jitter=5ms,rate=100mbit,seed=42";
        List<String> first = replay(spec);
        assertThat(replay(spec)).isEqualTo(first);
        assertThat(replay(spec.replace("seed=42", "seed=43"))).isNotEqualTo(first);
        assertThat(first).hasSizeGreaterThan(3_000);
    }

    /** Traffic both ways for 200 ms of clock; every arrival as "side time bytes". */
    private List<String> replay(String spec) {
        Link[] ends = impaired(spec);
        Collector atPeer = new Collector(clock, true);
        Collector atA = new Collector(clock, true);
        long t0 = clock.nanos();
        for (int step = 0; step < 4_000; step++) {
            if (step < 2_000) {
                ends[0].transmit(frame(step, 64 + step % 1400));
                ends[1].transmit(frame(100_000 + step, 64 + step % 900));
            }
            ends[0].flush();
            drainPeer(ends[1], atPeer);
            while (ends[0].receive(atA, 64) > 0) {
                // drain
            }
            clock.advanceNanos(50_000);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < atPeer.count(); i++) {
            out.add("tx " + (atPeer.times.get(i) - t0) + " " + ByteBufUtil.hexDump(atPeer.bytes.get(i)));
        }
        for (int i = 0; i < atA.count(); i++) {
            out.add("rx " + (atA.times.get(i) - t0) + " " + ByteBufUtil.hexDump(atA.bytes.get(i)));
        }
        return out;
    }

    @Test
    void turningOnOtherRulesDoesNotChangeWhichFramesAreLost() {
        Set<Integer> plain = new TreeSet<>(run("loss=20,seed=5", 5_000, false).seqs);
        Set<Integer> busy = new TreeSet<>(run("loss=20,duplicate=30,reorder=10,gap=2,seed=5", 5_000, false).seqs);
        assertThat(busy).isEqualTo(plain);
        assertThat(plain.size()).isBetween(3_800, 4_200);
    }

    @Test
    void reorderChangesTheOrderLosesNothingAndLetsExactlyGapFramesOvertake() {
        int n = 10_000;
        int gap = 3;
        Collector got = run("tx.reorder=10,gap=" + gap + ",hold=1s,seed=3", n, false);
        ImpairedLink a = last;
        List<Integer> order = got.seqs;
        assertThat(order).hasSize(n).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(order)).first().isEqualTo(0);
        assertThat(new TreeSet<>(order)).last().isEqualTo(n - 1);

        // a frame is late when a frame sent after it arrived before it
        boolean[] late = new boolean[n];
        int lateCount = 0;
        int maxSoFar = -1;
        for (int seq : order) {
            if (seq < maxSoFar) {
                late[seq] = true;
                lateCount++;
            }
            maxSoFar = Math.max(maxSoFar, seq);
        }
        long reordered = a.transmitCounters().reordered();
        // Binomial(10000, 0.1): sd 30
        assertThat(reordered).isBetween(850L, 1_150L);
        assertThat(lateCount).isBetween((int) reordered - 5, (int) reordered);
        // each late frame (away from the end) arrives right after exactly `gap` on-time frames sent after it
        int checked = 0;
        for (int pos = 0; pos < n; pos++) {
            int seq = order.get(pos);
            if (!late[seq] || seq > n - 100) {
                continue;
            }
            int overtakers = 0;
            for (int p = 0; p < pos; p++) {
                int s = order.get(p);
                if (s > seq && !late[s]) {
                    overtakers++;
                }
            }
            assertThat(overtakers).as("frames overtaking %d", seq).isEqualTo(gap);
            checked++;
        }
        assertThat(checked).isGreaterThan(800);
        assertThat(a.transmitCounters().passed()).isEqualTo(n);
    }

    @Test
    void aHeldFrameWithNoFollowersLeavesWhenItsHoldExpires() {
        Link[] ends = impaired("reorder=100,hold=5ms,seed=1");
        Collector got = new Collector(clock);
        assertThat(ends[0].transmit(frame(1))).isTrue();
        clock.advanceNanos(4_999_999);
        ends[0].flush();
        assertThat(drainPeer(ends[1], got)).isZero();
        assertThat(((ImpairedLink) ends[0]).transmitQueued()).isEqualTo(1);
        clock.advanceNanos(1);
        ends[0].flush();
        assertThat(drainPeer(ends[1], got)).isEqualTo(1);
        assertThat(got.seqs).containsExactly(1);
    }

    @Test
    void duplicateDeliversTwoEqualCopiesAndReleasesTheOriginal() {
        Link[] ends = impaired("tx.duplicate=100");
        Collector got = new Collector(clock, true);
        List<ByteBuf> mine = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ByteBuf f = frame(i, 60 + i);
            mine.add(f);
            assertThat(ends[0].transmit(f.retain())).isTrue();
        }
        ends[0].flush();
        drainPeer(ends[1], got);
        assertThat(got.count()).isEqualTo(400);
        for (int i = 0; i < 200; i++) {
            byte[] sent = ByteBufUtil.getBytes(mine.get(i));
            assertThat(got.bytes.get(2 * i)).isEqualTo(sent);
            assertThat(got.bytes.get(2 * i + 1)).isEqualTo(sent);
            assertThat(mine.get(i).refCnt()).as("only the test's reference is left").isEqualTo(1);
            mine.get(i).release();
        }
        assertThat(((ImpairedLink) ends[0]).transmitCounters().duplicated()).isEqualTo(200);
    }

    @Test
    void receivedDuplicatesStayWithinTheBudgetAndTheRate() {
        Link[] ends = impaired("rx.duplicate=10,seed=11");
        Collector got = new Collector(clock);
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            ends[1].transmit(frame(i));
            if (i % 100 == 99) {
                int r;
                while ((r = ends[0].receive(got, 7)) > 0) {
                    assertThat(r).isLessThanOrEqualTo(7);
                }
            }
        }
        ImpairmentCounters c = ((ImpairedLink) ends[0]).receiveCounters();
        // Binomial(20000, 0.1): sd 42
        assertThat(c.duplicated()).isBetween(1_790L, 2_210L);
        assertThat(got.count()).isEqualTo(n + (int) c.duplicated());
        assertThat(new HashSet<>(got.seqs)).hasSize(n);
    }

    @Test
    void corruptFlipsExactlyOneBitPastTheEthernetHeaderAndNeverTouchesTheSendersBuffer() {
        for (boolean receive : new boolean[] {false, true}) {
            Link[] ends = impaired((receive ? "rx." : "tx.") + "corrupt=100,seed=21");
            Collector got = new Collector(clock, true);
            SplittableRandom content = new SplittableRandom(1);
            List<ByteBuf> mine = new ArrayList<>();
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                int length = content.nextInt(60, 1515);
                byte[] bytes = new byte[length];
                for (int j = 0; j < length; j++) {
                    bytes[j] = (byte) content.nextInt(256);
                }
                ByteBuf f = ImpairTestSupport.buffer(length).writeBytes(bytes);
                mine.add(f);
                sent.add(bytes);
                (receive ? ends[1] : ends[0]).transmit(f.retain());
                if (i % 500 == 499) {
                    if (receive) {
                        while (ends[0].receive(got, 64) > 0) {
                            // drain
                        }
                    } else {
                        drainPeer(ends[1], got);
                    }
                }
            }
            assertThat(got.count()).isEqualTo(2_000);
            int[] quarters = new int[4];
            Set<Integer> bits = new HashSet<>();
            for (int i = 0; i < 2_000; i++) {
                byte[] original = sent.get(i);
                byte[] arrived = got.bytes.get(i);
                assertThat(arrived).hasSameSizeAs(original);
                int flipped = 0;
                for (int j = 0; j < original.length; j++) {
                    int diff = (original[j] ^ arrived[j]) & 0xFF;
                    if (diff != 0) {
                        assertThat(j).as("flipped byte offset").isGreaterThanOrEqualTo(14);
                        flipped += Integer.bitCount(diff);
                        quarters[(j - 14) * 4 / (original.length - 14)]++;
                        bits.add(Integer.numberOfTrailingZeros(diff));
                    }
                }
                assertThat(flipped).as("bits flipped in frame %d", i).isEqualTo(1);
                assertThat(ByteBufUtil.getBytes(mine.get(i))).as("sender's buffer").isEqualTo(original);
                assertThat(mine.get(i).refCnt()).isEqualTo(1);
                mine.get(i).release();
            }
            for (int q : quarters) {
                assertThat(q).as("flips per quarter of the payload %s", java.util.Arrays.toString(quarters))
                        .isGreaterThan(400);
            }
            assertThat(bits).hasSize(8);
            ImpairedLink a = (ImpairedLink) ends[0];
            assertThat((receive ? a.receiveCounters() : a.transmitCounters()).corrupted()).isEqualTo(2_000);
        }
    }

    @Test
    void framesNoLongerThanTheEthernetHeaderAreNotCorrupted() {
        Link[] ends = impaired("corrupt=100");
        Collector got = new Collector(clock, true);
        ByteBuf header = frame(0, 14);
        byte[] headerBytes = ByteBufUtil.getBytes(header);
        ends[0].transmit(header);
        ByteBuf one = frame(0, 15);
        byte[] oneBytes = ByteBufUtil.getBytes(one);
        ends[0].transmit(one);
        drainPeer(ends[1], got);
        assertThat(got.bytes.get(0)).isEqualTo(headerBytes);
        assertThat(Integer.bitCount((got.bytes.get(1)[14] ^ oneBytes[14]) & 0xFF)).isEqualTo(1);
        assertThat(((ImpairedLink) ends[0]).transmitCounters().corrupted()).isEqualTo(1);
    }

    @Test
    void onAnIpFramedLinkAnyByteMayBeCorrupted() {
        InMemoryLink[] pair = InMemoryLink.pair(ImpairTestSupport.MTU);
        ImpairedLink a = new ImpairedLink(new AwaitRecordingLink(pair[0], Link.Framing.IP), clock,
                Impairment.parse("corrupt=100,seed=2"));
        toClose.add(a);
        toClose.add(pair[1]);
        Collector got = new Collector(clock, true);
        for (int i = 0; i < 50; i++) {
            a.transmit(ImpairTestSupport.buffer(1).writeByte(0));
        }
        drainPeer(pair[1], got);
        assertThat(got.bytes).hasSize(50).allSatisfy(b -> assertThat(Integer.bitCount(b[0] & 0xFF)).isEqualTo(1));
    }
}
