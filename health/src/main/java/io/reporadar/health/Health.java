package io.reporadar.health;

import io.reporadar.core.DaemonThreads;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health of one instance: checks that run in the background on their own schedule, groups that combine
 * them, and the lifecycle that readiness follows.
 *
 * <pre>{@code
 * Health health = Health.builder()
 *         .check(CheckSpec.dependency("postgres", Checks.postgres(dataSource)).critical())
 *         .check(CheckSpec.dependency("redis", Checks.redis(connection, Duration.ofMillis(500))))
 *         .build()
 *         .start();
 * health.markReady();
 * HealthSnapshot now = health.snapshot();   // never waits on a dependency
 * }</pre>
 *
 * <p>Groups: liveness holds process-internal checks; readiness is the lifecycle (only READY takes traffic) and
 * the dependency checks; startup latches UP once all its checks passed. A critical check that fails makes its
 * groups DOWN, a non-critical one WARN.
 *
 * <p>Thread-safe. The checks run on daemon threads ({@code reporadar-health-<n>-check-<m>}, timed by
 * {@code reporadar-health-<n>-scheduler}), which never keep the JVM alive; {@link #close()} stops them.
 */
public final class Health implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Health.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final List<CheckRunner> runners;
    private final Set<String> groupNames;
    private final Clock clock;
    private final List<HealthListener> listeners;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService executor;
    private final Object lifecycleLock = new Object();
    private volatile Lifecycle lifecycle = Lifecycle.STARTING; // changed only under lifecycleLock
    private final AtomicBoolean startupPassed = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();

    private Health(Builder builder) {
        this.clock = builder.clock;
        this.listeners = new CopyOnWriteArrayList<>(builder.listeners);
        int id = INSTANCES.incrementAndGet();
        this.scheduler = DaemonThreads.scheduler("health-" + id + "-scheduler");
        this.executor = Executors.newCachedThreadPool(DaemonThreads.factory("health-" + id + "-check"));
        List<CheckRunner> list = new ArrayList<>();
        Set<String> groups = new LinkedHashSet<>(List.of(CheckSpec.LIVENESS, CheckSpec.READINESS, CheckSpec.STARTUP));
        for (CheckSpec spec : builder.specs) {
            list.add(new CheckRunner(spec, clock, executor, scheduler, listeners));
            groups.addAll(spec.groups);
        }
        this.runners = List.copyOf(list);
        this.groupNames = groups;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the background runs (the first within 100 ms, spread out); returns this. */
    public Health start() {
        if (started.compareAndSet(false, true)) {
            for (CheckRunner runner : runners) {
                runner.schedule(Duration.ofMillis(ThreadLocalRandom.current().nextLong(0, 100)));
            }
        }
        return this;
    }

    /** The current state of every check and group, from the last results: O(checks), never blocks. */
    public HealthSnapshot snapshot() {
        Instant now = clock.instant();
        List<CheckStatus> checks = new ArrayList<>(runners.size());
        for (CheckRunner runner : runners) {
            checks.add(new CheckStatus(runner.spec.name, runner.current(now), runner.spec.critical,
                    runner.spec.groups, runner.consecutiveFailures(), runner));
        }
        Lifecycle state = lifecycle;
        Map<String, Status> groups = new LinkedHashMap<>();
        for (String group : groupNames) {
            groups.put(group, groupStatus(group, checks, state));
        }
        return new HealthSnapshot(now, state, checks, groups);
    }

    /**
     * Runs every check now and returns the snapshot once they ended or timed out. Concurrent callers share the
     * runs in flight (single flight), so a burst of callers costs one run per check.
     */
    public HealthSnapshot evaluateNow() {
        CompletableFuture<?>[] runs = runners.stream().map(CheckRunner::run).toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(runs).join();
        return snapshot();
    }

    public Lifecycle lifecycle() {
        return lifecycle;
    }

    /** STARTING → READY: readiness now follows the dependencies. */
    public void markReady() {
        transition(Lifecycle.STARTING, Lifecycle.READY);
    }

    /** → DRAINING: readiness turns OUT_OF_SERVICE at once; liveness is unaffected. Idempotent. */
    public void beginDrain() {
        Lifecycle from;
        synchronized (lifecycleLock) {
            from = lifecycle;
            if (from != Lifecycle.STARTING && from != Lifecycle.READY) {
                return;
            }
            lifecycle = Lifecycle.DRAINING;
        }
        announce(from, Lifecycle.DRAINING);
    }

    /** → STOPPED. */
    public void markStopped() {
        Lifecycle from;
        synchronized (lifecycleLock) {
            from = lifecycle;
            lifecycle = Lifecycle.STOPPED;
        }
        if (from != Lifecycle.STOPPED) {
            announce(from, Lifecycle.STOPPED);
        }
    }

    public void addListener(HealthListener listener) {
        listeners.add(listener);
    }

    /** The registered checks' names, in order. */
    public List<String> checkNames() {
        return runners.stream().map(r -> r.spec.name).toList();
    }

    /** Stops the background runs; the lifecycle becomes STOPPED. */
    @Override
    public void close() {
        markStopped();
        scheduler.shutdownNow();
        executor.shutdownNow();
    }

    private Status groupStatus(String group, List<CheckStatus> checks, Lifecycle state) {
        if (group.equals(CheckSpec.READINESS) && state != Lifecycle.READY) {
            return Status.OUT_OF_SERVICE;
        }
        if (group.equals(CheckSpec.STARTUP) && startupPassed.get()) {
            return Status.UP;
        }
        Status worst = Status.UP;
        for (CheckStatus check : checks) {
            if (check.groups().contains(group)) {
                worst = worst.worse(check.contribution());
            }
        }
        if (group.equals(CheckSpec.STARTUP) && worst == Status.UP) {
            startupPassed.set(true);
        }
        return worst;
    }

    private void transition(Lifecycle from, Lifecycle to) {
        synchronized (lifecycleLock) {
            if (lifecycle != from) {
                throw new IllegalStateException("lifecycle: " + lifecycle + " (expected: " + from + " to move to " + to + ")");
            }
            lifecycle = to;
        }
        announce(from, to);
    }

    private void announce(Lifecycle from, Lifecycle to) {
        LOG.info("lifecycle {} -> {}", from, to);
        for (HealthListener listener : listeners) {
            try {
                listener.onLifecycle(from, to);
            } catch (RuntimeException e) {
                LOG.warn("health listener failed on lifecycle {} -> {}: {}", from, to, e.toString());
            }
        }
    }

    /** Collects the checks; {@link #build()} validates them all at once. Not thread-safe. */
    public static final class Builder {
        private final List<CheckSpec> specs = new ArrayList<>();
        private final List<HealthListener> listeners = new ArrayList<>();
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Adds a check; {@code spec} is immutable, so the same one may go to several builders. */
        public Builder check(CheckSpec spec) {
            specs.add(Objects.requireNonNull(spec, "spec"));
            return this;
        }

        public Builder listener(HealthListener listener) {
            listeners.add(listener);
            return this;
        }

        /** The clock results are stamped and aged with (tests may pass a fixed one). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * The health of these checks, not started yet.
         *
         * @throws IllegalArgumentException listing every problem: duplicate names, misplaced or incoherent checks
         */
        public Health build() {
            List<String> problems = new ArrayList<>();
            Set<String> names = new LinkedHashSet<>();
            for (CheckSpec spec : specs) {
                if (!names.add(spec.name)) {
                    problems.add("check " + spec.name + ": registered twice");
                }
                problems.addAll(spec.validate());
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid health checks: " + String.join("; ", problems));
            }
            return new Health(this);
        }
    }
}
