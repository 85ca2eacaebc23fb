package io.reporadar.pooling;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * How many connections a PostgreSQL server admits for ordinary roles: {@code max_connections} minus the
 * slots it keeps for superusers ({@code superuser_reserved_connections}) and, from PostgreSQL 16, for roles
 * with {@code pg_use_reserved_connections} ({@code reserved_connections}).
 *
 * <p>Immutable and thread-safe.
 */
public final class ServerCapacity {

    private final int maxConnections;
    private final int superuserReserved;
    private final int reserved;

    private ServerCapacity(int maxConnections, int superuserReserved, int reserved) {
        this.maxConnections = maxConnections;
        this.superuserReserved = superuserReserved;
        this.reserved = reserved;
    }

    /** Reads the capacity settings over an open connection. */
    public static ServerCapacity read(Connection connection) throws SQLException {
        int max = -1;
        int superuser = 0;
        int reserved = 0;
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT name, setting FROM pg_settings WHERE name IN"
                        + " ('max_connections', 'superuser_reserved_connections', 'reserved_connections')")) {
            while (rows.next()) {
                int value = Integer.parseInt(rows.getString(2));
                switch (rows.getString(1)) {
                    case "max_connections" -> max = value;
                    case "superuser_reserved_connections" -> superuser = value;
                    default -> reserved = value;
                }
            }
        }
        if (max < 0) {
            throw new SQLException("pg_settings has no max_connections row: not a PostgreSQL server?");
        }
        return new ServerCapacity(max, superuser, reserved);
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int superuserReserved() {
        return superuserReserved;
    }

    /** {@code reserved_connections}: 0 before PostgreSQL 16. */
    public int reserved() {
        return reserved;
    }

    /** The connections an ordinary role may open in all. */
    public int availableToOrdinaryRoles() {
        return maxConnections - superuserReserved - reserved;
    }

    @Override
    public String toString() {
        return "max_connections " + maxConnections + " - superuser_reserved_connections " + superuserReserved
                + " - reserved_connections " + reserved + " = " + availableToOrdinaryRoles();
    }
}
