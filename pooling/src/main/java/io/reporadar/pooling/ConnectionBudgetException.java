package io.reporadar.pooling;

import org.jspecify.annotations.Nullable;

/**
 * The deployment's pools would need more connections than PostgreSQL admits. The message prints every term
 * of the arithmetic and the fix.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConnectionBudgetException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final transient @Nullable ConnectionBudget budget;

    ConnectionBudgetException(ConnectionBudget budget) {
        this("connection budget exceeded: " + budget.arithmetic() + ". Fix: " + budget.fix() + ".", budget);
    }

    private ConnectionBudgetException(String message, @Nullable ConnectionBudget budget) {
        super(message);
        this.budget = budget;
    }

    /** The adaptive budget is all held by the live instances: nothing is left for one more. */
    static ConnectionBudgetException noShareLeft(PoolSettings settings, int liveInstances, int poolBudget) {
        return new ConnectionBudgetException("connection budget exhausted: " + (liveInstances - 1) + " live instances of "
                + settings.service() + " hold all " + poolBudget + " connections their pools may use, none is left for "
                + settings.applicationName() + ". Fix: lower DB_POOL_MIN so that the instances can share (now "
                + settings.min() + "), run fewer instances, or raise max_connections.", null);
    }

    /** The arithmetic that failed; {@code null} when the adaptive budget had no share left. */
    public @Nullable ConnectionBudget budget() {
        return budget;
    }
}
