package io.reporadar.health;

import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Built-in checks that do not lie: each bounds its own wait, and each tells a degraded dependency from a
 * dead one.
 *
 * <p>The Redis check needs Lettuce and the pool awareness of the PostgreSQL check needs HikariCP; both are
 * optional dependencies, loaded only by the checks that use them. Thread-safe (stateless factories).
 */
public final class Checks {

    /** A replica at most this far behind counts in the redis check's {@code replicasStreaming}. */
    public static final long STREAMING_LAG_SECONDS = 2;

    private Checks() {
    }

    /**
     * PostgreSQL through a {@link DataSource}: borrows a connection and validates it within {@code timeout}.
     * With HikariCP, a saturated pool (every connection busy and callers waiting) is WARN with reason
     * {@code pool-saturated}, not DOWN: the database answers, the instance is merely busy, and borrowing a
     * connection to prove it would only add to the queue.
     */
    public static HealthCheck postgres(DataSource dataSource, Duration timeout) {
        int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
        return () -> {
            Result saturated = HikariSupport.AVAILABLE ? HikariSupport.saturation(dataSource) : null;
            if (saturated != null) {
                return saturated;
            }
            long started = System.nanoTime();
            try (Connection connection = dataSource.getConnection()) {
                if (!connection.isValid(seconds)) {
                    return Result.down("invalid-connection");
                }
                Result up = Result.up().withDetail("latencyMs", (System.nanoTime() - started) / 1_000_000);
                return HikariSupport.AVAILABLE ? HikariSupport.withPoolDetails(dataSource, up) : up;
            } catch (SQLException e) {
                String state = e.getSQLState();
                return Result.down(state != null && state.startsWith("08") ? "unreachable" : "refused")
                        .withDetail("sqlState", state == null ? "unknown" : state);
            }
        };
    }

    /**
     * Redis through a Lettuce connection: {@code INFO replication} with its own timeout (Lettuce's synchronous
     * timeout is not relied on), failing at once while the connection is not open instead of queueing behind a
     * reconnect. The details show the replication state: {@code role}, and for a master its online
     * {@code replicas} with each one's state and lag and {@code replicasStreaming} (how many are online and at most
     * {@value #STREAMING_LAG_SECONDS} s behind), for a replica its {@code masterLink}.
     */
    public static HealthCheck redis(StatefulRedisConnection<?, ?> connection, Duration timeout) {
        return redis(() -> connection, timeout);
    }

    /** As {@link #redis(StatefulRedisConnection, Duration)}, on whatever connection {@code connection} gives now (it may change on failover). */
    public static HealthCheck redis(Supplier<? extends StatefulRedisConnection<?, ?>> connection, Duration timeout) {
        return () -> {
            StatefulRedisConnection<?, ?> current = connection.get();
            if (!current.isOpen()) {
                return Result.down("disconnected");
            }
            long started = System.nanoTime();
            try {
                String info = current.async().info("replication").get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return withReplication(Result.up(), info).withDetail("latencyMs", (System.nanoTime() - started) / 1_000_000);
            } catch (TimeoutException e) {
                return Result.down("timeout").withDetail("timeoutMs", timeout.toMillis());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                return Result.down("error").withDetail("error", (cause != null ? cause : e).getClass().getName());
            }
        };
    }

    /** {@code role}, and {@code replicas} ("host:port state lag=Ns") or {@code masterLink}, from an INFO replication text. */
    static Result withReplication(Result result, String info) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : info.split("\r?\n", -1)) { // empty lines have no colon: skipped
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        String role = fields.getOrDefault("role", "unknown");
        Result detailed = result.withDetail("role", role.equals("slave") ? "replica" : role);
        if (role.equals("slave")) {
            return detailed.withDetail("masterLink", fields.getOrDefault("master_link_status", "unknown"));
        }
        List<String> replicas = new ArrayList<>();
        int[] streaming = {0};
        fields.forEach((name, value) -> {
            if (name.matches("slave\\d+")) {
                Map<String, String> replica = new LinkedHashMap<>();
                for (String pair : value.split(",", -1)) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    String[] kv = pair.split("=", 2);
                    replica.put(kv[0], kv.length == 2 ? kv[1] : "");
                }
                replicas.add(replica.get("ip") + ":" + replica.get("port") + " " + replica.get("state") + " lag=" + replica.get("lag") + "s");
                if ("online".equals(replica.get("state")) && lagAtMost(replica.get("lag"), STREAMING_LAG_SECONDS)) {
                    streaming[0]++;
                }
            }
        });
        return detailed.withDetail("replicas", replicas).withDetail("replicasStreaming", streaming[0]);
    }

    private static boolean lagAtMost(@Nullable String lag, long seconds) {
        try {
            return lag != null && Long.parseLong(lag.strip()) <= seconds;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Free space on the file store holding {@code path}: DOWN below {@code downBelowBytes}, WARN below
     * {@code warnBelowBytes}. A process-internal check.
     */
    public static HealthCheck diskSpace(Path path, long warnBelowBytes, long downBelowBytes) {
        if (downBelowBytes > warnBelowBytes) {
            throw new IllegalArgumentException("downBelowBytes: " + downBelowBytes + " (expected: <= warnBelowBytes, which is "
                    + warnBelowBytes + ")");
        }
        return () -> {
            FileStore store;
            try {
                store = Files.getFileStore(path);
            } catch (IOException e) {
                return Result.down("unreadable").withDetail("path", path.toString());
            }
            long free = store.getUsableSpace();
            Result result = free < downBelowBytes ? Result.down("disk-full")
                    : free < warnBelowBytes ? Result.warn("disk-low") : Result.up();
            return result.withDetail("freeBytes", free).withDetail("path", path.toString());
        };
    }

    /** HikariCP-aware parts, in a class of their own so that nothing loads HikariCP when it is absent. */
    private static final class HikariSupport {
        static final boolean AVAILABLE = present();

        private static boolean present() {
            try {
                Class.forName("com.zaxxer.hikari.HikariDataSource", false, Checks.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException e) {
                return false;
            }
        }

        /** WARN with reason {@code pool-saturated} for a saturated HikariCP pool; {@code null} when it is not (or not HikariCP). */
        static @Nullable Result saturation(DataSource dataSource) throws SQLException {
            com.zaxxer.hikari.HikariPoolMXBean pool = pool(dataSource);
            if (pool == null) {
                return null;
            }
            if (pool.getIdleConnections() == 0 && pool.getThreadsAwaitingConnection() > 0) {
                return Result.warn("pool-saturated").withDetail("active", pool.getActiveConnections())
                        .withDetail("waiting", pool.getThreadsAwaitingConnection());
            }
            return null;
        }

        static Result withPoolDetails(DataSource dataSource, Result result) throws SQLException {
            com.zaxxer.hikari.HikariPoolMXBean pool = pool(dataSource);
            return pool == null ? result : result.withDetail("active", pool.getActiveConnections())
                    .withDetail("idle", pool.getIdleConnections()).withDetail("waiting", pool.getThreadsAwaitingConnection());
        }

        /** The HikariCP pool behind {@code dataSource}; {@code null} when it is not HikariCP or its pool has not started. */
        private static com.zaxxer.hikari.@Nullable HikariPoolMXBean pool(DataSource dataSource) throws SQLException {
            if (!dataSource.isWrapperFor(com.zaxxer.hikari.HikariDataSource.class)) {
                return null;
            }
            return dataSource.unwrap(com.zaxxer.hikari.HikariDataSource.class).getHikariPoolMXBean();
        }
    }
}
