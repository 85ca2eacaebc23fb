package io.reporadar.health;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

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
 * Immutable: each method returns a new spec, so one can be shared, kept as a template and handed to several
 * {@link Health} instances; the check threads read only final fields.
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
    final Set<String> groups;
    final boolean critical;
    final boolean allowInLiveness;
    final Duration interval;
    final Duration timeout;
    final @Nullable Duration staleAfter; // null: 3 intervals plus the timeout
    final int failureThreshold;
    final int successThreshold;
    final Status initialStatus;

    private CheckSpec(String name, HealthCheck check, boolean dependency, Set<String> groups, boolean critical, boolean allowInLiveness,
            Duration interval, Duration timeout, @Nullable Duration staleAfter, int failureThreshold, int successThreshold, Status initialStatus) {
        this.name = name;
        this.check = check;
        this.dependency = dependency;
        this.groups = Collections.unmodifiableSet(new LinkedHashSet<>(groups));
        this.critical = critical;
        this.allowInLiveness = allowInLiveness;
        this.interval = interval;
        this.timeout = timeout;
        this.staleAfter = staleAfter;
        this.failureThreshold = failureThreshold;
        this.successThreshold = successThreshold;
        this.initialStatus = initialStatus;
    }

    private static CheckSpec of(String name, HealthCheck check, boolean dependency) {
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("check name: " + name + " (expected: 1-63 lowercase letters, digits, '.', '_' or '-')");
        }
        return new CheckSpec(name, Objects.requireNonNull(check, "check"), dependency, Set.of(dependency ? READINESS : LIVENESS), false, false,
                Duration.ofSeconds(DEFAULT_INTERVAL_SECONDS), DEFAULT_TIMEOUT, null, 1, 1, Status.UNKNOWN);
    }

    /** A check of something outside the process (database, cache, another service). */
    public static CheckSpec dependency(String name, HealthCheck check) {
        return of(name, check, true);
    }

    /** A check of the process itself (threads, heap, event loop), fit for liveness. */
    public static CheckSpec internal(String name, HealthCheck check) {
        return of(name, check, false);
    }

    /** A failure makes the groups DOWN; without it, a failure makes them WARN. */
    public CheckSpec critical() {
        return new CheckSpec(name, check, dependency, groups, true, allowInLiveness, interval, timeout, staleAfter, failureThreshold,
                successThreshold, initialStatus);
    }

    /** Also counts in these groups (built-in or the user's). */
    public CheckSpec groups(String... more) {
        Set<String> all = new LinkedHashSet<>(groups);
        all.addAll(validGroups(more));
        return inGroups(all);
    }

    /** Only counts in these groups. */
    public CheckSpec onlyIn(String... groups) {
        return inGroups(validGroups(groups));
    }

    /** Also gates start-up: the startup group latches UP once all its checks passed. */
    public CheckSpec startup() {
        return groups(STARTUP);
    }

    /** Lets a dependency check count in liveness; see the class comment for why that is rarely wise. */
    public CheckSpec allowInLiveness() {
        return new CheckSpec(name, check, dependency, groups, critical, true, interval, timeout, staleAfter, failureThreshold, successThreshold,
                initialStatus);
    }

    public CheckSpec interval(Duration interval) {
        return new CheckSpec(name, check, dependency, groups, critical, allowInLiveness, positive("interval", interval), timeout, staleAfter,
                failureThreshold, successThreshold, initialStatus);
    }

    /** How long a run may take; a run that takes longer reports DOWN with reason {@code timeout}. */
    public CheckSpec timeout(Duration timeout) {
        return new CheckSpec(name, check, dependency, groups, critical, allowInLiveness, interval, positive("timeout", timeout), staleAfter,
                failureThreshold, successThreshold, initialStatus);
    }

    /** How old a result may get before it is UNKNOWN (reason {@code stale}); default 3 intervals. */
    public CheckSpec staleAfter(Duration staleAfter) {
        return new CheckSpec(name, check, dependency, groups, critical, allowInLiveness, interval, timeout, positive("staleAfter", staleAfter),
                failureThreshold, successThreshold, initialStatus);
    }

    /** Consecutive failures before the check reports the failure (against flapping). */
    public CheckSpec failureThreshold(int failures) {
        return new CheckSpec(name, check, dependency, groups, critical, allowInLiveness, interval, timeout, staleAfter,
                atLeastOne("failureThreshold", failures), successThreshold, initialStatus);
    }

    /** Consecutive successes before a failed check reports UP again. */
    public CheckSpec successThreshold(int successes) {
        return new CheckSpec(name, check, dependency, groups, critical, allowInLiveness, interval, timeout, staleAfter, failureThreshold,
                atLeastOne("successThreshold", successes), initialStatus);
    }

    /** The status reported before the first run ends (UNKNOWN unless set). */
    public CheckSpec initially(Status status) {
        return new CheckSpec(name, check, dependency, groups, critical, allowInLiveness, interval, timeout, staleAfter, failureThreshold,
                successThreshold, Objects.requireNonNull(status, "status"));
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

    @Override
    public String toString() {
        return "CheckSpec[" + name + (dependency ? ", dependency" : ", internal") + (critical ? ", critical" : "") + ", groups " + groups + "]";
    }

    private CheckSpec inGroups(Set<String> groups) {
        return new CheckSpec(name, check, dependency, groups, critical, allowInLiveness, interval, timeout, staleAfter, failureThreshold,
                successThreshold, initialStatus);
    }

    private static Set<String> validGroups(String... groups) {
        Set<String> valid = new LinkedHashSet<>();
        for (String group : groups) {
            if (group == null || !group.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
                throw new IllegalArgumentException("group: " + group + " (expected: 1-63 lowercase letters, digits, '.', '_' or '-')");
            }
            valid.add(group);
        }
        return valid;
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
