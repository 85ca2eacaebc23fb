package io.reporadar.demo;

import io.reporadar.health.CheckStatus;
import io.reporadar.health.Health;
import io.reporadar.health.HealthSnapshot;
import io.reporadar.health.HealthListener;
import io.reporadar.health.InFlightRequests;
import io.reporadar.health.Lifecycle;
import io.reporadar.health.Result;
import io.reporadar.health.Status;
import io.reporadar.health.dashboard.DeploymentView;
import io.reporadar.health.dashboard.InstanceReport;
import io.reporadar.pooling.ConnectionBudget;
import io.reporadar.pooling.GuardedPool;
import io.reporadar.pooling.ServerBudget;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard's view of the deployment, put together by whichever instance serves the page: every instance's
 * report from the {@link DeploymentRegistry} (this one's fresh), and for the deployment the PostgreSQL connection
 * budget (what the pools may open against what the server admits), Redis with its replicas, what the Sentinels
 * name and the job queue's counts, as this instance's checks last saw them.
 *
 * <p>Thread-safe.
 */
final class DeploymentDashboard {

    static final String POOL_MAX = "max in force";

    private final String instanceId;
    private final Health health;
    private final InFlightRequests inFlight;
    private final GuardedPool pool;
    private final @Nullable DeploymentRegistry registry; // null: no Redis, this instance alone

    DeploymentDashboard(String instanceId, Health health, InFlightRequests inFlight, GuardedPool pool, @Nullable DeploymentRegistry registry) {
        this.instanceId = instanceId;
        this.health = health;
        this.inFlight = inFlight;
        this.pool = pool;
        this.registry = registry;
    }

    /**
     * Publishes this instance in the registry (when there is one): every heartbeat, and at once when its lifecycle
     * moves on, so that a draining instance shows as draining within the page's next refresh.
     */
    void startPublishing() {
        DeploymentRegistry publishing = registry;
        if (publishing == null) {
            return;
        }
        publishing.start(this::self);
        health.addListener(new HealthListener() {
            @Override
            public void onLifecycle(Lifecycle from, Lifecycle to) {
                publishing.publishSoon();
            }
        });
    }

    /** This instance's report, as of now. */
    InstanceReport self() {
        Map<String, String> figures = new LinkedHashMap<>();
        figures.put("in use", Integer.toString(pool.activeConnections()));
        figures.put(POOL_MAX, Integer.toString(pool.currentMax()));
        figures.put("DB_POOL_MAX", Integer.toString(pool.settings().max()));
        figures.put("headroom", pool.headroom().toString());
        return InstanceReport.of(instanceId, health.snapshot(), inFlight.count(), figures);
    }

    /** The whole deployment, now; without Redis (or while it does not answer), this instance alone, and why. */
    DeploymentView view() {
        InstanceReport self = self();
        List<InstanceReport> instances = new ArrayList<>(List.of(self));
        List<DeploymentView.Section> sections = new ArrayList<>();
        if (registry != null) {
            try {
                registry.instances().stream().filter(instance -> !instance.id().equals(instanceId)).forEach(instances::add);
            } catch (RuntimeException e) {
                sections.add(new DeploymentView.Section("Registry", Status.DOWN,
                        Map.of("instances", "only this one: Redis does not answer (" + e.getClass().getSimpleName() + ")")));
            }
        } else {
            sections.add(new DeploymentView.Section("Registry", Status.WARN, Map.of("instances", "only this one: no Redis")));
        }
        DeploymentView draft = new DeploymentView(Instant.now(), instances, DeploymentRegistry.HEARTBEAT_TIMEOUT, List.of());
        sections.add(budget(draft.live()));
        HealthSnapshot snapshot = health.snapshot();
        check(snapshot, "redis").ifPresent(redis -> {
            Map<String, String> rows = rows(redis, "role", "replicas", "masterLink", "latencyMs");
            sections.add(new DeploymentView.Section("Redis", redis.status(), rows));
            Object master = redis.result().details().get("sentinelMaster");
            sections.add(new DeploymentView.Section("Sentinels", master == null ? Status.UP : redis.status(),
                    Map.of("master they name", master == null ? "none: REDIS_URL names no Sentinels" : master.toString())));
        });
        check(snapshot, "jobs").ifPresent(jobs -> sections.add(new DeploymentView.Section("Job queue", jobs.status(),
                rows(jobs, "queue", "waiting", "active", "delayed", "completed", "failed"))));
        return new DeploymentView(draft.time(), instances, DeploymentRegistry.HEARTBEAT_TIMEOUT, sections);
    }

    /** What the live instances' pools may open, against what PostgreSQL admits (at the pool's last live check, else planned). */
    private DeploymentView.Section budget(List<InstanceReport> live) {
        int max = pool.settings().max();
        int inForce = live.stream().mapToInt(instance -> parse(instance.pool().get(POOL_MAX))).sum();
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("DB_POOL_MAX × live instances", max + " × " + live.size() + " = " + max * live.size());
        rows.put("pool maxima in force, summed", Integer.toString(inForce));
        ConnectionBudget budget = pool.lastBudget(); // planned from the settings until the first live check
        rows.put("the deployment may use", Integer.toString(budget.available()));
        rows.put("the budget", budget.arithmetic());
        ServerBudget server = pool.lastServerBudget();
        if (server != null) {
            rows.put("max_connections", Integer.toString(server.maxConnections()));
            rows.put("in use by the service", Integer.toString(server.serviceUsed()));
            rows.put("in use by every client", Integer.toString(server.clients()) + (server.approximate() ? " (an upper bound)" : ""));
        } else {
            rows.put("max_connections", "not read yet: the figures above are planned from the settings until the pool's first live check");
        }
        Status status = max * live.size() > budget.available() ? Status.WARN : Status.UP;
        return new DeploymentView.Section("PostgreSQL connections", status, rows);
    }

    private static Optional<CheckStatus> check(HealthSnapshot snapshot, String name) {
        return snapshot.checks().stream().filter(check -> check.name().equals(name)).findFirst();
    }

    private static Map<String, String> rows(CheckStatus check, String... details) {
        Result result = check.result();
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("status", result.reason() == null ? result.status().name() : result.status() + " (" + result.reason() + ")");
        for (String detail : details) {
            Object value = result.details().get(detail);
            if (value != null) {
                rows.put(detail, value.toString());
            }
        }
        return rows;
    }

    private static int parse(@Nullable String number) {
        try {
            return number == null ? 0 : Integer.parseInt(number);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
