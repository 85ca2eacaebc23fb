package io.reporadar.pooling.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reporadar.pooling.ConnectionRefusal;
import io.reporadar.pooling.GuardedPool;
import io.reporadar.pooling.ServerBudget;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters for a {@link GuardedPool}'s connection budget, complementing HikariCP's own
 * {@code hikaricp.*} meters rather than repeating them. Tags: {@code pool} ({@code <service>/<instance>}) and
 * {@code service}. In Prometheus: {@code reporadar_db_budget_connections}, {@code reporadar_db_budget_required_connections},
 * {@code reporadar_db_headroom_ratio}, {@code reporadar_db_pool_cap_connections}, {@code reporadar_db_instances_live},
 * {@code reporadar_db_connections_used}, {@code reporadar_db_connections_refused_total}.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><td>{@code reporadar.db.budget}</td><td>connections the service's pools may use (last live check)</td></tr>
 *   <tr><td>{@code reporadar.db.budget.required}</td><td>connections the deployment needs at its peak</td></tr>
 *   <tr><td>{@code reporadar.db.headroom.ratio}</td><td>required over budget; 1 is the limit</td></tr>
 *   <tr><td>{@code reporadar.db.pool.cap}</td><td>this instance's pool maximum in force</td></tr>
 *   <tr><td>{@code reporadar.db.instances.live}</td><td>live instances (adaptive budget), else INSTANCE_COUNT</td></tr>
 *   <tr><td>{@code reporadar.db.connections.used}</td><td>server connections by {@code owner}: self, siblings, others</td></tr>
 *   <tr><td>{@code reporadar.db.connections.refused}</td><td>connections not had, by {@code reason}</td></tr>
 * </table>
 *
 * <p>The meters hold the pool weakly. Thread-safe.
 */
public final class PoolBudgetMetrics implements MeterBinder {

    private static final String CONNECTIONS = "connections";

    private final GuardedPool pool;
    private final Tags tags;

    public PoolBudgetMetrics(GuardedPool pool) {
        this.pool = pool;
        this.tags = Tags.of("pool", pool.settings().applicationName(), "service", pool.settings().service());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "reporadar.db.budget", CONNECTIONS, "Connections the service's pools may use, from the last live check",
                p -> p.lastBudget().available());
        gauge(registry, "reporadar.db.budget.required", CONNECTIONS, "Connections the deployment needs at its peak",
                p -> p.lastBudget().required());
        gauge(registry, "reporadar.db.headroom.ratio", null, "Connections needed over connections available; 1 is the limit",
                p -> p.headroom().ratio());
        gauge(registry, "reporadar.db.pool.cap", CONNECTIONS, "This instance's pool maximum in force", GuardedPool::currentMax);
        gauge(registry, "reporadar.db.instances.live", null, "Live instances of the service",
                p -> p.liveInstances() > 0 ? p.liveInstances() : p.settings().instances());
        used(registry, "self", (p, server) -> server.serviceUse().getOrDefault(p.settings().applicationName(), 0));
        used(registry, "siblings", (p, server) -> server.serviceUsed()
                - server.serviceUse().getOrDefault(p.settings().applicationName(), 0));
        used(registry, "others", (p, server) -> Math.max(0, server.clients() - server.serviceUsed()));
        for (ConnectionRefusal reason : ConnectionRefusal.values()) {
            FunctionCounter.builder("reporadar.db.connections.refused", pool, p -> p.refusals(reason))
                    .description("Connections that could not be had: refused by the server or the pool exhausted")
                    .tags(tags).tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
    }

    /** {@code baseUnit} null where the name says what it counts, so that Prometheus does not say it twice. */
    private void gauge(MeterRegistry registry, String name, @Nullable String baseUnit, String description, ToDoubleFunction<GuardedPool> value) {
        Gauge.builder(name, pool, value).description(description).baseUnit(baseUnit).tags(tags).register(registry);
    }

    private interface Usage {
        int of(GuardedPool pool, ServerBudget server);
    }

    private void used(MeterRegistry registry, String owner, Usage usage) {
        Gauge.builder("reporadar.db.connections.used", pool, p -> {
            ServerBudget server = p.lastServerBudget();
            return server == null ? Double.NaN : usage.of(p, server);
        }).description("Server connections by owner: this instance, its sibling instances, other clients")
                .tags(tags).tag("owner", owner).register(registry);
    }
}
