package io.reporadar.jobs;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The id of a job: given by the caller (which makes enqueues idempotent) or drawn at random. Letters, digits,
 * {@code .}, {@code _} and {@code -}, at most 128 characters: it becomes part of a Redis key and of a URL.
 *
 * @param value the id as text
 */
public record JobId(String value) {

    /** What an id may look like. */
    static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    /**
     * @throws IllegalArgumentException naming the id when it does not match {@code [A-Za-z0-9._-]{1,128}}
     */
    public JobId {
        if (value == null || !PATTERN.matcher(value).matches()) {
            throw new IllegalArgumentException("job id: " + describe(value)
                    + " (expected: 1 to 128 letters, digits, '.', '_' or '-')");
        }
    }

    /** Shorthand for {@code new JobId(value)}. */
    public static JobId of(String value) {
        return new JobId(value);
    }

    /** A bad id as it may be shown: quoted, cut short when long. */
    static String describe(@Nullable String value) {
        if (value == null) {
            return "null";
        }
        return value.length() <= 40 ? "'" + value + "'" : "'" + value.substring(0, 40) + "...' (" + value.length() + " characters)";
    }

    @Override
    public String toString() {
        return value;
    }
}
