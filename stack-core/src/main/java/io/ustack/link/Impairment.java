/*
 * Impairment: the full configuration of an ImpairedLink (rules for the transmit and the receive direction, and the
 * random seed that makes a run replayable), with the command-line syntax:
 *
 *   spec   = "none" | "" | entry *("," entry)
 *   entry  = [("tx." | "rx.")] key "=" value        a key without prefix applies to both directions
 *   keys   loss=P[%]  lossburst=B  reorder=P[%]  gap=K  hold=T  duplicate=P[%]  corrupt=P[%]
 *          delay=T  jitter=T  rate=R  limit=N            (per direction)
 *          seed=S                                         (whole link)
 *   T      number with ns | us | ms | s (a bare number is milliseconds), e.g. 20ms, 0.5ms, 150us
 *   R      bits per second: number with bit | kbit | mbit | gbit | tbit (powers of 1000; bare = bit), e.g. 100mbit
 *
 * e.g. "loss=10,reorder=5,duplicate=1,corrupt=1,delay=20ms,jitter=5ms,rate=100mbit,seed=42" or
 * "tx.loss=2,rx.delay=40ms". toString() prints the same syntax (defaults left out), so parse(x.toString()) equals x.
 */
package io.ustack.link;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an {@link ImpairedLink} does to each direction, and its seed.
 *
 * @param transmit rules for frames the stack transmits (applied before the wrapped link sends them)
 * @param receive  rules for frames the wrapped link received (applied before the stack sees them)
 * @param seed     seed of every random choice: the same seed and the same frames give the same impairments
 */
public record Impairment(ImpairmentRules transmit, ImpairmentRules receive, long seed) {
    public static final Impairment NONE = new Impairment(ImpairmentRules.NONE, ImpairmentRules.NONE, 0);

