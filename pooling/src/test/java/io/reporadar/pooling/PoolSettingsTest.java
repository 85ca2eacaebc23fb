package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolSettingsTest {

    private static final String URL = "postgresql://app:hunter2@db:5432/reporadar?sslmode=require";

    @Test
    void defaultsFollowTheDeploymentGuide() {
        PoolSettings settings = PoolSettings.fromEnvironment(Map.of("DATABASE_URL", URL, "INSTANCE_ID", "reporadar-1"));

        assertThat(settings.min()).isEqualTo(2);
        assertThat(settings.max()).isEqualTo(10);
        assertThat(settings.instances()).isEqualTo(1);
        assertThat(settings.surge()).isZero();
        assertThat(settings.reserved()).isEqualTo(3);
        assertThat(settings.assumedMaxConnections()).isEqualTo(100);
        assertThat(settings.policy()).isEqualTo(BudgetPolicy.FAIL_FAST);
        assertThat(settings.connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.applicationName()).isEqualTo("reporadar/reporadar-1");
    }

    @Test
    void readsEveryVariable() {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", URL);
        env.put("DB_POOL_MIN", "1");
        env.put("DB_POOL_MAX", "8");
        env.put("INSTANCE_COUNT", "3");
        env.put("INSTANCE_SURGE", "1");
        env.put("DB_OTHER_POOLS", "4");
        env.put("DB_RESERVED_CONNECTIONS", "5");
        env.put("DB_MAX_CONNECTIONS", "200");
        env.put("DB_POOL_POLICY", "warn-and-shrink");
        env.put("DB_POOL_CONNECTION_TIMEOUT", "2500");
        env.put("DB_POOL_IDLE_TIMEOUT", "60000");
        env.put("SERVICE_NAME", "radar");
        env.put("INSTANCE_ID", "r-2");

        PoolSettings s = PoolSettings.fromEnvironment(env);

        assertThat(s).hasToString("PoolSettings[radar/r-2, postgresql://app:****@db:5432/reporadar?sslmode=require, DB_POOL_MIN=1,"
                + " DB_POOL_MAX=8, INSTANCE_COUNT=3, INSTANCE_SURGE=1, DB_OTHER_POOLS=4, DB_RESERVED_CONNECTIONS=5,"
                + " DB_MAX_CONNECTIONS=200, DB_POOL_POLICY=WARN_AND_SHRINK]");
        assertThat(s.connectionTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(s.idleTimeout()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void reportsEveryProblemAtOnceNamingEachVariable() {
        Map<String, String> env = new HashMap<>();
        env.put("DB_POOL_MIN", "ten");
        env.put("DB_POOL_MAX", "0");
        env.put("INSTANCE_COUNT", "-1");
        env.put("DB_POOL_POLICY", "yolo");

        assertThatThrownBy(() -> PoolSettings.fromEnvironment(env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid pool configuration:"
                        + " DATABASE_URL: missing (expected: postgresql://user:password@host:port/database);"
                        + " DB_POOL_MIN: ten (expected: a whole number);"
                        + " DB_POOL_POLICY: yolo (expected: fail-fast or warn-and-shrink);"
                        + " DB_POOL_MAX: 0 (expected: >= 1);"
                        + " INSTANCE_COUNT: -1 (expected: >= 1)");
    }

    @Test
    void durationsTakeAUnitOrIso8601() {
        PoolSettings settings = PoolSettings.fromEnvironment(Map.of("DATABASE_URL", URL,
                "DB_POOL_CONNECTION_TIMEOUT", "5s", "DB_POOL_IDLE_TIMEOUT", "PT5M",
                "DB_POOL_ADAPTIVE", "true", "DB_POOL_HEARTBEAT", "1.5s"));

        assertThat(settings.connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.heartbeat()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void anIso8601DurationIsRead() {
        PoolSettings settings = PoolSettings.fromEnvironment(Map.of("DATABASE_URL", URL, "DB_POOL_CONNECTION_TIMEOUT", "PT5S"));

        assertThat(settings.connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aBareNumberIsStillMilliseconds() {
        PoolSettings settings = PoolSettings.fromEnvironment(Map.of("DATABASE_URL", URL,
                "DB_POOL_CONNECTION_TIMEOUT", "5000", "DB_POOL_IDLE_TIMEOUT", " 45000 ", "DB_POOL_ADAPTIVE", "true",
                "DB_POOL_HEARTBEAT", "250"));

        assertThat(settings.connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.idleTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(settings.heartbeat()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void aBadDurationIsReportedNamingItsVariableWithTheOtherProblems() {
        assertThatThrownBy(() -> PoolSettings.fromEnvironment(Map.of("DATABASE_URL", URL,
                "DB_POOL_CONNECTION_TIMEOUT", "5 seconds", "DB_POOL_MAX", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid pool configuration:"
                        + " DB_POOL_CONNECTION_TIMEOUT: '5 seconds' is not a duration (expected: a number with its unit,"
                        + " such as 250ms, 30s, 5m or 1h; a bare number is milliseconds);"
                        + " DB_POOL_MAX: 0 (expected: >= 1)");
    }

    @Test
    void durationsOutOfRangeAreShownAsTheVariablesSpellThem() {
        assertThatThrownBy(() -> PoolSettings.fromEnvironment(Map.of("DATABASE_URL", URL,
                "DB_POOL_CONNECTION_TIMEOUT", "100", "DB_POOL_IDLE_TIMEOUT", "5s", "DB_POOL_ADAPTIVE", "true",
                "DB_POOL_HEARTBEAT", "50ms")))
                .hasMessage("invalid pool configuration:"
                        + " DB_POOL_CONNECTION_TIMEOUT: 100ms (expected: >= 250ms);"
                        + " DB_POOL_HEARTBEAT: 50ms (expected: >= 100ms);"
                        + " DB_POOL_IDLE_TIMEOUT: 5s (expected: >= 10s)");
    }

    @Test
    void minAboveMaxIsAnErrorNotSilentlyClamped() {
        assertThatThrownBy(() -> PoolSettings.fromEnvironment(Map.of("DATABASE_URL", URL, "DB_POOL_MIN", "12", "DB_POOL_MAX", "10")))
                .hasMessage("invalid pool configuration: DB_POOL_MIN: 12 (expected: <= DB_POOL_MAX, which is 10)");
    }

    @Test
    void aBadUrlIsReportedWithoutItsPassword() {
        assertThatThrownBy(() -> PoolSettings.fromEnvironment(Map.of("DATABASE_URL", "postgresql://app:hunter2%@db/x")))
                .hasMessage("invalid pool configuration: DATABASE_URL: invalid percent-encoding in the password at position 25"
                        + " (expected: % followed by two hex digits)")
                .message().doesNotContain("hunter2");
    }

    @Test
    void anApplicationNamePostgresWouldTruncateIsRejected() {
        String longId = "i".repeat(60);
        assertThatThrownBy(() -> PoolSettings.fromEnvironment(Map.of("DATABASE_URL", URL, "INSTANCE_ID", longId)))
                .hasMessageContaining("SERVICE_NAME/INSTANCE_ID: reporadar/" + longId
                        + " (expected: at most 63 printable ASCII characters without spaces");
    }

    @Test
    void theHikariConfigCarriesCredentialsOutsideTheUrlAndNamesTheInstance() {
        PoolSettings settings = PoolSettings.fromEnvironment(Map.of("DATABASE_URL", URL, "INSTANCE_ID", "reporadar-1",
                "DB_POOL_MIN", "3", "DB_POOL_MAX", "7"));

        HikariConfig config = settings.toHikariConfig();

        assertThat(config.getJdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/reporadar").doesNotContain("hunter2");
        assertThat(config.getUsername()).isEqualTo("app");
        assertThat(config.getPassword()).isEqualTo("hunter2");
        assertThat(config.getDataSourceProperties()).containsEntry("ApplicationName", "reporadar/reporadar-1")
                .containsEntry("sslmode", "require").containsEntry("tcpKeepAlive", "true")
                .doesNotContainKey("password");
        assertThat(config.getMinimumIdle()).isEqualTo(3);
        assertThat(config.getMaximumPoolSize()).isEqualTo(7);
        assertThat(config.getPoolName()).isEqualTo("reporadar/reporadar-1");
        assertThat(settings.toString()).doesNotContain("hunter2");
    }

    @Test
    void theHikariConfigGetsTheSslPasswordInClearWhileTheSettingsShowItMasked() {
        PoolSettings settings = PoolSettings.fromEnvironment(Map.of("DATABASE_URL",
                "postgresql://app:hunter2@db/reporadar?sslmode=verify-full&sslkey=/etc/client.pk8&sslpassword=keypass",
                "INSTANCE_ID", "reporadar-1"));

        HikariConfig config = settings.toHikariConfig();

        assertThat(config.getDataSourceProperties()).containsEntry("sslpassword", "keypass")
                .containsEntry("sslkey", "/etc/client.pk8").doesNotContainKeys("user", "password");
        assertThat(config.getPassword()).isEqualTo("hunter2");
        assertThat(settings.url().parameters()).containsEntry("sslpassword", "****");
        assertThat(settings.toString()).doesNotContain("keypass").doesNotContain("hunter2");
    }

    @Test
    void theUrlsApplicationNameBecomesTheServiceName() {
        PoolSettings settings = PoolSettings.fromEnvironment(Map.of(
                "DATABASE_URL", "postgresql://db/x?application_name=radar", "INSTANCE_ID", "one"));
        assertThat(settings.applicationName()).isEqualTo("radar/one");
    }
}
