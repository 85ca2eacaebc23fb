package io.reporadar.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A fresh database on a {@link PostgresServer}, dropped by {@link #close()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class PostgresDatabase implements AutoCloseable {

    private final PostgresServer server;
    private final String name;

    PostgresDatabase(PostgresServer server, String name) {
        this.server = server;
        this.name = name;
    }

    public PostgresServer server() {
        return server;
    }

    public String name() {
        return name;
    }

    /** A pgJDBC URL without credentials; see {@link #connectionProperties()}. */
    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    public Properties connectionProperties() {
        return server.connectionProperties();
    }

    public String user() {
        return server.user();
    }

    /** The libpq form ({@code postgresql://user@host:port/name}) that {@code DATABASE_URL} takes. */
    public String url() {
        return server.url(name);
    }

    public Connection connect() throws SQLException {
        return server.connect(name);
    }

    /** Drops the database, ending any session still connected to it. */
    @Override
    public void close() {
        if (server.isRunning()) {
            server.dropDatabase(name);
        }
    }

    @Override
    public String toString() {
        return "database " + name + " on " + server;
    }
}