    private static final Pattern DECIMAL = Pattern.compile("\\d+(?:\\.\\d+)?|\\.\\d+");
    private static final Pattern INTEGER = Pattern.compile("\\d+");
    private static final Pattern SEED = Pattern.compile("-?\\d+");
    private static final Pattern TIME = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)(ns|us|\u00b5s|ms|s)?");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)(bit|kbit|mbit|gbit|tbit)?");

    public Impairment {
        Objects.requireNonNull(transmit, "transmit");
        Objects.requireNonNull(receive, "receive");
    }

    /** The same rules in both directions. */
    public static Impairment both(ImpairmentRules rules, long seed) {
        return new Impairment(rules, rules, seed);
    }

    /** True if either direction changes frames or their timing. */
    public boolean impairs() {
        return transmit.impairs() || receive.impairs();
    }

    /** The keys of the per-direction rules, in the order toString prints them. */
    private enum Key {
        LOSS("loss"), LOSSBURST("lossburst"), REORDER("reorder"), GAP("gap"), HOLD("hold"),
        DUPLICATE("duplicate"), CORRUPT("corrupt"), DELAY("delay"), JITTER("jitter"), RATE("rate"), LIMIT("limit");

        final String text;

        Key(String text) {
            this.text = text;
        }

        static Key of(String text) {
            for (Key k : values()) {
                if (k.text.equals(text)) {
                    return k;
                }
            }
            return null;
        }
    }

    /**
     * Parses the command-line syntax described at the top of this file.
     *
     * @throws IllegalArgumentException naming the bad entry and what was expected
     */
    public static Impairment parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String trimmed = spec.strip();
        if (trimmed.isEmpty() || trimmed.equalsIgnoreCase("none")) {
            return NONE;
        }
        Draft tx = new Draft();
        Draft rx = new Draft();
        long seed = 0;
        boolean seedGiven = false;
        for (String raw : trimmed.split(",", -1)) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                throw bad(spec, raw, "empty entry (two commas, or a comma at an end)");
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw bad(spec, entry, "expected key=value");
            }
            String name = entry.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = entry.substring(eq + 1).strip().toLowerCase(Locale.ROOT);
            if (name.equals("seed")) {
                if (seedGiven) {
                    throw bad(spec, entry, "seed given twice");
                }
                if (!SEED.matcher(value).matches()) {
                    throw bad(spec, entry, "seed is a whole number (64-bit), e.g. seed=42");
                }
                try {
                    seed = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw bad(spec, entry, "seed does not fit in 64 bits");
                }
                seedGiven = true;
                continue;
            }
            boolean toTx = true;
            boolean toRx = true;
            if (name.startsWith("tx.")) {
                toRx = false;
                name = name.substring(3);
            } else if (name.startsWith("rx.")) {
                toTx = false;
                name = name.substring(3);
            }
            Key key = Key.of(name);
            if (key == null) {
                throw bad(spec, entry, "unknown key '" + name + "'; keys are loss, lossburst, reorder, gap, hold,"
                        + " duplicate, corrupt, delay, jitter, rate, limit (each may take a tx. or rx. prefix) and"
                        + " seed");
            }
            Object parsed = parseValue(spec, entry, key, value);
            if ((toTx && tx.given[key.ordinal()]) || (toRx && rx.given[key.ordinal()])) {
                throw bad(spec, entry, key.text + " given twice for the "
                        + (toTx && tx.given[key.ordinal()] ? "transmit" : "receive") + " direction");
            }
            if (toTx) {
                tx.set(key, parsed);
            }
            if (toRx) {
                rx.set(key, parsed);
            }
        }
        ImpairmentRules txRules = build(spec, tx, "transmit (tx)");
        ImpairmentRules rxRules = build(spec, rx, "receive (rx)");
        return new Impairment(txRules, rxRules, seed);
    }

    private static ImpairmentRules build(String spec, Draft draft, String direction) {
        try {
            return draft.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad impairment \"" + spec + "\" for the " + direction + " direction: "
                    + e.getMessage(), e);
        }
    }

    private static Object parseValue(String spec, String entry, Key key, String value) {
        return switch (key) {
            case LOSS, REORDER, DUPLICATE, CORRUPT -> {
                String number = value.endsWith("%") ? value.substring(0, value.length() - 1).strip() : value;
                if (!DECIMAL.matcher(number).matches()) {
                    throw bad(spec, entry, key.text + " is a percentage 0..100, e.g. " + key.text + "=1.5 or "
                            + key.text + "=1.5%");
                }
                double percent = Double.parseDouble(number);
                if (percent > 100) {
                    throw bad(spec, entry, key.text + " is a percentage and cannot exceed 100");
                }
                yield percent;
            }
            case LOSSBURST -> {
                if (!DECIMAL.matcher(value).matches()) {
                    throw bad(spec, entry, "lossburst is the mean burst length in frames (at least 1), e.g."
                            + " lossburst=4");
                }
                double burst = Double.parseDouble(value);
                if (burst < 1) {
                    throw bad(spec, entry, "lossburst must be at least 1 frame");
                }
                yield burst;
            }
            case GAP, LIMIT -> {
                if (!INTEGER.matcher(value).matches()) {
                    throw bad(spec, entry, key.text + " is a whole number of frames, e.g. " + key.text + "="
                            + (key == Key.GAP ? "3" : "1000"));
                }
                try {
                    yield Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw bad(spec, entry, key.text + " is too large");
                }
            }
            case HOLD, DELAY, JITTER -> parseTime(spec, entry, key, value);
            case RATE -> parseRate(spec, entry, value);
        };
    }

    private static Long parseTime(String spec, String entry, Key key, String value) {
        Matcher m = TIME.matcher(value);
        if (!m.matches()) {
            throw bad(spec, entry, key.text + " is a time with unit ns, us, ms or s (bare numbers are ms), e.g. "
                    + key.text + "=20ms");
        }
        String unit = m.group(2) == null ? "ms" : m.group(2);
        long scale = switch (unit) {
            case "ns" -> 1L;
            case "us", "\u00b5s" -> 1_000L;
            case "ms" -> 1_000_000L;
            default -> 1_000_000_000L;
        };
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(scale));
        if (nanos.compareTo(BigDecimal.valueOf(ImpairmentRules.MAX_TIME_NANOS)) > 0) {
            throw bad(spec, entry, key.text + " cannot exceed 1 hour");
        }
        try {
            return nanos.longValueExact();
        } catch (ArithmeticException e) {
            throw bad(spec, entry, key.text + " is finer than a nanosecond");
        }
    }

    private static Long parseRate(String spec, String entry, String value) {
        Matcher m = RATE.matcher(value);
        if (!m.matches()) {
            throw bad(spec, entry, "rate is bits per second with unit bit, kbit, mbit, gbit or tbit (powers of 1000;"
                    + " bytes per second are not accepted), e.g. rate=100mbit");
        }
        String unit = m.group(2) == null ? "bit" : m.group(2);
        long scale = switch (unit) {
            case "kbit" -> 1_000L;
            case "mbit" -> 1_000_000L;
            case "gbit" -> 1_000_000_000L;
            case "tbit" -> 1_000_000_000_000L;
            default -> 1L;
        };
        BigDecimal bits = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(scale));
        if (bits.compareTo(BigDecimal.valueOf(ImpairmentRules.MAX_RATE_BITS_PER_SECOND)) > 0) {
            throw bad(spec, entry, "rate cannot exceed 1tbit");
        }
        try {
            return bits.longValueExact();
        } catch (ArithmeticException e) {
            throw bad(spec, entry, "rate must be a whole number of bits per second");
        }
    }

    private static IllegalArgumentException bad(String spec, String entry, String why) {
        return new IllegalArgumentException("bad impairment entry '" + entry.strip() + "' in \"" + spec + "\": "
                + why);
    }

    /** The spec syntax, defaults left out; "none" for {@link #NONE}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (Key key : Key.values()) {
            String t = format(key, transmit);
            String r = format(key, receive);
            if (t != null && t.equals(r)) {
                append(out, "", key, t);
            } else {
                if (t != null) {
                    append(out, "tx.", key, t);
                }
                if (r != null) {
                    append(out, "rx.", key, r);
                }
            }
        }
        if (seed != 0) {
            out.append(out.isEmpty() ? "" : ",").append("seed=").append(seed);
        }
        return out.isEmpty() ? "none" : out.toString();
    }

    private static void append(StringBuilder out, String prefix, Key key, String value) {
        if (!out.isEmpty()) {
            out.append(',');
        }
        out.append(prefix).append(key.text).append('=').append(value);
    }

    /** One key's value in spec syntax, or null if it has its default value. */
    private static String format(Key key, ImpairmentRules r) {
        ImpairmentRules d = ImpairmentRules.NONE;
        return switch (key) {
            case LOSS -> r.lossPercent() == d.lossPercent() ? null : decimal(r.lossPercent());
            case LOSSBURST -> r.lossBurst() == d.lossBurst() ? null : decimal(r.lossBurst());
            case REORDER -> r.reorderPercent() == d.reorderPercent() ? null : decimal(r.reorderPercent());
            case GAP -> r.reorderGap() == d.reorderGap() ? null : Integer.toString(r.reorderGap());
            case HOLD -> r.reorderHoldNanos() == d.reorderHoldNanos() ? null : time(r.reorderHoldNanos());
            case DUPLICATE -> r.duplicatePercent() == d.duplicatePercent() ? null : decimal(r.duplicatePercent());
            case CORRUPT -> r.corruptPercent() == d.corruptPercent() ? null : decimal(r.corruptPercent());
            case DELAY -> r.delayNanos() == d.delayNanos() ? null : time(r.delayNanos());
            case JITTER -> r.jitterNanos() == d.jitterNanos() ? null : time(r.jitterNanos());
            case RATE -> r.rateBitsPerSecond() == d.rateBitsPerSecond() ? null : rate(r.rateBitsPerSecond());
            case LIMIT -> r.limit() == d.limit() ? null : Integer.toString(r.limit());
        };
    }

    private static String decimal(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static String time(long nanos) {
        if (nanos == 0) {
            return "0ms";
        }
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos % 1_000L == 0) {
            return nanos / 1_000L + "us";
        }
        return nanos + "ns";
    }

    private static String rate(long bits) {
        if (bits % 1_000_000_000_000L == 0) {
            return bits / 1_000_000_000_000L + "tbit";
        }
        if (bits % 1_000_000_000L == 0) {
            return bits / 1_000_000_000L + "gbit";
        }
        if (bits % 1_000_000L == 0) {
            return bits / 1_000_000L + "mbit";
        }
        if (bits % 1_000L == 0) {
            return bits / 1_000L + "kbit";
        }
        return bits + "bit";
    }

    /** One direction's values while parsing, starting from the defaults. */
    private static final class Draft {
        final boolean[] given = new boolean[Key.values().length];
        final ImpairmentRules d = ImpairmentRules.NONE;
        double loss = d.lossPercent();
        double lossBurst = d.lossBurst();
        double reorder = d.reorderPercent();
        int gap = d.reorderGap();
        long hold = d.reorderHoldNanos();
        double duplicate = d.duplicatePercent();
        double corrupt = d.corruptPercent();
        long delay = d.delayNanos();
        long jitter = d.jitterNanos();
        long rate = d.rateBitsPerSecond();
        int limit = d.limit();

        void set(Key key, Object value) {
            given[key.ordinal()] = true;
            switch (key) {
                case LOSS -> loss = (Double) value;
                case LOSSBURST -> lossBurst = (Double) value;
                case REORDER -> reorder = (Double) value;
                case GAP -> gap = (Integer) value;
                case HOLD -> hold = (Long) value;
                case DUPLICATE -> duplicate = (Double) value;
                case CORRUPT -> corrupt = (Double) value;
                case DELAY -> delay = (Long) value;
                case JITTER -> jitter = (Long) value;
                case RATE -> rate = (Long) value;
                case LIMIT -> limit = (Integer) value;
            }
        }

        ImpairmentRules build() {
            return new ImpairmentRules(loss, lossBurst, reorder, gap, hold, duplicate, corrupt, delay, jitter, rate,
                    limit);
        }
    }
}
