/*
 * ImpairmentTest: the command-line syntax of Impairment: every key and unit, direction prefixes, the canonical
 * toString and its round trip through parse, NONE, and an IllegalArgumentException naming the entry for bad input.
 */
package io.ustack.link;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImpairmentTest {
    private static final long MS = 1_000_000L;

    @Test
    void parsesTheFullExampleIntoBothDirections() {
        Impairment i = Impairment.parse(
                "loss=10,reorder=5,duplicate=1,corrupt=1,delay=20ms,jitter=5ms,rate=100mbit,seed=42");
        ImpairmentRules r = i.transmit();
        assertThat(i.receive()).isEqualTo(r);
        assertThat(i.seed()).isEqualTo(42);
        assertThat(r.lossPercent()).isEqualTo(10.0);
        assertThat(r.lossBurst()).isZero();
        assertThat(r.reorderPercent()).isEqualTo(5.0);
        assertThat(r.reorderGap()).isEqualTo(1);
        assertThat(r.reorderHoldNanos()).isEqualTo(10 * MS);
        assertThat(r.duplicatePercent()).isEqualTo(1.0);
        assertThat(r.corruptPercent()).isEqualTo(1.0);
        assertThat(r.delayNanos()).isEqualTo(20 * MS);
        assertThat(r.jitterNanos()).isEqualTo(5 * MS);
        assertThat(r.rateBitsPerSecond()).isEqualTo(100_000_000L);
        assertThat(r.limit()).isEqualTo(1000);
        assertThat(i.impairs()).isTrue();
        assertThat(i.toString())
                .isEqualTo("loss=10,reorder=5,duplicate=1,corrupt=1,delay=20ms,jitter=5ms,rate=100mbit,seed=42");
    }

    @Test
    void prefixesScopeAKeyToOneDirection() {
        Impairment i = Impairment.parse("tx.loss=2, rx.delay=40ms ,gap=3,reorder=1,tx.limit=50");
        assertThat(i.transmit()).isEqualTo(ImpairmentRules.NONE.withLoss(2, 0).withReorder(1, 3, 10 * MS)
                .withLimit(50));
        assertThat(i.receive()).isEqualTo(ImpairmentRules.NONE.withDelay(40 * MS, 0).withReorder(1, 3, 10 * MS));
        assertThat(i.seed()).isZero();
        assertThat(i.toString()).isEqualTo("tx.loss=2,reorder=1,gap=3,rx.delay=40ms,tx.limit=50");
        assertThat(Impairment.parse("tx.loss=5,rx.loss=3").toString()).isEqualTo("tx.loss=5,rx.loss=3");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "delay=20;       20000000",
        "delay=1.5ms;    1500000",
        "delay=150us;    150000",
        "delay=150\u00b5s;    150000",
        "delay=2s;       2000000000",
        "delay=.5s;      500000000",
        "delay=999ns;    999",
        "DELAY=3MS;      3000000",
    })
    void timesTakeAUnitAndDefaultToMilliseconds(String spec, long nanos) {
        assertThat(Impairment.parse(spec).transmit().delayNanos()).isEqualTo(nanos);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "rate=9600;       9600",
        "rate=9600bit;    9600",
        "rate=64kbit;     64000",
        "rate=1.5mbit;    1500000",
        "rate=10gbit;     10000000000",
        "rate=1tbit;      1000000000000",
    })
    void ratesAreBitsPerSecondInPowersOf1000(String spec, long bits) {
        assertThat(Impairment.parse(spec).receive().rateBitsPerSecond()).isEqualTo(bits);
    }

    @Test
    void percentagesMayCarryAPercentSign() {
        assertThat(Impairment.parse("loss=1.5%").transmit().lossPercent()).isEqualTo(1.5);
        assertThat(Impairment.parse("corrupt=0.01").transmit().corruptPercent()).isEqualTo(0.01);
        assertThat(Impairment.parse("loss=100").transmit().lossPercent()).isEqualTo(100.0);
    }

    @Test
    void noneIsTheEmptySpec() {
        assertThat(Impairment.parse("")).isEqualTo(Impairment.NONE);
        assertThat(Impairment.parse("  ")).isEqualTo(Impairment.NONE);
        assertThat(Impairment.parse("None")).isEqualTo(Impairment.NONE);
        assertThat(Impairment.NONE.toString()).isEqualTo("none");
        assertThat(Impairment.NONE.impairs()).isFalse();
        assertThat(Impairment.parse("limit=10,seed=3").impairs()).isFalse();
    }

    @Test
    void toStringParsesBackToTheSameImpairment() {
        ImpairmentRules odd = ImpairmentRules.NONE.withLoss(33.333, 2.5).withReorder(0.1, 7, 1_234_567)
                .withDuplicate(100).withCorrupt(1e-3).withDelay(3_000_000_001L, 1_000).withRate(1_234)
                .withLimit(12_345);
        List<Impairment> cases = List.of(
                Impairment.NONE,
                Impairment.both(odd, -9_000_000_000_000L),
                new Impairment(odd, ImpairmentRules.NONE, 1),
                new Impairment(ImpairmentRules.NONE.withRate(7_000_000_000L), odd.withLimit(1), Long.MAX_VALUE),
                new Impairment(odd.withDelay(0, 0), odd.withDelay(5 * MS, 0), 0),
                Impairment.parse("loss=10,reorder=5,duplicate=1,corrupt=1,delay=20ms,jitter=5ms,rate=100mbit"));
        for (Impairment i : cases) {
            assertThat(Impairment.parse(i.toString())).as(i.toString()).isEqualTo(i);
        }
        assertThat(Impairment.both(odd, 5).toString()).isEqualTo("loss=33.333,lossburst=2.5,reorder=0.1,gap=7,"
                + "hold=1234567ns,duplicate=100,corrupt=0.001,delay=3000000001ns,jitter=1us,rate=1234bit,limit=12345,"
                + "seed=5");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "loss=abc;                'loss=abc'|percentage 0..100",
        "loss=101;                'loss=101'|cannot exceed 100",
        "loss=-1;                 'loss=-1'|percentage",
        "loss=NaN;                'loss=NaN'|percentage",
        "rate=100mbps;            'rate=100mbps'|bytes per second are not accepted",
        "rate=0.5bit;             whole number of bits",
        "rate=2tbit;              cannot exceed 1tbit",
        "delay=5min;              'delay=5min'|ns, us, ms or s",
        "delay=0.5ns;             finer than a nanosecond",
        "delay=7200s;             cannot exceed 1 hour",
        "foo=1;                   unknown key 'foo'",
        "tx.foo=1;                unknown key 'foo'",
        "loss;                    'loss'|key=value",
        "loss=;                   key=value",
        "=5;                      key=value",
        "loss=1,,seed=2;          empty entry",
        "loss=1,;                 empty entry",
        "seed=x;                  seed is a whole number",
        "seed=99999999999999999999; does not fit in 64 bits",
        "seed=1,seed=2;           seed given twice",
        "loss=1,loss=2;           loss given twice for the transmit direction",
        "loss=5,rx.loss=3;        loss given twice for the receive direction",
        "gap=0,reorder=1;         at least 1",
        "gap=x;                   whole number of frames",
        "limit=0;                 limit",
        "limit=99999999999;       too large",
        "lossburst=4;             transmit (tx) direction|needs loss",
        "loss=90,lossburst=4;     at most B/(B+1)",
        "lossburst=0.5,loss=1;    at least 1",
    })
    void badInputIsAnIllegalArgumentNamingTheEntryAndTheFix(String spec, String expected) {
        assertThatThrownBy(() -> Impairment.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> {
                    for (String part : expected.split("\\|")) {
                        assertThat(e.getMessage()).contains(part);
                    }
                });
    }

    @Test
    void rulesRejectValuesTheParserCannotProduce() {
        assertThatThrownBy(() -> ImpairmentRules.NONE.withLoss(Double.NaN, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loss");
        assertThatThrownBy(() -> ImpairmentRules.NONE.withDelay(-1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay");
        assertThatThrownBy(() -> ImpairmentRules.NONE.withRate(-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rate");
        assertThatThrownBy(() -> new Impairment(null, ImpairmentRules.NONE, 0))
                .isInstanceOf(NullPointerException.class);
    }
}
