package io.ustack.tcp;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionTableTest {
    @Test
    void putGetRemove() {
        ConnectionTable<String> t = new ConnectionTable<>(42);
        assertThat(t.put(1, 2, 3, 4, "a")).isNull();
        assertThat(t.put(1, 2, 3, 5, "b")).isNull();
        assertThat(t.get(1, 2, 3, 4)).isEqualTo("a");
        assertThat(t.get(1, 2, 3, 5)).isEqualTo("b");
        assertThat(t.get(3, 4, 1, 2)).isNull(); // direction matters
        assertThat(t.put(1, 2, 3, 4, "c")).isEqualTo("a");
        assertThat(t.remove(1, 2, 3, 4, "a")).isFalse(); // not the mapped value
        assertThat(t.remove(1, 2, 3, 4, "c")).isTrue();
        assertThat(t.get(1, 2, 3, 4)).isNull();
        assertThat(t.size()).isEqualTo(1);
    }

    /** Random inserts and removals against a HashMap model, growing through several resizes. */
    @Test
    void behavesLikeAMap() {
        ConnectionTable<Object> t = new ConnectionTable<>(7);
        Map<List<Integer>, Object> model = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < 50_000; i++) {
            int li = rnd.nextInt(4);
            int lp = rnd.nextInt(40);
            int ri = 0x0A000000 + rnd.nextInt(4);
            int rp = 60000 + rnd.nextInt(40);
            List<Integer> key = List.of(li, lp, ri, rp);
            if (rnd.nextInt(3) == 0) {
                Object v = model.get(key);
                assertThat(t.remove(li, lp, ri, rp, v)).isEqualTo(v != null);
                model.remove(key);
            } else {
                Object v = new Object();
                assertThat(t.put(li, lp, ri, rp, v)).isSameAs(model.put(key, v));
            }
            assertThat(t.size()).isEqualTo(model.size());
        }
        for (var e : model.entrySet()) {
            List<Integer> k = e.getKey();
            assertThat(t.get(k.get(0), k.get(1), k.get(2), k.get(3))).isSameAs(e.getValue());
        }
        int[] seen = new int[1];
        t.forEach(v -> seen[0]++);
        assertThat(seen[0]).isEqualTo(model.size());
    }
}
