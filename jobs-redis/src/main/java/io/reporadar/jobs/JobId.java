package io.reporadar.jobs;

import org.jspecify.annotations.Nullable;

/**
 * The id of a job: given by the caller (which makes enqueues idempotent) or drawn at random. Letters, digits,
 * {@code .}, {@code _} and {@code -}, at most 128 characters: it becomes part of a Redis key and of a URL.
 *
 * @param value the id as text
 */
public record JobId(String value) {

    /**
     * @throws IllegalArgumentException naming the id when it does not match {@code [A-Za-z0-9._-]{1,128}}
     */
    public JobId {
        if (value == null || !isName(value, 128)) {
            throw new IllegalArgumentException("job id: " + describe(value)
                    + " (expected: 1 to 128 letters, digits, '.', '_' or '-')");
        }
    }

    /**
     * Whether {@code value} is 1 to {@code maxLength} letters, digits, {@code .}, {@code _} or {@code -}: what ids, job
     * types and queue names look like ({@code [A-Za-z0-9._-]{1,maxLength}}, checked on every enqueue without a
     * regular expression).
     */
    static boolean isName(String value, int maxLength) {
        int length = value.length();
        if (length == 0 || length > maxLength) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
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
