package io.reporadar.pooling;

import java.util.ArrayList;
import java.util.List;

/**
 * The arithmetic of a deployment's connections against what PostgreSQL admits:
 * {@code (instances + surge) × max + other pools} needed, against the budget left once reserved slots,
 * headroom and everyone else's connections are taken off.
 *
 * <p>{@link #planned} checks the configuration alone, before any connection opens (from
 * {@code DB_MAX_CONNECTIONS}); {@link #live} checks it against a {@link ServerBudget} read from the server,
 * where the role's and the database's {@code CONNECTION LIMIT} and other users' connections count too.
 * Every message prints each term and the fix. Immutable and thread-safe.
 */
public final class ConnectionBudget {

    private final PoolSettings settings;
    private final int available;
    private final String availableTerms;
    private final int otherUse;
    private final int siblingsUsed;

    private ConnectionBudget(PoolSettings settings, int available, String availableTerms, int otherUse, int siblingsUsed) {
        this.settings = settings;
        this.available = available;
        this.availableTerms = availableTerms;
        this.otherUse = otherUse;
        this.siblingsUsed = siblingsUsed;
    }

    /**
     * The check made at start-up before any connection opens, against {@code DB_MAX_CONNECTIONS} and
     * PostgreSQL's default {@code superuser_reserved_connections}; the live check replaces both guesses.
     */
    public static ConnectionBudget planned(PoolSettings settings) {
        int superuserReserved = PoolSettings.DEFAULT_SUPERUSER_RESERVED;
        int available = settings.assumedMaxConnections() - superuserReserved - settings.reserved();
        String terms = "DB_MAX_CONNECTIONS " + settings.assumedMaxConnections()
                + " - superuser_reserved_connections " + superuserReserved + " (PostgreSQL's default)"
                + " - DB_RESERVED_CONNECTIONS " + settings.reserved();
        return new ConnectionBudget(settings, available, terms, 0, 0);
    }

    /**
     * The check against what the server reports: the tightest of the server, role and database scopes,
     * after the connections of everyone but the service's own instances.
     */
    public static ConnectionBudget live(PoolSettings settings, ServerBudget server) {
        int serviceUsed = server.serviceUsed();
        int othersOnServer = Math.max(0, server.clients() - serviceUsed);
        // The headroom is for people and tools outside the service; when they already use more, count that.
        int headroom = Math.max(settings.reserved(), othersOnServer);
        int serverRoom = server.serverAvailable() - headroom;
        String terms = "max_connections " + server.maxConnections()
                + " - superuser_reserved_connections " + (server.superuser() ? 0 : server.superuserReserved())
                + " - reserved_connections " + (server.superuser() || server.mayUseReserved() ? 0 : server.reserved())
                + " - " + (othersOnServer > settings.reserved()
                        ? othersOnServer + " connections of other clients" + (server.approximate() ? " (at most)" : "")
                        : "DB_RESERVED_CONNECTIONS " + settings.reserved());
        int room = serverRoom;
        int others = othersOnServer;
        if (server.roleLimit() >= 0) {
            int roleOthers = Math.max(0, server.roleUsed() - serviceUsed);
            int roleRoom = server.roleLimit() - roleOthers;
            if (roleRoom < room) {
                room = roleRoom;
                others = roleOthers;
                terms = "role " + server.role() + " CONNECTION LIMIT " + server.roleLimit()
                        + " - " + roleOthers + " connections of other clients of that role";
            }
        }
        if (server.databaseLimit() >= 0) {
            int databaseOthers = Math.max(0, server.databaseUsed() - serviceUsed);
            int databaseRoom = server.databaseLimit() - databaseOthers;
            if (databaseRoom < room) {
                room = databaseRoom;
                others = databaseOthers;
                terms = "database " + server.database() + " CONNECTION LIMIT " + server.databaseLimit()
                        + " - " + databaseOthers + " connections of other clients of that database";
            }
        }
        int siblings = serviceUsed - server.serviceUse().getOrDefault(settings.applicationName(), 0);
        return new ConnectionBudget(settings, room, terms, others, siblings);
    }

