package io.reporadar.pooling;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The adaptive budget: the service's instances register in a PostgreSQL table and share the pool budget
 * between those alive.
 *
 * <p>Every heartbeat runs one transaction under an advisory lock per service: it forgets instances silent
 * for {@link #livenessTimeout()}, then sets this instance's cap to its fair share,
 * {@code floor(budget / live instances)} within {@code [DB_POOL_MIN, DB_POOL_MAX]}, but never more than the
 * budget minus the caps the others hold. So the caps never add up to more than the budget, even while
 * instances start at once: a newcomer takes what is free, and the others release their surplus at their next
 * heartbeat, after which it grows. Not thread-safe: one heartbeat at a time per instance.
 */
final class InstanceRegistry {

    static final String TABLE = "reporadar_pool_instances";
    /** Silent for this many heartbeats, an instance is considered gone. */
    static final int MISSED_HEARTBEATS = 3;

    private static final String CREATE = "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
            + " service text NOT NULL, instance_id text NOT NULL, cap int NOT NULL,"
            + " heartbeat_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (service, instance_id))";

    private final PoolSettings settings;
    private final Duration heartbeat;
    private boolean tableReady;

    InstanceRegistry(PoolSettings settings, Duration heartbeat) {
        this.settings = settings;
        this.heartbeat = heartbeat;
    }

    /** The time between heartbeats ({@code DB_POOL_HEARTBEAT}). */
    Duration heartbeatInterval() {
        return heartbeat;
    }

    Duration livenessTimeout() {
        return heartbeat.multipliedBy(MISSED_HEARTBEATS);
    }

    /** The outcome of one heartbeat. */
    static final class Share {
        final int cap;
        final int liveInstances;

        Share(int cap, int liveInstances) {
            this.cap = cap;
            this.liveInstances = liveInstances;
        }
    }

    /**
     * Records a heartbeat and returns this instance's cap.
     *
     * @param poolBudget the connections the service's pools may hold in all
     */
    Share heartbeat(Connection connection, int poolBudget) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            if (!tableReady) {
                ensureTable(connection);
                tableReady = true;
            }
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, TABLE + ":" + settings.service());
                lock.execute();
            }
            try (PreparedStatement expire = connection.prepareStatement("DELETE FROM " + TABLE
                    + " WHERE service = ? AND instance_id <> ? AND heartbeat_at < now() - make_interval(secs => ?)")) {
                expire.setString(1, settings.service());
                expire.setString(2, settings.instanceId());
                expire.setDouble(3, livenessTimeout().toMillis() / 1000.0);
                expire.executeUpdate();
            }
            int others = 0;
            int othersCaps = 0;
            try (PreparedStatement select = connection.prepareStatement("SELECT count(*), COALESCE(sum(cap), 0) FROM " + TABLE
                    + " WHERE service = ? AND instance_id <> ?")) {
                select.setString(1, settings.service());
                select.setString(2, settings.instanceId());
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    others = rs.getInt(1);
                    othersCaps = rs.getInt(2);
                }
            }
            int live = others + 1;
            int fair = Math.max(settings.min(), Math.min(settings.max(), poolBudget / live));
            int cap = Math.max(0, Math.min(fair, poolBudget - othersCaps));
            try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + TABLE
                    + " (service, instance_id, cap, heartbeat_at) VALUES (?, ?, ?, now())"
                    + " ON CONFLICT (service, instance_id) DO UPDATE SET cap = EXCLUDED.cap, heartbeat_at = now()")) {
                upsert.setString(1, settings.service());
                upsert.setString(2, settings.instanceId());
                upsert.setInt(3, cap);
                upsert.executeUpdate();
            }
            connection.commit();
            return new Share(cap, live);
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Removes this instance, releasing its cap to the others. */
    void leave(Connection connection) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + TABLE + " WHERE service = ? AND instance_id = ?")) {
            delete.setString(1, settings.service());
            delete.setString(2, settings.instanceId());
            delete.executeUpdate();
        }
    }

    private static void ensureTable(Connection connection) throws SQLException {
        // Concurrent CREATE TABLE IF NOT EXISTS can still collide on the catalog; serialize it.
        try (Statement s = connection.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(hashtext('" + TABLE + "'))");
            s.execute(CREATE);
        }
    }
}
