/*
 * ImpairOptions: the command-line options of `serve` and `demo` that make the stack's link a bad network (an
 * ImpairedLink, our stand-in for Linux netem): one `--impair SPEC` in Impairment's syntax, plus shortcuts for the
 * common knobs (--loss, --reorder, --duplicate, --corrupt, --delay, --jitter, --rate, --seed) that apply to both
 * directions. The shortcuts are appended to the spec, so a knob given both ways is reported as given twice.
 */
package io.ustack.tap.cli;

import io.ustack.engine.Clock;
import io.ustack.link.ImpairedLink;
import io.ustack.link.Impairment;
import io.ustack.link.Link;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;

/** A picocli mixin; {@link #impairment()} turns the options into an Impairment (NONE when none was given). */
public final class ImpairOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--impair", paramLabel = "SPEC", description = "Impair the link, e.g. \"loss=10,reorder=5,"
            + "delay=20ms,rate=100mbit,seed=42\" or \"tx.loss=2,rx.delay=40ms\" (keys: loss, lossburst, reorder, gap,"
            + " hold, duplicate, corrupt, delay, jitter, rate, limit, seed; tx./rx. for one direction).")
    String spec;

    @Option(names = "--loss", paramLabel = "PERCENT", description = "Lose this share of frames (each direction).")
    String loss;

    @Option(names = "--reorder", paramLabel = "PERCENT", description = "Hold back this share of frames behind the"
            + " next one (each direction).")
    String reorder;

    @Option(names = "--duplicate", paramLabel = "PERCENT", description = "Send this share of frames twice.")
    String duplicate;

    @Option(names = "--corrupt", paramLabel = "PERCENT", description = "Flip one bit in this share of frames.")
    String corrupt;

    @Option(names = "--delay", paramLabel = "TIME", description = "Delay every frame, e.g. 20ms (each direction).")
    String delay;

    @Option(names = "--jitter", paramLabel = "TIME", description = "Vary the delay by up to +-TIME, e.g. 5ms.")
    String jitter;

    @Option(names = "--rate", paramLabel = "RATE", description = "Limit each direction, e.g. 100mbit.")
    String rate;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the impairment's random choices (default 0).")
    String seed;

    /** The impairment the options describe (Impairment.NONE without any); a bad value is a usage error. */
    public Impairment impairment() {
        List<String> entries = new ArrayList<>();
        if (spec != null && !spec.isBlank() && !spec.strip().equalsIgnoreCase("none")) {
            entries.add(spec.strip());
        }
        add(entries, "loss", loss);
        add(entries, "reorder", reorder);
        add(entries, "duplicate", duplicate);
        add(entries, "corrupt", corrupt);
        add(entries, "delay", delay);
        add(entries, "jitter", jitter);
        add(entries, "rate", rate);
        add(entries, "seed", seed);
        String all = String.join(",", entries);
        try {
            return Impairment.parse(all);
        } catch (IllegalArgumentException e) {
            if (mixee == null) {
                throw e;
            }
            throw new ParameterException(mixee.commandLine(), "Invalid impairment: " + e.getMessage(), e);
        }
    }

    /** {@code link} behind an ImpairedLink when {@code impairment} impairs anything, else {@code link} itself. */
    public static Link wrap(Link link, Clock clock, Impairment impairment) {
        return impairment.impairs() ? new ImpairedLink(link, clock, impairment) : link;
    }

    private static void add(List<String> entries, String key, String value) {
        if (value != null) {
            entries.add(key + "=" + value.strip());
        }
    }
}
