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
}
