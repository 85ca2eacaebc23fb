package io.reporadar.pooling;

import java.sql.SQLTransientConnectionException;

/**
 * No connection could be had, with the reason told apart: the server refused (and in which of the ways
 * SQLSTATE 53300 covers) or this instance's pool was exhausted. The message names the instance, the reason,
 * the budget as last checked, and what to look at.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConnectionRefusedException extends SQLTransientConnectionException {

    private static final long serialVersionUID = 1L;

    private final ConnectionRefusal reason;

    ConnectionRefusedException(String pool, ConnectionRefusal reason, ConnectionBudget lastBudget, int currentMax, Throwable cause) {
        super(pool + ": no connection: " + reason.description() + ". " + advice(reason, currentMax) + " Budget at the last check: "
                + lastBudget.arithmetic() + ".", cause instanceof java.sql.SQLException sql ? sql.getSQLState() : null, cause);
        this.reason = reason;
    }

    public ConnectionRefusal reason() {
        return reason;
    }

    private static String advice(ConnectionRefusal reason, int currentMax) {
        return switch (reason) {
            case POOL_EXHAUSTED -> "All " + currentMax + " connections were busy: look for slow queries or connections not"
                    + " returned (the server did not refuse).";
            case ROLE_LIMIT -> "Raise the role's CONNECTION LIMIT or lower DB_POOL_MAX across the instances.";
            case DATABASE_LIMIT -> "Raise the database's CONNECTION LIMIT or lower DB_POOL_MAX across the instances.";
            case RESERVED_SLOTS, SERVER_FULL -> "Other clients or instances hold the server's slots: compare pg_stat_activity"
                    + " with INSTANCE_COUNT x DB_POOL_MAX, or raise max_connections.";
        };
    }
}
