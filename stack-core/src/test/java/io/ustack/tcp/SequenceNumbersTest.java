package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import static io.ustack.tcp.SequenceNumbers.*;
import static org.assertj.core.api.Assertions.assertThat;

class SequenceNumbersTest {
    @Test
    void comparesAcrossTheWrap() {
        int nearTop = 0xFFFF_FFF0;
        int wrapped = 0x0000_0010; // 32 past nearTop
        assertThat(lt(nearTop, wrapped)).isTrue();
        assertThat(gt(wrapped, nearTop)).isTrue();
        assertThat(leq(nearTop, nearTop)).isTrue();
        assertThat(geq(wrapped, nearTop)).isTrue();
        assertThat(lt(wrapped, nearTop)).isFalse();
        assertThat(max(nearTop, wrapped)).isEqualTo(wrapped);
        assertThat(min(nearTop, wrapped)).isEqualTo(nearTop);
        assertThat(wrapped - nearTop).isEqualTo(32);
    }

    @Test
    void ordinaryComparisons() {
        assertThat(lt(1, 2)).isTrue();
        assertThat(lt(2, 1)).isFalse();
        assertThat(leq(2, 2)).isTrue();
        assertThat(gt(0x7FFF_FFFF, 0)).isTrue();
        // 2^31 + 1 apart: the "later" one is now the other
        assertThat(gt(0x8000_0001, 0)).isFalse();
    }

    @Test
    void windowMembershipWraps() {
        int start = 0xFFFF_FF00;
        assertThat(inWindow(start, start, 1)).isTrue();
        assertThat(inWindow(start + 0x1FF, start, 0x200)).isTrue();
        assertThat(inWindow(start + 0x200, start, 0x200)).isFalse();
        assertThat(inWindow(start - 1, start, 0x200)).isFalse();
        assertThat(inWindow(start, start, 0)).isFalse();
        assertThat(between(start, 0x10, 0x20)).isTrue();
        assertThat(between(start, 0x21, 0x20)).isFalse();
        assertThat(between(start, start, start)).isTrue();
    }
}