    /**
     * Connections the deployment may hold at its peak: {@code (instances + surge) × max + other pools}, or,
     * when the other instances of the service already hold more than planned (an instance nobody counted),
     * what they hold now plus this instance's maximum and the other pools.
     */
    public int required() {
        return Math.max(plannedNeed(), siblingsNeed());
    }

    private int plannedNeed() {
        return (settings.instances() + settings.surge()) * settings.max() + settings.otherPools();
    }

    private int siblingsNeed() {
        return siblingsUsed + settings.max() + settings.otherPools();
    }

    /** Connections the service's other instances held when the server was read (live checks only). */
    public int siblingsUsed() {
        return siblingsUsed;
    }

    /** Connections the deployment may use in all. */
    public int available() {
        return available;
    }

    public boolean fits() {
        return required() <= available;
    }

    /** The largest {@code DB_POOL_MAX} that fits, 0 when not even one connection per instance does. */
    public int largestFittingMax() {
        int fairShare = (available - settings.otherPools()) / (settings.instances() + settings.surge());
        int leftBySiblings = available - settings.otherPools() - siblingsUsed;
        return Math.max(0, Math.min(fairShare, leftBySiblings));
    }

    /** The most instances (surge included) that fit with the current {@code DB_POOL_MAX}. */
    public int largestFittingInstances() {
        return Math.max(0, (available - settings.otherPools()) / settings.max() - settings.surge());
    }

    /** Connections of clients outside the service that the budget accounts for (live checks only). */
    public int otherUse() {
        return otherUse;
    }

    /** Every term of the arithmetic, as the messages print it. */
    public String arithmetic() {
        String need = siblingsNeed() > plannedNeed()
                ? "the service's other instances hold " + siblingsUsed + " now (more than INSTANCE_COUNT "
                        + settings.instances() + " x DB_POOL_MAX " + settings.max() + " plans for) + DB_POOL_MAX "
                        + settings.max() + " + DB_OTHER_POOLS " + settings.otherPools()
                : "(INSTANCE_COUNT " + settings.instances() + " + INSTANCE_SURGE " + settings.surge() + ") x DB_POOL_MAX "
                        + settings.max() + " + DB_OTHER_POOLS " + settings.otherPools();
        return need + " = " + required() + " needed, " + (fits() ? "within " : "but ") + availableTerms + " = "
                + available + " available";
    }

    /** What to change so that the deployment fits; empty when it does. */
    public String fix() {
        if (fits()) {
            return "";
        }
        List<String> options = new ArrayList<>();
        int fittingMax = largestFittingMax();
        if (fittingMax >= Math.max(1, settings.min())) {
            options.add("lower DB_POOL_MAX to " + fittingMax);
        } else if (fittingMax >= 1) {
            options.add("lower DB_POOL_MAX to " + fittingMax + " (and DB_POOL_MIN with it)");
        }
        int fittingInstances = largestFittingInstances();
        if (siblingsNeed() > plannedNeed()) {
            options.add("set INSTANCE_COUNT to the number of instances really running and stop the extra ones");
        } else if (fittingInstances >= 1 && fittingInstances < settings.instances()) {
            options.add("run at most " + fittingInstances + " instances");
        }
        options.add("raise max_connections by " + (required() - available) + " (and DB_MAX_CONNECTIONS with it)");
        return String.join(", or ", options);
    }

    /**
     * Returns this budget when it fits.
     *
     * @throws ConnectionBudgetException with the arithmetic and the fix when it does not
     */
    public ConnectionBudget enforce() {
        if (!fits()) {
            throw new ConnectionBudgetException(this);
        }
        return this;
    }

    @Override
    public String toString() {
        return arithmetic();
    }
}
