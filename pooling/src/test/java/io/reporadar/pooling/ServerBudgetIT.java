package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The budget read from the server must equal what the server really admits: proven by opening until 53300. */
class ServerBudgetIT {

    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.privateServer(Map.of("max_connections", "20"));

    private final List<Connection> open = new ArrayList<>();

    @BeforeAll
    static void createRoles() throws SQLException {
        try (Connection admin = pg.database().connect(); Statement s = admin.createStatement()) {
            s.execute("CREATE ROLE app LOGIN");
            s.execute("CREATE ROLE limited LOGIN CONNECTION LIMIT 5");
            s.execute("CREATE DATABASE small CONNECTION LIMIT 4");
        }
    }

    @AfterEach
    void closeAll() throws SQLException {
        for (Connection c : open) {
            c.close();
        }
        open.clear();
    }

    @Test
    void theServerBudgetForAnOrdinaryRoleIsWhatTheServerAdmits() throws SQLException {
        ServerBudget budget = read("app", pg.database().name(), "reporadar/");
        assertThat(budget.maxConnections()).isEqualTo(20);
        assertThat(budget.serverAvailable()).isEqualTo(20 - budget.superuserReserved() - budget.reserved());

        RefusedAfter result = openUntilRefused("app", pg.database().name());

        assertThat(result.opened + READER).isEqualTo(budget.admissibleNow());
        assertThat(result.reason).isEqualTo(ConnectionRefusal.RESERVED_SLOTS);
    }

    @Test
    void aRoleConnectionLimitIsTheBudgetWhenItIsTighter() throws SQLException {
        ServerBudget budget = read("limited", pg.database().name(), "reporadar/");
        assertThat(budget.roleLimit()).isEqualTo(5);
        assertThat(budget.admissibleNow()).isEqualTo(5);

        RefusedAfter result = openUntilRefused("limited", pg.database().name());

        assertThat(result.opened + READER).isEqualTo(5);
        assertThat(result.reason).isEqualTo(ConnectionRefusal.ROLE_LIMIT);
    }

    @Test
    void aDatabaseConnectionLimitIsTheBudgetWhenItIsTighter() throws SQLException {
        ServerBudget budget = read("app", "small", "reporadar/");
        assertThat(budget.databaseLimit()).isEqualTo(4);
        assertThat(budget.admissibleNow()).isEqualTo(4);

        RefusedAfter result = openUntilRefused("app", "small");

        assertThat(result.opened + READER).isEqualTo(4);
        assertThat(result.reason).isEqualTo(ConnectionRefusal.DATABASE_LIMIT);
    }

    @Test
    void aFullServerRefusesEvenASuperuser() throws SQLException {
        read("app", pg.database().name(), "reporadar/"); // the earlier tests' connections are gone
        openUntilRefused("app", pg.database().name());
        RefusedAfter superusers = openUntilRefused("postgres", pg.database().name());

        assertThat(superusers.reason).isEqualTo(ConnectionRefusal.SERVER_FULL);
        assertThat(open).hasSize(20);
    }

    @Test
    void usageIsAttributedPerInstanceThroughApplicationName() throws SQLException {
        for (int instance = 1; instance <= 3; instance++) {
            for (int i = 0; i < instance; i++) {
                open.add(connect("app", pg.database().name(), "reporadar/reporadar-" + instance));
            }
        }
        open.add(connect("app", pg.database().name(), "psql"));

        ServerBudget budget = read("app", pg.database().name(), "reporadar/");

        assertThat(budget.serviceUse()).containsExactly(
                Map.entry("reporadar/reporadar-1", 1), Map.entry("reporadar/reporadar-2", 2), Map.entry("reporadar/reporadar-3", 3));
        assertThat(budget.serviceUsed()).isEqualTo(6);
        assertThat(budget.clients()).isEqualTo(7);
        assertThat(budget.roleUsed()).isEqualTo(7);
    }

    /** The connection {@link #read} leaves open: the budget counts its slot as free, the fillers cannot have it. */
    private static final int READER = 1;

    /**
     * The budget as a connection of {@code user} to {@code database} reads it, once the backends of connections
     * closed before (by an earlier test) have exited, which PostgreSQL does after the client has gone. The reader
     * stays open until the test ends: a backend still exiting after its close would take a filler's slot.
     */
    private ServerBudget read(String user, String database, String prefix) throws SQLException {
        Connection reader = connect(user, database, "budget-reader");
        open.add(reader);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            ServerBudget budget = ServerBudget.read(reader, prefix);
            if (budget.clients() == open.size() - READER || System.nanoTime() > deadline) {
                return budget;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private RefusedAfter openUntilRefused(String user, String database) {
        int opened = 0;
        while (opened < 100) {
            try {
                open.add(connect(user, database, "filler"));
                opened++;
            } catch (SQLException e) {
                return new RefusedAfter(opened, ConnectionRefusal.classify(e).orElseThrow(() -> new AssertionError("not a refusal", e)));
            }
        }
        throw new AssertionError("the server never refused");
    }

    private static Connection connect(String user, String database, String applicationName) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(pg.server().jdbcUrl(database), properties);
    }

    private static final class RefusedAfter {
        final int opened;
        final ConnectionRefusal reason;

        RefusedAfter(int opened, ConnectionRefusal reason) {
            this.opened = opened;
            this.reason = reason;
        }
    }
}
