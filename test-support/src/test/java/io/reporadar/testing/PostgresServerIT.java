package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresServerIT {

    private static PostgresServer pg;

    @BeforeAll
    static void startPrivateServer() {
        pg = PostgresServer.start(Map.of("max_connections", "20"));
    }

    @AfterAll
    static void stopPrivateServer() {
        if (pg == null) {
            return;
        }
        Path dir = pg.directory();
        pg.close();
        if (dir != null) {
            assertThat(Processes.runningIn(dir)).as("postgres processes left behind").isEmpty();
            assertThat(dir).doesNotExist();
        }
    }

    @Test
    void runsWithTheChosenSettings() throws SQLException {
        assertThat(Processes.expectedSource(pg.source())).as("source %s", pg.source()).isTrue();
        try (PostgresDatabase db = pg.createDatabase(); Connection c = db.connect()) {
            assertThat(query(c, "SHOW max_connections")).isEqualTo("20");
            assertThat(query(c, "SELECT current_database()")).isEqualTo(db.name());
        }
    }

    @Test
    void closingADatabaseDropsIt() throws SQLException {
        PostgresDatabase db = pg.createDatabase();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id int)");
        }
        db.close();
        assertThatThrownBy(db::connect).isInstanceOf(SQLException.class).hasMessageContaining("does not exist");
    }

    @Test
    void everyDatabaseIsFresh() throws SQLException {
        try (PostgresDatabase a = pg.createDatabase(); PostgresDatabase b = pg.createDatabase()) {
            assertThat(a.name()).isNotEqualTo(b.name()).startsWith("rr_test_");
            assertThat(a.url()).isEqualTo("postgresql://postgres@127.0.0.1:" + pg.port() + "/" + a.name());
        }
    }

    @Test
    void aKilledServerRefusesConnectionsAndRestartsWithItsData() throws SQLException {
        try (PostgresDatabase db = pg.createDatabase()) {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE survivors (name text)");
                s.execute("INSERT INTO survivors VALUES ('row')");
                s.execute("CHECKPOINT");
            }
            pg.kill();
            assertThat(pg.isRunning()).isFalse();
            assertThatThrownBy(db::connect).isInstanceOf(SQLException.class);

            pg.restart();

            try (Connection c = db.connect()) {
                assertThat(query(c, "SELECT name FROM survivors")).isEqualTo("row");
            }
        }
    }

    @Test
    void aPrivateServerRunsAsAnUnprivilegedUserEvenWhenTestsRunAsRoot() throws SQLException {
        try (Connection c = pg.connect("postgres")) {
            // The server would refuse to start as root; reaching it at all proves the drop worked.
            assertThat(query(c, "SELECT 1")).isEqualTo("1");
        }
    }

    static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
