package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
    void exposesTheBudgetUsageByOwnerAndRefusalsByReason() throws SQLException {
        PoolSettings settings = PoolSettings.builder().url(pg.database().url()).identity("reporadar", "reporadar-1")
                .pool(2, 2).instances(3, 0).reserved(2).assumedMaxConnections(20)
                .timeouts(Duration.ofMillis(250), PoolSettings.DEFAULT_IDLE_TIMEOUT).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
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
