package io.ustack.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryLinkTest {
    private static ByteBuf frame(int marker) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeInt(marker).writeZero(60);
        return b;
    }

    @Test
    void framesCrossInOrderAndAreReleasedAfterDelivery() {
        InMemoryLink[] p = InMemoryLink.pair(1500);
        List<Integer> got = new ArrayList<>();
        List<ByteBuf> seen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            assertThat(p[0].transmit(frame(i))).isTrue();
        }
        int n = p[1].receive(f -> {
            got.add(f.getInt(f.readerIndex()));
            seen.add(f);
        }, 4);
        assertThat(n).isEqualTo(4);
        p[1].receive(f -> {
            got.add(f.getInt(f.readerIndex()));
            seen.add(f);
        }, 100);
        assertThat(got).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(seen).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        p[0].close();
        p[1].close();
    }

    @Test
    void aFullQueueOrADownLinkDropsAndReleases() {
        InMemoryLink[] p = InMemoryLink.pair(1500, 2, 4, 2);
        ByteBuf a = frame(1);
        ByteBuf b = frame(2);
        ByteBuf c = frame(3);
        assertThat(p[0].transmit(a)).isTrue();
        assertThat(p[0].transmit(b)).isTrue();
        assertThat(p[0].transmit(c)).isFalse();
        assertThat(c.refCnt()).isZero();
        p[1].setUp(false);
        ByteBuf d = frame(4);
        assertThat(p[0].transmit(d)).isFalse();
        assertThat(d.refCnt()).isZero();
        assertThat(p[1].isUp()).isFalse();
        p[0].close();
        p[1].close(); // releases the two queued frames
        assertThat(a.refCnt()).isZero();
        assertThat(b.refCnt()).isZero();
    }

    @Test
    void awaitReturnsWhenThePeerTransmits() throws Exception {
        InMemoryLink[] p = InMemoryLink.pair(1500);
        Thread sender = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            p[0].transmit(frame(7));
        });
        long t0 = System.nanoTime();
        sender.start();
        p[1].await(10_000_000_000L);
        long waited = System.nanoTime() - t0;
        sender.join();
        assertThat(waited).isLessThan(5_000_000_000L);
        assertThat(p[1].receive(f -> { }, 10)).isEqualTo(1);
        p[0].close();
        p[1].close();
    }
    /** A sink that records each frame's marker and checksum state. */
    private static final class StateSink implements FrameSink {
        final List<String> got = new ArrayList<>();

        @Override
        public void onFrame(ByteBuf frame) {
            throw new AssertionError("a link with offloads hands over the checksum state");
        }

        @Override
        public void onFrame(ByteBuf frame, ChecksumState checksum) {
            got.add(frame.getInt(frame.readerIndex()) + ":" + checksum);
        }
    }

    @Test
    void withOffloadsASuperSegmentCrossesWholeAndArrivesWithAPartialChecksum() {
        InMemoryLink[] p = InMemoryLink.pair(1500, true);
        assertThat(p[0].tcpSegmentationOffload()).isTrue();
        assertThat(p[0].transmit(frame(1))).isTrue();
        assertThat(p[0].transmitTcpSegments(frame(2), 1000)).isTrue(); // no cutting: the frame goes as it is
        assertThat(p[0].transmit(frame(3))).isTrue();
        StateSink sink = new StateSink();
        assertThat(p[1].receive(sink, 100)).isEqualTo(3);
        assertThat(sink.got).containsExactly("1:NONE", "2:PARTIAL", "3:NONE");
        p[0].close();
        p[1].close();
    }

    @Test
    void withoutOffloadsItSaysSo() {
        InMemoryLink[] p = InMemoryLink.pair(1500);
        assertThat(p[0].tcpSegmentationOffload()).isFalse();
        p[0].close();
        p[1].close();
    }
}
