package io.reporadar.health;

/**
 * One thing to check. Implementations may block (the runner bounds them with a timeout and never runs one
 * twice at once) and may throw: an exception becomes DOWN with reason {@code error} and the exception's class
 * as a detail, never its stack trace.
 *
 * <p>Implementations must be safe to call from the runner's threads, one call at a time.
 */
@FunctionalInterface
public interface HealthCheck {

    Result check() throws Exception;
}
