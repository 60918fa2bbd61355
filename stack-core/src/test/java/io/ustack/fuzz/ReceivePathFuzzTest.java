/*
 * ReceivePathFuzzTest: fuzzes the whole receive path of a stack (NetworkInterface.onFrame through Ethernet, ARP,
 * IPv4, reassembly, ICMP, IGMP, UDP and TCP) with a StackUnderFuzz: a listener, an established connection with
 * unacknowledged data, a UDP socket and a joined multicast group. The first input byte picks the options of the
 * connection's handshake (StackUnderFuzz); the rest is
 *  - arbitraryFrames: frames as they are, each a u16 length (% 2048) then its bytes;
 *  - templatedFrames: FrameScript records, valid frames with fuzzed fields and checksums recomputed or broken.
 * Invariants: the engine loop never throws ("malformed packets are counted and dropped, never thrown out of the
 * engine"); no counter ever goes down (checked after each frame or record); afterwards the stack is still usable
 * (a ping, a UDP datagram and a new TCP connection with data both ways); after shutdown it holds no buffer it
 * allocated.
 */
package io.ustack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;

import java.util.function.BiFunction;

class ReceivePathFuzzTest {
    private static final int MAX_FRAME = 2048;

    @FuzzTest(maxDuration = "5m")
    void arbitraryFrames(byte[] input) {
        run(input, (s, in) -> () -> {
            byte[] bytes = in.bytes(in.u16() % MAX_FRAME);
            ByteBuf frame = s.peer.allocate(bytes.length);
            frame.writeBytes(bytes);
            s.peer.sendFrame(frame);
        });
    }

    @FuzzTest(maxDuration = "5m")
    void templatedFrames(byte[] input) {
        run(input, (s, in) -> new FrameScript(s, in)::record);
    }

    /** Builds the stack, plays the records {@code script} reads from the input, checks the invariants. */
    private static void run(byte[] input, BiFunction<StackUnderFuzz, FuzzCursor, Runnable> script) {
        FuzzCursor in = new FuzzCursor(input);
        try (StackUnderFuzz s = new StackUnderFuzz(in.u8())) {
            Runnable record = script.apply(s, in);
            for (int n = 0; n < StackUnderFuzz.MAX_RECORDS && in.hasMore(); n++) {
                long[] before = s.counters();
                record.run();
                s.exchange();
                s.assertNoCounterDecreased(before);
            }
            s.assertStillWorks();
        }
    }
}
