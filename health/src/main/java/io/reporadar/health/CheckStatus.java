package io.reporadar.health;

import java.util.Set;

/**
 * One check as a snapshot shows it: its current result (thresholds and staleness applied), whether it is
 * critical, its groups and how many runs in a row have failed.
 *
 * <p>Immutable and thread-safe.
 */
public final class CheckStatus {

    private final String name;
    private final Result result;
    private final boolean critical;
    private final Set<String> groups;
    private final int consecutiveFailures;
    private final CheckRunner runner;

    CheckStatus(String name, Result result, boolean critical, Set<String> groups, int consecutiveFailures, CheckRunner runner) {
        this.name = name;
        this.result = result;
        this.critical = critical;
        this.groups = groups;
        this.consecutiveFailures = consecutiveFailures;
        this.runner = runner;
    }

    /** This check's JSON object, rendered once per result by {@code render}. */
    String json(java.util.function.Supplier<String> render) {
        return runner == null ? render.get() : runner.json(result, consecutiveFailures, render);
    }

    public String name() {
        return name;
    }

    public Result result() {
        return result;
    }

    public Status status() {
        return result.status();
    }

    public boolean critical() {
        return critical;
    }

    public Set<String> groups() {
        return groups;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** What this check makes of a group: its status when critical or healthy, WARN when a non-critical one fails. */
    Status contribution() {
        Status status = result.status();
        return critical || status.acceptsTraffic() ? status : Status.WARN;
    }

    @Override
    public String toString() {
        return name + ": " + result;
    }
}
