package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.PostgresExtension;
import io.reporadar.testing.ReadmeExamples;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

class ReadmeExampleIT {

    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.freshDatabase();

    @Test
    void theReadmeShowsTheExampleBelowAndItRuns() throws SQLException {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/pooling/ReadmeExampleIT.java"));
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(pg.database().jdbcUrl());
        dataSource.setUser(pg.database().user());

        // README example begins
        try (Connection connection = dataSource.getConnection()) {
            ServerCapacity capacity = ServerCapacity.read(connection);
            int budget = capacity.availableToOrdinaryRoles();
            // "max_connections 100 - superuser_reserved_connections 3 - reserved_connections 0 = 97"
            System.out.println(capacity);
            // README example ends
            assertThat(budget).isPositive().isLessThan(capacity.maxConnections());
        }
    }
}
