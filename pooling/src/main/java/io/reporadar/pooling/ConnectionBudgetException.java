package io.reporadar.pooling;

/**
 * The deployment's pools would need more connections than PostgreSQL admits. The message prints every term
 * of the arithmetic and the fix.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConnectionBudgetException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final transient ConnectionBudget budget;

    ConnectionBudgetException(ConnectionBudget budget) {
        super("connection budget exceeded: " + budget.arithmetic() + ". Fix: " + budget.fix() + ".");
        this.budget = budget;
    }

    public ConnectionBudget budget() {
        return budget;
    }
}
