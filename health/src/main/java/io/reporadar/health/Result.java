package io.reporadar.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one run of a check found: a status, a short machine-readable reason when it is not UP
 * ({@code timeout}, {@code pool-saturated}, {@code disconnected} ...), details to show callers allowed to see
 * them, how long the run took and when it ended.
 *
 * <p>Checks return {@code Result.up()}, {@code Result.warn("reason")}, {@code Result.down("reason")}, adding
 * details with {@link #withDetail}; the runner stamps duration and time. Details are rendered as JSON, so
 * their values should be strings, numbers or booleans. Immutable and thread-safe.
 */
public final class Result {

    private final Status status;
    private final @Nullable String reason; // null for UP
    private final Map<String, Object> details;
    private final Duration duration;
    private final @Nullable Instant time; // null until a run produced the result

    private Result(Status status, @Nullable String reason, Map<String, Object> details, Duration duration, @Nullable Instant time) {
        this.status = Objects.requireNonNull(status, "status");
        this.reason = reason;
        this.details = details;
        this.duration = duration;
        this.time = time;
    }

    public static Result up() {
        return new Result(Status.UP, null, Map.of(), Duration.ZERO, null);
    }

    /** Working but degraded: the group keeps taking traffic and reports WARN. */
    public static Result warn(String reason) {
        return new Result(Status.WARN, requireReason(reason), Map.of(), Duration.ZERO, null);
    }

    public static Result down(String reason) {
        return new Result(Status.DOWN, requireReason(reason), Map.of(), Duration.ZERO, null);
    }

    /**
     * A result of any status.
     *
     * @param reason why the status is not UP; may be {@code null} only for UP
     * @throws IllegalArgumentException for a status other than UP without a reason
     */
    public static Result of(Status status, @Nullable String reason) {
        return new Result(status, status == Status.UP ? reason : requireReason(reason), Map.of(), Duration.ZERO, null);
    }

    /** A copy with one more detail; a detail of the same name is replaced. */
    public Result withDetail(String name, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(details);
        copy.put(Objects.requireNonNull(name, "name"), value);
        return new Result(status, reason, Collections.unmodifiableMap(copy), duration, time);
    }

    /** A copy stamped with how long the run took and when it ended (the runner does this). */
    Result timed(Duration duration, Instant time) {
        return new Result(status, reason, details, duration, time);
    }

    /** A copy with another status and reason, keeping details and timing (thresholds, staleness). */
    Result as(Status status, String reason) {
        return new Result(status, reason, details, duration, time);
    }

    public Status status() {
        return status;
    }

    /** Why the status is not UP; {@code null} for UP. */
    public @Nullable String reason() {
        return reason;
    }

    public Map<String, Object> details() {
        return details;
    }

    public Duration duration() {
        return duration;
    }

    /** When the run ended; {@code null} for a result no run produced (the initial state). */
    public @Nullable Instant time() {
        return time;
    }

    @Override
    public String toString() {
        return status + (reason == null ? "" : " (" + reason + ")") + (details.isEmpty() ? "" : " " + details);
    }

    private static String requireReason(@Nullable String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason: " + reason + " (expected: a short reason such as \"timeout\")");
        }
        return reason;
    }
}
