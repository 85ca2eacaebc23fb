package io.reporadar.demo;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The demo's tables: each user's watchlist, and the jobs they enqueued with the runs of each (which instance ran
 * which attempt, when).
 */
final class Schema {

    /** Serialises the migrations of instances starting together ({@code IF NOT EXISTS} alone races in PostgreSQL). */
    private static final long MIGRATION_LOCK = 0x5265706f52616461L; // "RepoRada"

    private static final String[] TABLES = {
        "CREATE TABLE IF NOT EXISTS watchlist ("
                + " username text NOT NULL, repo text NOT NULL, added_at timestamptz NOT NULL DEFAULT now(),"
                + " PRIMARY KEY (username, repo))",
        "CREATE TABLE IF NOT EXISTS jobs ("
                + " job_id text PRIMARY KEY, username text NOT NULL, type text NOT NULL, format text,"
                + " created_at timestamptz NOT NULL DEFAULT clock_timestamp())",
        "CREATE INDEX IF NOT EXISTS jobs_by_user ON jobs (username, created_at DESC)",
        "CREATE TABLE IF NOT EXISTS job_runs ("
                + " id bigserial PRIMARY KEY, job_id text NOT NULL, attempt int NOT NULL, instance_id text NOT NULL,"
                + " started_at timestamptz NOT NULL DEFAULT clock_timestamp(), ended_at timestamptz, ended text)",
        "CREATE INDEX IF NOT EXISTS job_runs_by_job ON job_runs (job_id, id)",
    };

    private Schema() {
    }

    /** Creates the tables that do not exist yet; safe for several instances starting at once. */
    static void migrate(DataSource database) throws SQLException {
        try (Connection connection = database.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
                for (String table : TABLES) {
                    statement.execute(table);
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }
}
