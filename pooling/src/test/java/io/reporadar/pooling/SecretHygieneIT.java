package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reporadar.testing.PostgresExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The password never appears in a log line, an exception or a toString, whatever happens. */
class SecretHygieneIT {

    private static final String PASSWORD = "Sup3r+Secr%t/pw";
    private static final String ENCODED = "Sup3r%2BSecr%25t%2Fpw";

    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.privateServer(Map.of("max_connections", "20"));

    @BeforeAll
    static void createRole() throws SQLException {
        try (Connection admin = pg.database().connect(); Statement s = admin.createStatement()) {
            s.execute("CREATE ROLE app LOGIN PASSWORD '" + PASSWORD + "'");
        }
    }

    @Test
    void noLogLineOrMessageShowsThePassword() throws Exception {
        String url = "postgresql://app:" + ENCODED + "@" + pg.server().host() + ":" + pg.server().port() + "/" + pg.database().name();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        StringBuilder messages = new StringBuilder();
        try {
            PoolSettings settings = PoolSettings.fromEnvironment(Map.of("DATABASE_URL", url, "INSTANCE_ID", "reporadar-1",
                    "DB_POOL_MIN", "1", "DB_POOL_MAX", "2", "DB_POOL_POLICY", "warn-and-shrink"));
            messages.append(settings).append('\n').append(settings.url()).append('\n');
            try (GuardedPool pool = GuardedPool.open(settings)) {
                pool.checkNow();
                messages.append(pool).append('\n').append(pool.lastBudget()).append('\n').append(pool.headroom()).append('\n');
            }
            PoolSettings tooBig = settings.toBuilder().pool(1, 500).policy(BudgetPolicy.FAIL_FAST).build();
            assertThatThrownBy(() -> GuardedPool.open(tooBig)).satisfies(e -> messages.append(e.getMessage()).append('\n'));
            PoolSettings noSuchDatabase = PoolSettings.fromEnvironment(Map.of("DATABASE_URL", url + "_gone"));
            assertThatThrownBy(() -> GuardedPool.open(noSuchDatabase)).satisfies(e -> messages.append(e).append('\n'));
            assertThatThrownBy(() -> PoolSettings.fromEnvironment(Map.of("DATABASE_URL", url + "%")))
                    .satisfies(e -> messages.append(e.getMessage()).append('\n'));
        } finally {
            System.setErr(original);
        }
        String everything = captured.toString(StandardCharsets.UTF_8) + messages;

        assertThat(everything).contains("reporadar/reporadar-1").contains("connection budget exceeded");
        assertThat(everything).doesNotContain(PASSWORD).doesNotContain(ENCODED).doesNotContain("Secr");
    }
}
