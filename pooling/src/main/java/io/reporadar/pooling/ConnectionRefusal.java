package io.reporadar.pooling;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Why a connection could not be had: the server refused it (SQLSTATE 53300, in one of its variants) or the
 * pool had none free in time. HikariCP reports both as "Connection is not available"; this tells them apart.
 *
 * <p>Classification goes by SQLSTATE first, then by the wording PostgreSQL 12 to 18 use for the variants
 * ({@code postinit.c}); vendor wordings that mention reserved slots count as {@link #RESERVED_SLOTS}, and
 * any other 53300 as {@link #SERVER_FULL}. Immutable and thread-safe.
 */
public enum ConnectionRefusal {
    /** "sorry, too many clients already": {@code max_connections} is reached. */
    SERVER_FULL("the server is full (max_connections reached)"),
    /** The free slots left are reserved for superusers or for {@code pg_use_reserved_connections}. */
    RESERVED_SLOTS("only reserved slots are left (superuser_reserved_connections / reserved_connections)"),
    /** The role's {@code CONNECTION LIMIT} is reached. */
    ROLE_LIMIT("the role's CONNECTION LIMIT is reached"),
    /** The database's {@code CONNECTION LIMIT} is reached. */
    DATABASE_LIMIT("the database's CONNECTION LIMIT is reached"),
    /** The server did not refuse: every pooled connection was busy until the connection timeout. */
    POOL_EXHAUSTED("every connection of this instance's pool was busy until the connection timeout");

    /** PostgreSQL's {@code too_many_connections}. */
    public static final String SQLSTATE_TOO_MANY_CONNECTIONS = "53300";

    private final String description;

    ConnectionRefusal(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** Whether the server refused, as opposed to the pool running dry. */
    public boolean refusedByServer() {
        return this != POOL_EXHAUSTED;
    }

    /**
     * Classifies a failure to get a connection, looking through HikariCP's wrapping (cause and next
     * exception); empty when it is neither a refusal nor pool exhaustion.
     */
    public static Optional<ConnectionRefusal> classify(Throwable failure) {
        // HikariCP copies the driver's SQLSTATE onto its own wrapper, whose message says nothing of the
        // variant: the deepest 53300 in the chain is the server's own words.
        SQLException deepest = null;
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof SQLException sql) {
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    if (SQLSTATE_TOO_MANY_CONNECTIONS.equals(e.getSQLState())) {
                        deepest = e;
                    }
                }
            }
        }
        if (deepest != null) {
            return Optional.of(fromMessage(deepest.getMessage()));
        }
        if (failure instanceof SQLTransientConnectionException && isTimeout(failure)) {
            return Optional.of(POOL_EXHAUSTED);
        }
        return Optional.empty();
    }

    private static boolean isTimeout(Throwable failure) {
        String message = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("connection is not available") || message.contains("timed out");
    }

    private static ConnectionRefusal fromMessage(@Nullable String message) {
        String text = String.valueOf(message).toLowerCase(Locale.ROOT);
        if (text.contains("too many connections for role")) {
            return ROLE_LIMIT;
        }
        if (text.contains("too many connections for database")) {
            return DATABASE_LIMIT;
        }
        if (text.contains("reserved")) {
            return RESERVED_SLOTS;
        }
        return SERVER_FULL;
    }
}
