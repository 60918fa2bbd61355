/*
 * ImpairOptionsTest: the impairment options of `serve` and `demo` (picocli parsing only; no device is opened): the
 * shortcuts and --impair become the Impairment that Impairment.parse gives for the same spec, nothing given means no
 * ImpairedLink, and a bad or repeated value is a usage error (exit code 2) before anything is opened.
 */
package io.ustack.tap.cli;

import io.ustack.engine.Clock;
import io.ustack.link.ImpairedLink;
import io.ustack.link.Impairment;
import io.ustack.link.InMemoryLink;
import io.ustack.link.Link;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ImpairOptionsTest {
    private static final String[] SERVE = {"--tap", "ustest0", "--ip", "10.9.9.2/24"};

    private static ServeCommand serve(String... args) {
        ServeCommand cmd = new ServeCommand();
        String[] all = new String[SERVE.length + args.length];
        System.arraycopy(SERVE, 0, all, 0, SERVE.length);
        System.arraycopy(args, 0, all, SERVE.length, args.length);
        new CommandLine(cmd).parseArgs(all);
        return cmd;
    }

    @Test
    void theShortcutsOfServeMakeTheIssuesImpairment() {
        ServeCommand cmd = serve("--loss", "10", "--reorder", "5", "--duplicate", "1", "--corrupt", "1", "--delay",
                "20ms", "--rate", "100mbit", "--seed", "42");
        Impairment i = cmd.impair.impairment();
        assertThat(i).isEqualTo(Impairment.parse("loss=10,reorder=5,duplicate=1,corrupt=1,delay=20ms,rate=100mbit,"
                + "seed=42"));
        for (var rules : new io.ustack.link.ImpairmentRules[] {i.transmit(), i.receive()}) {
            assertThat(rules.lossPercent()).isEqualTo(10.0);
            assertThat(rules.reorderPercent()).isEqualTo(5.0);
            assertThat(rules.duplicatePercent()).isEqualTo(1.0);
            assertThat(rules.corruptPercent()).isEqualTo(1.0);
            assertThat(rules.delayNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
            assertThat(rules.rateBitsPerSecond()).isEqualTo(100_000_000L);
        }
        assertThat(i.seed()).isEqualTo(42);
        assertThat(i.impairs()).isTrue();
    }

    @Test
    void impairTakesAFullSpecAndCombinesWithShortcuts() {
        Impairment i = serve("--impair", "tx.loss=2,rx.delay=40ms", "--jitter", "5ms", "--seed", "7").impair
                .impairment();
        assertThat(i).isEqualTo(Impairment.parse("tx.loss=2,rx.delay=40ms,jitter=5ms,seed=7"));
        assertThat(i.transmit().lossPercent()).isEqualTo(2.0);
        assertThat(i.receive().lossPercent()).isZero();
        assertThat(i.receive().delayNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
        assertThat(i.transmit().delayNanos()).isZero();
        assertThat(i.transmit().jitterNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(5));
    }

    @Test
    void withoutOptionsThereIsNoImpairmentAndNoWrapper() {
        assertThat(serve().impair.impairment()).isEqualTo(Impairment.NONE);
        assertThat(serve("--impair", "none").impair.impairment().impairs()).isFalse();
        InMemoryLink[] pair = InMemoryLink.pair(1500);
        try {
            assertThat(ImpairOptions.wrap(pair[0], Clock.SYSTEM, Impairment.NONE)).isSameAs(pair[0]);
            Link wrapped = ImpairOptions.wrap(pair[1], Clock.SYSTEM, Impairment.parse("loss=1"));
            assertThat(wrapped).isInstanceOf(ImpairedLink.class);
            assertThat(((ImpairedLink) wrapped).delegate()).isSameAs(pair[1]);
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void demoTakesTheSameOptions() {
        DemoCommand cmd = new DemoCommand();
        new CommandLine(cmd).parseArgs("--bytes", "1000", "--loss", "1", "--corrupt", "0.5", "--seed", "3");
        assertThat(cmd.impair.impairment()).isEqualTo(Impairment.parse("loss=1,corrupt=0.5,seed=3"));
        assertThat(cmd.bytes).isEqualTo(1000);
        // run programmatically (as RunCommand does), the mixin is there and impairs nothing
        assertThat(new DemoCommand().impair.impairment()).isEqualTo(Impairment.NONE);
    }

    @Test
    void aBadValueIsAUsageErrorBeforeAnythingIsOpened() {
        // serve would open the TAP right after: exit code 2 shows it stopped at the options
        assertUsageError(new ServeCommand(), "loss", concat(SERVE, "--loss", "200"));
        assertUsageError(new ServeCommand(), "delay", concat(SERVE, "--delay", "soon"));
        assertUsageError(new ServeCommand(), "given twice", concat(SERVE, "--impair", "loss=5", "--loss", "10"));
        assertUsageError(new ServeCommand(), "seed", concat(SERVE, "--impair", "seed=1", "--seed", "2"));
        assertUsageError(new DemoCommand(), "rate", "--rate", "fast");
    }

    private static void assertUsageError(Object command, String mentioned, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute(args);
        assertThat(code).as("exit code of %s; stderr: %s", String.join(" ", args), err)
                .isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("Invalid impairment").contains(mentioned);
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
