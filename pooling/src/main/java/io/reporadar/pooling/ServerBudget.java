package io.reporadar.pooling;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a PostgreSQL server admits for the connecting role and database, and who uses it now, read in one
 * round trip.
 *
 * <p>The budget follows PostgreSQL's own admission rules: {@code max_connections} minus
 * {@code superuser_reserved_connections} minus {@code reserved_connections} (PostgreSQL 16+, unless the role
 * has the privileges of {@code pg_use_reserved_connections}; superusers get all of it), then the role's and
 * the database's {@code CONNECTION LIMIT}. Usage counts client backends only (autovacuum and other workers
 * have slots of their own) and leaves out the connection that reads it. Without
 * {@code pg_read_all_stats}, other roles' rows hide their backend type: those attached to a database are
 * counted as clients (background workers that run in a database would be over-counted, so the figure is an
 * upper bound) and {@link #approximate()} says so.
 *
 * <p>Immutable and thread-safe.
 */
public final class ServerBudget {

    private static final String QUERY = """
            SELECT current_setting('max_connections')::int,
                   current_setting('superuser_reserved_connections')::int,
                   COALESCE(current_setting('reserved_connections', true), '0')::int,
                   r.rolsuper,
                   EXISTS (SELECT 1 FROM pg_roles u WHERE u.rolname = 'pg_use_reserved_connections'
                           AND pg_has_role(current_user, u.oid, 'USAGE')),
                   r.rolconnlimit, d.datconnlimit, current_user, current_database(),
                   a.clients, a.role_used, a.db_used, a.hidden,
                   (SELECT string_agg(x.application_name || E'\\t' || x.n, E'\\n' ORDER BY x.application_name)
                    FROM (SELECT application_name, count(*) AS n FROM pg_stat_activity
                          WHERE pid <> pg_backend_pid() AND starts_with(application_name, ?)
                          GROUP BY application_name) x)
            FROM pg_roles r, pg_database d,
                 (SELECT count(*) FILTER (WHERE client) AS clients,
                         count(*) FILTER (WHERE client AND usename = current_user) AS role_used,
                         count(*) FILTER (WHERE client AND datname = current_database()) AS db_used,
                         count(*) FILTER (WHERE client AND backend_type IS NULL) AS hidden
                  FROM (SELECT *, backend_type = 'client backend'
                                  OR (backend_type IS NULL AND usesysid IS NOT NULL AND datid IS NOT NULL) AS client
                        FROM pg_stat_activity WHERE pid <> pg_backend_pid()) s) a
            WHERE r.rolname = current_user AND d.datname = current_database()
            """;

    private final int maxConnections;
    private final int superuserReserved;
    private final int reserved;
    private final boolean superuser;
    private final boolean mayUseReserved;
    private final int roleLimit;
    private final int databaseLimit;
    private final String role;
    private final String database;
    private final int clients;
    private final int roleUsed;
    private final int databaseUsed;
    private final boolean approximate;
    private final Map<String, Integer> serviceUse;

    private ServerBudget(ResultSet row) throws SQLException {
        maxConnections = row.getInt(1);
        superuserReserved = row.getInt(2);
        reserved = row.getInt(3);
        superuser = row.getBoolean(4);
        mayUseReserved = row.getBoolean(5);
        roleLimit = row.getInt(6);
        databaseLimit = row.getInt(7);
        role = row.getString(8);
        database = row.getString(9);
        clients = row.getInt(10);
        roleUsed = row.getInt(11);
        databaseUsed = row.getInt(12);
        approximate = row.getInt(13) > 0;
        Map<String, Integer> use = new LinkedHashMap<>();
        String perApplication = row.getString(14);
        if (perApplication != null) {
            // One "<application_name>\t<count>" line per application; string_agg yields no empty one.
            for (String line : perApplication.split("\n", -1)) {
                int tab = line.lastIndexOf('\t');
                use.put(line.substring(0, tab), Integer.parseInt(line.substring(tab + 1)));
            }
        }
        serviceUse = Collections.unmodifiableMap(use);
    }

    /**
     * Reads the budget and the current use in one round trip.
     *
     * @param applicationNamePrefix the prefix the service's instances share ({@code <service>/}), for attribution
     */
    public static ServerBudget read(Connection connection, String applicationNamePrefix) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(QUERY)) {
            statement.setString(1, applicationNamePrefix);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    throw new SQLException("cannot read the connection budget: the current role or database is not in the catalog");
                }
                return new ServerBudget(row);
            }
        }
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int superuserReserved() {
        return superuserReserved;
    }

    /** {@code reserved_connections}; 0 before PostgreSQL 16. */
    public int reserved() {
        return reserved;
    }

    public boolean superuser() {
        return superuser;
    }

    /** Whether the role may use the {@code reserved_connections} slots. */
    public boolean mayUseReserved() {
        return mayUseReserved;
    }

    /** The role's {@code CONNECTION LIMIT}, -1 for none. */
    public int roleLimit() {
        return roleLimit;
    }

    /** The database's {@code CONNECTION LIMIT}, -1 for none (PostgreSQL enforces it approximately). */
    public int databaseLimit() {
        return databaseLimit;
    }

    public String role() {
        return role;
    }

    public String database() {
        return database;
    }

    /** Connections the server as a whole admits for this role: its share of {@code max_connections}. */
    public int serverAvailable() {
        if (superuser) {
            return maxConnections;
        }
        return maxConnections - superuserReserved - (mayUseReserved ? 0 : reserved);
    }

    /** Client connections open on the whole server now, the reading one excluded. */
    public int clients() {
        return clients;
    }

    /** Client connections of this role now, the reading one excluded. */
    public int roleUsed() {
        return roleUsed;
    }

    /** Client connections to this database now, the reading one excluded. */
    public int databaseUsed() {
        return databaseUsed;
    }

    /** Whether other roles' rows were hidden, making {@link #clients()} an upper bound. */
    public boolean approximate() {
        return approximate;
    }

    /** Connections per {@code application_name} of the service's instances ({@code <service>/<instance>}). */
    public Map<String, Integer> serviceUse() {
        return serviceUse;
    }

    /** Connections the service's instances hold now, in all. */
    public int serviceUsed() {
        return serviceUse.values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * How many connections the role could open now: the least of the server's, the role's and the
     * database's remaining room.
     */
    public int admissibleNow() {
        int room = serverAvailable() - clients;
        if (roleLimit >= 0) {
            room = Math.min(room, roleLimit - roleUsed);
        }
        if (databaseLimit >= 0) {
            room = Math.min(room, databaseLimit - databaseUsed);
        }
        return Math.max(0, room);
    }

    @Override
    public String toString() {
        return "max_connections " + maxConnections + " - superuser_reserved_connections " + superuserReserved
                + " - reserved_connections " + (mayUseReserved || superuser ? 0 : reserved) + " = " + serverAvailable()
                + (roleLimit >= 0 ? ", role " + role + " CONNECTION LIMIT " + roleLimit : "")
                + (databaseLimit >= 0 ? ", database " + database + " CONNECTION LIMIT " + databaseLimit : "")
                + "; in use: " + clients + " on the server" + (approximate ? " (at most)" : "")
                + ", " + serviceUsed() + " by the service";
    }
}
