package io.reporadar.health;

/**
 * Hears about check runs and status changes, for metrics and logs. Methods have no-op defaults; they are
 * called on the runner's threads and must not block. An exception thrown by a listener is logged and
 * otherwise ignored.
 *
 * <p>Implementations must be thread-safe.
 */
public interface HealthListener {

    /** A run ended (or timed out) with {@code raw}, before thresholds are applied. */
    default void onRun(String check, Result raw) {
    }

    /** The status a check reports changed, thresholds applied. */
    default void onTransition(String check, Status from, Status to, Result result) {
    }

    /** The lifecycle moved on. */
    default void onLifecycle(Lifecycle from, Lifecycle to) {
    }
}
