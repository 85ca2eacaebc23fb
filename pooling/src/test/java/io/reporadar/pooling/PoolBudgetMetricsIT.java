package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reporadar.pooling.micrometer.PoolBudgetMetrics;
import io.reporadar.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PoolBudgetMetricsIT {

    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.privateServer(Map.of("max_connections", "20"));

    @Test
    @SuppressWarnings("try") // the connections are held, not used: they are the usage the meters must show
    void exposesTheBudgetUsageByOwnerAndRefusalsByReasonBesideHikariCpsOwnMeters() throws SQLException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PoolSettings settings = PoolSettings.builder().url(pg.database().url()).identity("reporadar", "reporadar-1")
                .pool(2, 2).instances(3, 0).reserved(2).assumedMaxConnections(20)
                .timeouts(Duration.ofMillis(250), PoolSettings.DEFAULT_IDLE_TIMEOUT)
                .hikariMetrics(new MicrometerMetricsTrackerFactory(registry)).build();
        try (GuardedPool pool = GuardedPool.open(settings); Connection sibling = connectAs("reporadar/reporadar-2");
                Connection other = connectAs("psql")) {
            new PoolBudgetMetrics(pool).bindTo(registry);
            try (Connection a = pool.dataSource().getConnection(); Connection b = pool.dataSource().getConnection()) {
                assertThatThrownBy(() -> pool.dataSource().getConnection()).isInstanceOf(ConnectionRefusedException.class);
                pool.checkNow();
            }

            // The superuser's view: 17 for ordinary roles would be 20 - 3; this role is a superuser and gets all 20.
            assertThat(gauge(registry, "reporadar.db.budget")).isEqualTo(pool.lastBudget().available());
            assertThat(gauge(registry, "reporadar.db.budget.required")).isEqualTo(6);
            assertThat(gauge(registry, "reporadar.db.pool.cap")).isEqualTo(2);
            assertThat(gauge(registry, "reporadar.db.instances.live")).isEqualTo(3);
            assertThat(registry.get("reporadar.db.connections.used").tag("owner", "self").gauge().value()).isEqualTo(2);
            assertThat(registry.get("reporadar.db.connections.used").tag("owner", "siblings").gauge().value()).isEqualTo(1);
            assertThat(registry.get("reporadar.db.connections.used").tag("owner", "others").gauge().value()).isGreaterThanOrEqualTo(1);
            assertThat(registry.get("reporadar.db.connections.refused").tag("reason", "pool_exhausted").functionCounter().count())
                    .isEqualTo(1);
            assertThat(registry.get("reporadar.db.connections.refused").tag("reason", "role_limit").functionCounter().count())
                    .isZero();
            assertThat(registry.get("reporadar.db.budget").gauge().getId().getTag("pool")).isEqualTo("reporadar/reporadar-1");
            assertThat(registry.get("reporadar.db.budget").gauge().getId().getTag("service")).isEqualTo("reporadar");
            assertThat(registry.get("hikaricp.connections.max").tag("pool", "reporadar/reporadar-1").gauge().value()).isEqualTo(2);
            assertThat(registry.get("hikaricp.connections.timeout").tag("pool", "reporadar/reporadar-1").counter().count())
                    .as("the exhausted pool's timeout, counted by HikariCP too").isEqualTo(1);

            PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new PoolBudgetMetrics(pool).bindTo(prometheus);
            assertThat(prometheus.scrape()).as("each unit said once, and only where the name does not say it")
                    .contains("\nreporadar_db_budget_connections{", "\nreporadar_db_budget_required_connections{", "\nreporadar_db_headroom_ratio{",
                            "\nreporadar_db_pool_cap_connections{", "\nreporadar_db_instances_live{", "\nreporadar_db_connections_used{",
                            "\nreporadar_db_connections_refused_total{")
                    .doesNotContain("connections_connections", "live_connections", "ratio_connections");
        }
    }

    private static double gauge(SimpleMeterRegistry registry, String name) {
        return registry.get(name).gauge().value();
    }

    private static Connection connectAs(String applicationName) throws SQLException {
        java.util.Properties properties = pg.database().connectionProperties();
        properties.setProperty("ApplicationName", applicationName);
        return java.sql.DriverManager.getConnection(pg.database().jdbcUrl(), properties);
    }
}
