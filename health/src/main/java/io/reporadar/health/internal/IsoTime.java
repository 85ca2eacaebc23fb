package io.reporadar.health.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * ISO-8601 UTC timestamps with milliseconds, as {@code /health} renders them on every request: the
 * date-and-seconds part is formatted once per second and reused.
 *
 * <p>Thread-safe.
 */
public final class IsoTime {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private static volatile Cached cached = new Cached(Long.MIN_VALUE, "");

    private IsoTime() {
    }

    private static final class Cached {
        final long epochSecond;
        final String prefix;

        Cached(long epochSecond, String prefix) {
            this.epochSecond = epochSecond;
            this.prefix = prefix;
        }
    }

    /** {@code 2026-11-25T22:40:05.123Z}. */
    public static String format(Instant instant) {
        Cached c = cached;
        if (c.epochSecond != instant.getEpochSecond()) {
            c = new Cached(instant.getEpochSecond(), SECONDS.format(instant));
            cached = c;
        }
        int millis = instant.getNano() / 1_000_000;
        StringBuilder out = new StringBuilder(24).append(c.prefix).append('.');
        if (millis < 100) {
            out.append('0');
        }
        if (millis < 10) {
            out.append('0');
        }
        return out.append(millis).append('Z').toString();
    }
}
