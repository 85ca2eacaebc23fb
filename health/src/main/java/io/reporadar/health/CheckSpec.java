package io.reporadar.health;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a check is run and where its result counts.
 *
 * <pre>{@code
 * CheckSpec.dependency("postgres", Checks.postgres(dataSource)).critical().timeout(Duration.ofSeconds(1))
 * CheckSpec.dependency("redis", Checks.redis(connection))          // not critical: failing makes readiness WARN
 * CheckSpec.internal("deadlocks", Checks.deadlocks())              // process-internal: goes to liveness
 * }</pre>
 *
 * <p>A dependency check goes to {@value #READINESS} by default, a process-internal one to {@value #LIVENESS};
 * a dependency check in liveness needs {@link #allowInLiveness()}, since a failing database would otherwise
 * get healthy instances restarted. Defaults: interval {@value #DEFAULT_INTERVAL_SECONDS} s with ±10 % jitter,
 * timeout 1 s, stale after 3 intervals, failure threshold 1, success threshold 1, initial state UNKNOWN.
 * Not thread-safe; {@link Health.Builder#check} copies it.
 */
public final class CheckSpec {

    public static final String LIVENESS = "liveness";
    public static final String READINESS = "readiness";
    public static final String STARTUP = "startup";
    public static final int DEFAULT_INTERVAL_SECONDS = 5;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    final String name;
    final HealthCheck check;
    final boolean dependency;
    final Set<String> groups = new LinkedHashSet<>();
    boolean critical;
    boolean allowInLiveness;
    Duration interval = Duration.ofSeconds(DEFAULT_INTERVAL_SECONDS);
    Duration timeout = DEFAULT_TIMEOUT;
    Duration staleAfter;
    int failureThreshold = 1;
    int successThreshold = 1;
    Status initialStatus = Status.UNKNOWN;

    private CheckSpec(String name, HealthCheck check, boolean dependency) {
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("check name: " + name + " (expected: 1-63 lowercase letters, digits, '.', '_' or '-')");
        }
        this.name = name;
        this.check = Objects.requireNonNull(check, "check");
        this.dependency = dependency;
        groups.add(dependency ? READINESS : LIVENESS);
    }

    /** A check of something outside the process (database, cache, another service). */
    public static CheckSpec dependency(String name, HealthCheck check) {
        return new CheckSpec(name, check, true);
    }

    /** A check of the process itself (threads, heap, event loop), fit for liveness. */
    public static CheckSpec internal(String name, HealthCheck check) {
        return new CheckSpec(name, check, false);
    }

    /** A failure makes the groups DOWN; without it, a failure makes them WARN. */
    public CheckSpec critical() {
        this.critical = true;
        return this;
    }

    /** Also counts in these groups (built-in or the user's). */
    public CheckSpec groups(String... more) {
        for (String group : more) {
            if (group == null || !group.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
                throw new IllegalArgumentException("group: " + group + " (expected: 1-63 lowercase letters, digits, '.', '_' or '-')");
            }
            groups.add(group);
        }
        return this;
    }

    /** Only counts in these groups. */
    public CheckSpec onlyIn(String... groups) {
        this.groups.clear();
        return groups(groups);
    }

    /** Also gates start-up: the startup group latches UP once all its checks passed. */
    public CheckSpec startup() {
        return groups(STARTUP);
    }

    /** Lets a dependency check count in liveness; see the class comment for why that is rarely wise. */
    public CheckSpec allowInLiveness() {
        this.allowInLiveness = true;
        return this;
    }

    public CheckSpec interval(Duration interval) {
        this.interval = positive("interval", interval);
        return this;
    }

    /** How long a run may take; a run that takes longer reports DOWN with reason {@code timeout}. */
    public CheckSpec timeout(Duration timeout) {
        this.timeout = positive("timeout", timeout);
        return this;
    }

    /** How old a result may get before it is UNKNOWN (reason {@code stale}); default 3 intervals. */
    public CheckSpec staleAfter(Duration staleAfter) {
        this.staleAfter = positive("staleAfter", staleAfter);
        return this;
    }

    /** Consecutive failures before the check reports the failure (against flapping). */
    public CheckSpec failureThreshold(int failures) {
        this.failureThreshold = atLeastOne("failureThreshold", failures);
        return this;
    }

    /** Consecutive successes before a failed check reports UP again. */
    public CheckSpec successThreshold(int successes) {
        this.successThreshold = atLeastOne("successThreshold", successes);
        return this;
    }

    /** The status reported before the first run ends (UNKNOWN unless set). */
    public CheckSpec initially(Status status) {
        this.initialStatus = Objects.requireNonNull(status, "status");
        return this;
    }

    Duration effectiveStaleAfter() {
        return staleAfter != null ? staleAfter : interval.multipliedBy(3).plus(timeout);
    }

    List<String> validate() {
        if (groups.contains(LIVENESS) && dependency && !allowInLiveness) {
            return List.of("check " + name + ": a dependency check in liveness gets healthy instances restarted when the"
                    + " dependency fails (call allowInLiveness() if that is what you want)");
        }
        return List.of();
    }

    private static Duration positive(String what, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: a positive duration)");
        }
        return value;
    }

    private static int atLeastOne(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: >= 1)");
        }
        return value;
    }
}
