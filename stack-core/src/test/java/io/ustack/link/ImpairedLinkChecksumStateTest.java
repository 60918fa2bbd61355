/*
 * ImpairedLinkChecksumStateTest: ImpairedLink keeps a received frame's ChecksumState (a TAP with the virtio-net
 * header, virtio spec 1.x section 5.1.6) through its rules, also while frames are delayed, reordered or duplicated,
 * and clears it on every frame it corrupts, so that the stack verifies the checksum and drops the frame.
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;
import io.ustack.engine.ManualClock;
import io.ustack.testing.ChecksumStateLink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.ustack.link.ImpairTestSupport.frame;
import static org.assertj.core.api.Assertions.assertThat;

class ImpairedLinkChecksumStateTest {
    private final ManualClock clock = new ManualClock();
    private final List<Link> toClose = new ArrayList<>();

    @AfterEach
    void closeLinks() {
        toClose.forEach(Link::close);
    }

    /** The states the stack's sink saw, in order. */
    private static final class StateSink implements FrameSink {
        final List<ChecksumState> states = new ArrayList<>();

        @Override
        public void onFrame(ByteBuf frame) {
            onFrame(frame, ChecksumState.NONE);
        }

        @Override
        public void onFrame(ByteBuf frame, ChecksumState checksum) {
            states.add(checksum);
        }
    }

    /** Sends {@code n} frames from the plain peer into an impaired end whose link marks them PARTIAL. */
    private StateSink receiveThrough(String spec, int n) {
        InMemoryLink[] pair = InMemoryLink.pair(ImpairTestSupport.MTU);
        ImpairedLink impaired = ImpairedLink.of(new ChecksumStateLink(pair[0], ChecksumState.PARTIAL), clock, spec);
        toClose.add(impaired);
        toClose.add(pair[1]);
        StateSink sink = new StateSink();
        for (int i = 0; i < n; i++) {
            pair[1].transmit(frame(i));
            impaired.receive(sink, 64);
        }
        clock.advanceNanos(3_600_000_000_000L); // past every hold
        while (impaired.receive(sink, 64) > 0) {
            // drain
        }
        return sink;
    }

    @Test
    void aCorruptedFrameLosesItsMark() {
        StateSink sink = receiveThrough("corrupt=100,seed=3", 50);
        assertThat(sink.states).hasSize(50).containsOnly(ChecksumState.NONE);
    }

    @Test
    void theMarkTravelsWithHeldReorderedAndDuplicatedFrames() {
        StateSink sink = receiveThrough("delay=5ms,reorder=30,duplicate=100,seed=4", 50);
        assertThat(sink.states).hasSize(100).containsOnly(ChecksumState.PARTIAL);
    }

    @Test
    void onlyTheCorruptedOnesLoseIt() {
        StateSink sink = receiveThrough("corrupt=50,seed=5", 200);
        assertThat(sink.states).hasSize(200).contains(ChecksumState.NONE, ChecksumState.PARTIAL);
    }
}
