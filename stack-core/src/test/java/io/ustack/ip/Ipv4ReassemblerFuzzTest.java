/*
 * Ipv4ReassemblerFuzzTest: fuzzes Ipv4Reassembler (RFC 791 3.2) with sequences of fragments whose buffer identifier,
 * offset, length, MF flag, header length and bytes (the sender's, or corrupted) come from the input, with time
 * passing in between. Invariants: add() never throws; after every fragment the table holds at most 64 datagrams and
 * its byte count is exactly the capacity of the buffers it holds, at most 4 MiB; what it delivers, and when, is what
 * ReassemblyOracle expects (never a datagram whose bytes differ from a consistent fragment set); afterwards a clean
 * datagram still reassembles, and once cleared nothing is held.
 *
 * Input: records of sel u8 (bits 0-2: one of 8 identifiers; bit 3: a fresh identification u16 follows, to fill the
 * table; bit 4: the data is corrupted; bit 5: IP options, u8 % 11 words of NOP, follow; bit 6: u16 ms pass first;
 * bit 7: not addressed to us), offset u16 (8-byte units, 13 bits), length u16 % 9000, MF u8 & 1.
 */
package io.ustack.ip;

import io.ustack.testing.RecordingOutput;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ustack.engine.StackCounters;
import io.ustack.engine.TimerWheel;
import io.ustack.fuzz.FuzzCursor;
import io.ustack.tcp.TrackingAllocator;
import io.ustack.wire.DropReason;
import io.ustack.wire.Ipv4Address;
import io.ustack.wire.Ipv4Packet;

import io.ustack.ip.ReassemblyOracle.Fragment;
import io.ustack.ip.ReassemblyOracle.Key;

import static org.assertj.core.api.Assertions.assertThat;

class Ipv4ReassemblerFuzzTest {
    private static final int US = Ipv4Address.parse("10.0.0.1");
    private static final int[] SOURCES = {Ipv4Address.parse("10.0.0.2"), Ipv4Address.parse("10.0.0.3")};
    private static final int MAX_RECORDS = 512;
    private static final ReassemblyConfig LIMITS = ReassemblyConfig.DEFAULT;

    @FuzzTest(maxDuration = "2m")
    void fragments(byte[] input) {
        try (Run run = new Run()) {
            FuzzCursor in = new FuzzCursor(input);
            for (int n = 0; n < MAX_RECORDS && in.hasMore(); n++) {
                run.record(in);
            }
            Key last = new Key(Ipv4Address.parse("10.0.0.99"), Ipv4Packet.PROTOCOL_UDP, 0xbeef);
            assertThat(run.feed(last, 0, sent(last, 0, 1480), true, 0, true)).isNull();
            assertThat(run.feed(last, 2960, sent(last, 2960, 40), false, 0, true)).isNull();
            assertThat(run.feed(last, 1480, sent(last, 1480, 1480), true, 0, true))
                    .as("a clean datagram after the input").isEqualTo(3000);
        }
    }

    /** The sender's bytes [offset, offset + length) of the datagram {@code k}. */
    private static byte[] sent(Key k, int offset, int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) ((offset + i) * 31 + k.id() * 7 + k.src());
        }
        return data;
    }

    /** One input's reassembler, clock and oracle (a fuzz test's instance is reused for every input). */
    private static final class Run implements AutoCloseable {
        final TrackingAllocator alloc = new TrackingAllocator();
        final StackCounters counters = new StackCounters();
        final RecordingOutput icmp = new RecordingOutput();
        long now = 1_000_000_000L;
        final TimerWheel timers = new TimerWheel(now);
        final Ipv4Reassembler r = new Ipv4Reassembler(alloc, timers, new IcmpLayer(icmp, counters), counters, LIMITS);
        final ReassemblyOracle oracle = new ReassemblyOracle(counters);

        void record(FuzzCursor in) {
            int sel = in.u8();
            int key = sel & 7;
            int id = (sel & 8) != 0 ? in.u16() : key;
            int optionWords = (sel & 32) != 0 ? in.u8() % 11 : 0;
            if ((sel & 64) != 0) {
                now += in.u16() * 1_000_000L;
                oracle.before();
                timers.expire(now);
                oracle.afterTimers();
            }
            int offset = (in.u16() & Ipv4Packet.FRAGMENT_OFFSET_MASK) << 3;
            int length = in.u16() % 9000;
            boolean more = (in.u8() & 1) != 0;
            if (offset == 0 && !more) {
                return; // not a fragment: IPv4 input never hands it to the reassembler
            }
            Key k = new Key(SOURCES[key & 1], key < 6 ? Ipv4Packet.PROTOCOL_UDP : Ipv4Packet.PROTOCOL_TCP, id);
            byte[] data = sent(k, offset, length);
            if ((sel & 16) != 0) {
                for (int i = 0; i < length; i++) {
                    data[i] ^= 0x5a;
                }
            }
            feed(k, offset, data, more, optionWords, (sel & 128) == 0);
        }

        /**
         * Feeds one fragment carrying {@code data} at {@code offset} and checks the invariants; returns the data
         * length of the datagram it completed, or null.
         */
        Integer feed(Key k, int offset, byte[] data, boolean more, int optionWords, boolean unicast) {
            int hl = Ipv4Packet.MIN_HEADER_LENGTH + 4 * optionWords;
            ByteBuf b = Unpooled.buffer(hl + data.length);
            Ipv4Packet.emitHeader(b, 0, 0, hl + data.length, k.id(), (more ? Ipv4Packet.FLAG_MF : 0) | offset >>> 3,
                    64, k.protocol(), k.src(), US);
            b.setByte(Ipv4Packet.VERSION_IHL_OFFSET, 0x40 | hl >>> 2);
            for (int i = Ipv4Packet.MIN_HEADER_LENGTH; i < hl; i++) {
                b.setByte(i, 1); // NOP options
            }
            Ipv4Packet.fillChecksum(b, 0, hl);
            b.writerIndex(hl).writeBytes(data);
            byte[] header = new byte[hl];
            b.getBytes(0, header);
            Ipv4Packet view = new Ipv4Packet().wrap(b, 0, b.readableBytes());
            assertThat(view.check()).isEqualTo(DropReason.NONE);
            ByteBuf whole;
            oracle.before();
            try {
                whole = r.add(view, unicast, now);
            } finally {
                b.release();
            }
            try {
                assertThat(r.size()).as("datagrams in reassembly").isBetween(0, LIMITS.maxDatagrams());
                assertThat(r.bufferedBytes()).as("bytes in reassembly").isBetween(0L, LIMITS.maxBytes())
                        .isEqualTo(alloc.unreleasedBytes() - (whole == null ? 0 : whole.capacity()));
                oracle.afterAdd(k, new Fragment(header, offset, data, more), whole);
                return whole == null ? null
                        : new Ipv4Packet().wrap(whole, whole.readerIndex(), whole.readableBytes()).payloadLength();
            } finally {
                if (whole != null) {
                    whole.release();
                }
            }
        }

        @Override
        public void close() {
            r.clear();
            assertThat(r.bufferedBytes()).isZero();
            assertThat(r.size()).isZero();
            icmp.close();
            alloc.assertAllReleased();
        }
    }
}
