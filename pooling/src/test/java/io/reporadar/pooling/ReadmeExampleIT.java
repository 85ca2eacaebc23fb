package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.PostgresExtension;
import io.reporadar.testing.ReadmeExamples;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReadmeExampleIT {

    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.freshDatabase();

    @Test
    @SuppressWarnings("try") // the README's connection is left for the reader to use ("// use it")
    void theReadmeShowsTheExampleBelowAndItRuns() throws SQLException {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/pooling/ReadmeExampleIT.java"));
        Map<String, String> env = Map.of("DATABASE_URL", pg.database().url(), "INSTANCE_COUNT", "3", "INSTANCE_ID", "reporadar-1");

        // README example begins
        PoolSettings settings = PoolSettings.fromEnvironment(env);   // DATABASE_URL, DB_POOL_MIN/MAX, INSTANCE_COUNT ...
        try (GuardedPool pool = GuardedPool.open(settings)) {          // refuses to open when the pools would not fit
            try (Connection connection = pool.dataSource().getConnection()) {
                // use it
            }
            // (INSTANCE_COUNT 3 + INSTANCE_SURGE 0) x DB_POOL_MAX 10 + DB_OTHER_POOLS 0 = 30 needed, within
            // max_connections 100 - superuser_reserved_connections 3 - ... = 94 available
            System.out.println(pool.lastBudget().arithmetic());
            // README example ends
            assertThat(pool.lastBudget().fits()).isTrue();
            assertThat(pool.lastBudget().required()).isEqualTo(30);
        }
    }
}
