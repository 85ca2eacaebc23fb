package io.reporadar.health;

import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/**
 * Built-in checks that do not lie: each bounds its own wait, and each tells a degraded dependency from a
 * dead one.
 *
 * <p>The Redis check needs Lettuce and the pool awareness of the PostgreSQL check needs HikariCP; both are
 * optional dependencies, loaded only by the checks that use them. Thread-safe (stateless factories).
 */
public final class Checks {

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
     * Redis through a Lettuce connection: PING with its own timeout (Lettuce's synchronous timeout is not
     * relied on), failing at once while the connection is not open instead of queueing behind a reconnect.
     */
    public static HealthCheck redis(StatefulRedisConnection<?, ?> connection, Duration timeout) {
        return () -> {
            if (!connection.isOpen()) {
                return Result.down("disconnected");
            }
            long started = System.nanoTime();
            try {
                String pong = connection.async().ping().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                Result result = "PONG".equals(pong) ? Result.up() : Result.down("unexpected-reply");
                return result.withDetail("latencyMs", (System.nanoTime() - started) / 1_000_000);
            } catch (TimeoutException e) {
                return Result.down("timeout").withDetail("timeoutMs", timeout.toMillis());
            } catch (ExecutionException e) {
                return Result.down("error").withDetail("error", e.getCause().getClass().getName());
            }
        };
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

        static Result saturation(DataSource dataSource) throws SQLException {
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

        private static com.zaxxer.hikari.HikariPoolMXBean pool(DataSource dataSource) throws SQLException {
            if (!dataSource.isWrapperFor(com.zaxxer.hikari.HikariDataSource.class)) {
                return null;
            }
            return dataSource.unwrap(com.zaxxer.hikari.HikariDataSource.class).getHikariPoolMXBean();
        }
    }
}
