package io.reporadar.health;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of every check and group at one instant, as the endpoints render it; reading one never waits on
 * a dependency.
 *
 * <p>Immutable and thread-safe.
 */
public final class HealthSnapshot {

    private final Instant time;
    private final Lifecycle lifecycle;
    private final List<CheckStatus> checks;
    private final Map<String, Status> groups;

    HealthSnapshot(Instant time, Lifecycle lifecycle, List<CheckStatus> checks, Map<String, Status> groups) {
        this.time = time;
        this.lifecycle = lifecycle;
        this.checks = List.copyOf(checks);
        this.groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }

    public Instant time() {
        return time;
    }

    public Lifecycle lifecycle() {
        return lifecycle;
    }

    /** Every check, in registration order. */
    public List<CheckStatus> checks() {
        return checks;
    }

    /** Every group's status: liveness, readiness, startup and the user's groups. */
    public Map<String, Status> groups() {
        return groups;
    }

    /** A group's status; UNKNOWN for a group no check belongs to (other than the three built-in ones). */
    public Status group(String name) {
        return groups.getOrDefault(name, Status.UNKNOWN);
    }

    public Status readiness() {
        return group(CheckSpec.READINESS);
    }

    public Status liveness() {
        return group(CheckSpec.LIVENESS);
    }

    public Status startup() {
        return group(CheckSpec.STARTUP);
    }

    /** The checks of one group. */
    public List<CheckStatus> checks(String group) {
        return checks.stream().filter(c -> c.groups().contains(group)).toList();
    }

    /** The overall status: the worst group. */
    public Status overall() {
        return Status.worstOf(groups.values());
    }

    @Override
    public String toString() {
        return "HealthSnapshot[" + lifecycle + ", " + groups + "]";
    }
}
