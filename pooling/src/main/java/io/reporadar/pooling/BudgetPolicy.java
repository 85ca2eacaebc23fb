package io.reporadar.pooling;

/**
 * What the live guard does when the pools would not fit what the server admits.
 *
 * <p>Immutable and thread-safe.
 */
public enum BudgetPolicy {
    /** Refuse to start (at start-up) or report DOWN (later): the deployment must be fixed. */
    FAIL_FAST,
    /** Log a warning and lower this instance's pool maximum to its fair share of what is left. */
    WARN_AND_SHRINK
}
