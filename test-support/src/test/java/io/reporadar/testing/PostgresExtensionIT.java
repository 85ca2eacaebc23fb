package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresExtensionIT {

    @Nested
    @ExtendWith(PostgresExtension.class)
    class FreshDatabaseOnTheSharedServer {

        @Test
        void isInjectedAndEmpty(PostgresDatabase db) throws SQLException {
            assertThat(db.server()).isSameAs(PostgresServer.shared());
            try (Connection c = db.connect()) {
                assertThat(PostgresServerIT.query(c,
                        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).isEqualTo("0");
            }
        }
    }

    @Nested
    class PrivateServerWithSettings {

        @RegisterExtension
        static final PostgresExtension pg = PostgresExtension.privateServer(Map.of("max_connections", "12"));

        @Test
        void hasItsOwnServerAndSettings() throws SQLException {
            assertThat(pg.server()).isNotSameAs(PostgresServer.shared());
            try (Connection c = pg.database().connect()) {
                assertThat(PostgresServerIT.query(c, "SHOW max_connections")).isEqualTo("12");
            }
        }
    }
}
