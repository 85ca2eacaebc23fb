package io.reporadar.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * What the demo keeps about jobs in PostgreSQL, beside the queue: who enqueued each (only its owner sees or
 * cancels it), and every run of it (which instance ran which attempt, from when to when, and how it ended), so a
 * user can see where a job ran and an operator can check that no job ever ran twice at once.
 *
 * <p>Thread-safe.
 */
final class JobRecords {

    /** One run of a job on an instance; {@code endedAt} and {@code ended} are null while it runs (or if it was killed). */
    record Run(int attempt, String instanceId, Instant startedAt, @Nullable Instant endedAt, @Nullable String ended) {
    }

    /** A job as the demo recorded it at enqueue: its owner, type and (for exports) format. */
    record Owned(String jobId, String username, String type, @Nullable String format) {
    }

    private final DataSource database;
    private final Duration retention;

    JobRecords(DataSource database, Duration retention) {
        this.database = database;
        this.retention = retention;
    }

    /** Records that {@code username} enqueued {@code jobId}, before it is enqueued. */
    void created(Owned job) throws SQLException {
        try (Connection connection = database.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO jobs (job_id, username, type, format) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, job.jobId());
            insert.setString(2, job.username());
            insert.setString(3, job.type());
            insert.setString(4, job.format());
            insert.executeUpdate();
        }
    }

    /** The job {@code jobId} when {@code username} enqueued it; empty for another user's job or an unknown id. */
    Optional<Owned> owned(String username, String jobId) throws SQLException {
        try (Connection connection = database.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT type, format FROM jobs WHERE job_id = ? AND username = ?")) {
            select.setString(1, jobId);
            select.setString(2, username);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(new Owned(jobId, username, rows.getString(1), rows.getString(2))) : Optional.empty();
            }
        }
    }

    /**
     * The ids of {@code username}'s jobs enqueued within the queue's retention, newest first, at most {@code limit};
     * older records are deleted on the way (the queue no longer holds those jobs).
     */
    List<String> recent(String username, int limit) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection connection = database.getConnection()) {
            // Runs go with their jobs (a CTE: one statement, one snapshot).
            try (PreparedStatement delete = connection.prepareStatement("WITH gone AS (DELETE FROM jobs WHERE username = ?"
                    + " AND created_at < clock_timestamp() - ? * interval '1 millisecond' RETURNING job_id)"
                    + " DELETE FROM job_runs WHERE job_id IN (SELECT job_id FROM gone)")) {
                delete.setString(1, username);
                delete.setLong(2, retention.toMillis());
                delete.executeUpdate();
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT job_id FROM jobs WHERE username = ? ORDER BY created_at DESC, job_id LIMIT ?")) {
                select.setString(1, username);
                select.setInt(2, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                }
            }
        }
        return ids;
    }

    /** Records that this instance started {@code attempt} of {@code jobId}; the run's id, for {@link #ended}. */
    long started(String jobId, int attempt, String instanceId) throws SQLException {
        return uninterrupted(() -> {
            try (Connection connection = database.getConnection();
                 PreparedStatement insert = connection.prepareStatement(
                         "INSERT INTO job_runs (job_id, attempt, instance_id) VALUES (?, ?, ?) RETURNING id")) {
                insert.setString(1, jobId);
                insert.setInt(2, attempt);
                insert.setString(3, instanceId);
                try (ResultSet rows = insert.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    /** Records how run {@code runId} ended: returned, cancelled, interrupted or failed. */
    void ended(long runId, String how) throws SQLException {
        uninterrupted(() -> {
            try (Connection connection = database.getConnection();
                 PreparedStatement update = connection.prepareStatement(
                         "UPDATE job_runs SET ended_at = clock_timestamp(), ended = ? WHERE id = ?")) {
                update.setString(1, how);
                update.setLong(2, runId);
                return update.executeUpdate();
            }
        });
    }

    /** Every run of {@code jobId}, first first. */
    List<Run> runs(String jobId) throws SQLException {
        List<Run> runs = new ArrayList<>();
        try (Connection connection = database.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT attempt, instance_id, started_at, ended_at, ended FROM job_runs WHERE job_id = ? ORDER BY id")) {
            select.setString(1, jobId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    Timestamp ended = rows.getTimestamp(4);
                    runs.add(new Run(rows.getInt(1), rows.getString(2), rows.getTimestamp(3).toInstant(),
                            ended == null ? null : ended.toInstant(), rows.getString(5)));
                }
            }
        }
        return runs;
    }

    private interface Sql<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code sql} with the thread's interrupt flag cleared, then sets it again: a job thread interrupted by a
     * cancel or a drain must still record its run (the pool refuses an interrupted borrower).
     */
    private static <T> T uninterrupted(Sql<T> sql) throws SQLException {
        boolean interrupted = Thread.interrupted();
        try {
            return sql.run();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
