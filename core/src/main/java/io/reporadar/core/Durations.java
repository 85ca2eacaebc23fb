package io.reporadar.core;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way every RepoRadar module reads a duration from an environment variable or a property: a number
 * followed by its unit, {@code ms}, {@code s}, {@code m}, {@code h} or {@code d} ({@code 250ms}, {@code 30s},
 * {@code 5m}, {@code 1.5h}), or ISO-8601 ({@code PT30S}). A bare number is read in the unit the variable used
 * before units were accepted ({@code SESSION_IDLE_TIMEOUT=1800} is seconds, {@code DB_POOL_CONNECTION_TIMEOUT=5000}
 * milliseconds), so existing deployments keep working.
 *
 * <pre>{@code
 * Duration idle = Durations.parse("SESSION_IDLE_TIMEOUT", env.get("SESSION_IDLE_TIMEOUT"), ChronoUnit.SECONDS);
 * }</pre>
 */
public final class Durations {

    private static final Pattern WITH_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
    private static final Pattern BARE = Pattern.compile("\\d+(?:\\.\\d+)?");
    private static final long MAX_NANOS = Long.MAX_VALUE;

    private Durations() {
    }

    /**
     * Reads {@code text} as a duration.
     *
     * @param name     the variable or property, named in the error
     * @param text     its value; surrounding blanks are ignored
     * @param bareUnit the unit of a number written without one
     * @throws IllegalArgumentException naming {@code name} and the value when it is not a non-negative duration
     */
    public static Duration parse(String name, String text, ChronoUnit bareUnit) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("pt") || value.startsWith("p")) {
                Duration iso = Duration.parse(value.toUpperCase(Locale.ROOT));
                if (!iso.isNegative()) {
                    return iso;
                }
            } else {
                Matcher unit = WITH_UNIT.matcher(value);
                if (unit.matches()) {
                    return of(Double.parseDouble(unit.group(1)), unitOf(unit.group(2)));
                }
                if (BARE.matcher(value).matches()) {
                    return of(Double.parseDouble(value), bareUnit);
                }
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            // reported below, with the variable's name
        }
        throw new IllegalArgumentException(name + ": '" + text + "' is not a duration (expected: a number with "
                + "its unit, such as 250ms, 30s, 5m or 1h; a bare number is " + plural(bareUnit) + ")");
    }

    /**
     * The duration variable {@code name} of {@code env}, for a start-up that reports every problem at once:
     * {@code fallback} when it is unset or blank; when it is malformed, {@code fallback} too, with the problem (as
     * {@link #parse} words it) added to {@code problems}.
     */
    public static Duration fromEnvironment(Map<String, String> env, String name, Duration fallback, ChronoUnit bareUnit,
            List<String> problems) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return parse(name, raw, bareUnit);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return fallback;
        }
    }

    /** The shortest exact spelling {@link #parse} reads back: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0 || millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    private static Duration of(double amount, ChronoUnit unit) {
        double nanos = amount * unit.getDuration().toNanos();
        if (nanos > MAX_NANOS) {
            throw new ArithmeticException("too long");
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    private static ChronoUnit unitOf(String suffix) {
        return switch (suffix) {
            case "ms" -> ChronoUnit.MILLIS;
            case "s" -> ChronoUnit.SECONDS;
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            default -> ChronoUnit.DAYS;
        };
    }

    private static String plural(ChronoUnit unit) {
        return unit == ChronoUnit.MILLIS ? "milliseconds" : unit.toString().toLowerCase(Locale.ROOT);
    }
}
