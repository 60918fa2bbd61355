package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SendBuffer and ReceiveBuffer rings, across their wrap point. */
class RingBuffersTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    private static ByteBuf bytes(int from, int n) {
        ByteBuf b = Unpooled.buffer(n);
        for (int i = 0; i < n; i++) {
            b.writeByte(from + i);
        }
        return b;
    }

    @Test
    void sendRingWrapsAndCopiesOut() {
        SendBuffer s = new SendBuffer(alloc, 10);
        ByteBuf src = bytes(0, 8);
        assertThat(s.write(src, 100)).isEqualTo(8);
        assertThat(src.readableBytes()).isZero();
        s.consume(6); // head at 6, 2 bytes held
        ByteBuf more = bytes(8, 12);
        assertThat(s.write(more, 100)).isEqualTo(8); // only 8 free
        assertThat(more.readableBytes()).isEqualTo(4);
        assertThat(s.size()).isEqualTo(10);
        assertThat(s.free()).isZero();
        ByteBuf out = Unpooled.buffer();
        s.copyTo(1, 7, out); // bytes 7..13, crossing the ring end
        for (int i = 0; i < 7; i++) {
            assertThat(out.readByte()).isEqualTo((byte) (7 + i));
        }
        s.consume(10);
        assertThat(s.size()).isZero();
        s.release();
        assertThat(s.free()).isZero();
        alloc.assertAllReleased();
        src.release();
        more.release();
        out.release();
    }

    @Test
    void sendRingAllocatesLazily() {
        SendBuffer s = new SendBuffer(alloc, 1000);
        assertThat(alloc.allocations()).isZero();
        s.release();
        assertThat(alloc.allocations()).isZero();
    }

    @Test
    void receiveRingStoresOutOfOrderAtOffsets() {
        ReceiveBuffer r = new ReceiveBuffer(alloc, 16);
        ByteBuf seg = bytes(0, 20);
        r.writeAt(4, seg, 4, 4);  // bytes 4..7 first (out of order)
        r.writeAt(0, seg, 0, 4);  // then 0..3
        r.commit(8);
        assertThat(r.readable()).isEqualTo(8);
        assertThat(r.free()).isEqualTo(8);
        ByteBuf out = Unpooled.buffer();
        assertThat(r.read(out, 6)).isEqualTo(6);
        // RCV.NXT is at stream byte 8, read position at 6: the ring wraps for the next stores
        r.writeAt(2, seg, 10, 10); // stream bytes 10..19 (free = 14)
        r.writeAt(0, seg, 8, 2);   // 8..9
        r.commit(12);
        assertThat(r.readable()).isEqualTo(14);
        assertThat(r.read(out, 100)).isEqualTo(14);
        for (int i = 0; i < 20; i++) {
            assertThat(out.readByte()).isEqualTo((byte) i);
        }
        r.release();
        assertThat(r.free()).isZero();
        alloc.assertAllReleased();
        seg.release();
        out.release();
    }

    @Test
    void assemblerMergesAndPops() {
        Assembler a = new Assembler(3);
        assertThat(a.add(10, 20)).isTrue();
        assertThat(a.add(30, 40)).isTrue();
        assertThat(a.add(50, 60)).isTrue();
        assertThat(a.add(70, 80)).isFalse(); // a fourth range does not fit
        assertThat(a.count()).isEqualTo(3);
        assertThat(a.add(20, 30)).isTrue(); // touches both neighbours: merges into 10..40
        assertThat(a.toString()).isEqualTo("Assembler[10..40 50..60]");
        assertThat(a.add(70, 80)).isTrue();
        assertThat(a.add(45, 75)).isTrue(); // overlaps 50..60 and 70..80
        assertThat(a.toString()).isEqualTo("Assembler[10..40 45..80]");
        assertThat(a.popFront()).isZero(); // nothing at 0
        assertThat(a.add(0, 12)).isTrue();
        assertThat(a.popFront()).isEqualTo(40);
        assertThat(a.toString()).isEqualTo("Assembler[5..40]"); // shifted by 40
        assertThat(a.add(0, 5)).isTrue();
        assertThat(a.popFront()).isEqualTo(40);
        assertThat(a.isEmpty()).isTrue();
    }

    @Test
    void assemblerIgnoresDuplicates() {
        Assembler a = new Assembler(2);
        a.add(5, 10);
        a.add(6, 8);
        a.add(5, 10);
        assertThat(a.toString()).isEqualTo("Assembler[5..10]");
        assertThat(a.add(2, 3)).isTrue();
        assertThat(a.add(0, 1)).isFalse();
        assertThat(a.add(3, 5)).isTrue(); // bridges 2..3 and 5..10
        assertThat(a.toString()).isEqualTo("Assembler[2..10]");
    }

    @Test
    void assemblerFindsTheRangeHoldingAnOffset() {
        Assembler a = new Assembler(8);
        for (int k = 0; k < 8; k++) {
            a.add(10 + 10 * k, 15 + 10 * k); // 10..15 20..25 ... 80..85
        }
        assertThat(a.indexContaining(9)).isEqualTo(-1);
        assertThat(a.indexContaining(10)).isZero();
        assertThat(a.indexContaining(14)).isZero();
        assertThat(a.indexContaining(15)).isEqualTo(-1);
        assertThat(a.indexContaining(52)).isEqualTo(4);
        assertThat(a.indexContaining(84)).isEqualTo(7);
        assertThat(a.indexContaining(85)).isEqualTo(-1);
        assertThat(a.covers(50, 55)).isTrue();
        assertThat(a.covers(51, 53)).isTrue();
        assertThat(a.covers(50, 56)).isFalse();
        assertThat(a.covers(49, 55)).isFalse();
        assertThat(a.covers(0, 5)).isFalse();
        assertThat(a.covers(90, 95)).isFalse();
        assertThat(a.add(33, 42)).isTrue(); // bridges 30..35 and 40..45
        assertThat(a.toString()).isEqualTo("Assembler[10..15 20..25 30..45 50..55 60..65 70..75 80..85]");
        assertThat(a.add(86, 88)).isTrue(); // a new last range
        assertThat(a.add(0, 1)).isFalse(); // full
    }

    @Test
    void assemblerAdvancesOverInOrderTextWhenFull() {
        Assembler a = new Assembler(2);
        a.add(20, 30);
        a.add(40, 50);
        assertThat(a.add(0, 10)).isFalse(); // no slot for a third range, even at offset 0
        a.advance(10); // RCV.NXT moved over 0..10 anyway
        assertThat(a.toString()).isEqualTo("Assembler[10..20 30..40]");
        assertThat(a.add(0, 10)).isTrue(); // now touches 10..20
        assertThat(a.popFront()).isEqualTo(20);
        assertThat(a.toString()).isEqualTo("Assembler[10..20]");
        assertThatThrownBy(() -> a.advance(10)).isInstanceOf(IllegalArgumentException.class); // would reach 10..20
        assertThat(a.toString()).isEqualTo("Assembler[10..20]");
    }
}
