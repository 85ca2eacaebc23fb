package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ServerCapacityIT {

    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.privateServer(
            Map.of("max_connections", "20", "superuser_reserved_connections", "2"));

    @Test
    void readsWhatTheServerReallyAdmitsForOrdinaryRoles() throws SQLException {
        try (Connection c = pg.database().connect()) {
            ServerCapacity capacity = ServerCapacity.read(c);

            assertThat(capacity.maxConnections()).isEqualTo(20);
            assertThat(capacity.superuserReserved()).isEqualTo(2);
            assertThat(capacity.availableToOrdinaryRoles()).isEqualTo(18 - capacity.reserved());
            assertThat(capacity.toString()).startsWith("max_connections 20 - superuser_reserved_connections 2 - reserved_connections ");
        }
    }
}
