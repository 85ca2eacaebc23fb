package io.reporadar.pooling.health;

import io.reporadar.health.HealthCheck;
import io.reporadar.health.Result;
import io.reporadar.pooling.GuardedPool;
import io.reporadar.pooling.Headroom;

/**
 * The connection budget of a {@link GuardedPool} as a health check: UP with ample headroom, WARN
 * ({@code budget-near-limit}) from 90 % of the budget on, DOWN ({@code budget-exceeded}) when the live check
 * failed. It reads what the pool's own live check found; it runs no query.
 *
 * <pre>{@code
 * health.check(CheckSpec.dependency("db-budget", BudgetHealthCheck.of(pool)));   // not critical: WARN, not DOWN
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class BudgetHealthCheck implements HealthCheck {

    private final GuardedPool pool;

    private BudgetHealthCheck(GuardedPool pool) {
        this.pool = pool;
    }

    public static BudgetHealthCheck of(GuardedPool pool) {
        return new BudgetHealthCheck(pool);
    }

    @Override
    public Result check() {
        Headroom headroom = pool.headroom();
        Result result = switch (headroom.level()) {
            case AMPLE -> Result.up();
            case NEAR_LIMIT -> Result.warn("budget-near-limit");
            case EXCEEDED -> Result.down("budget-exceeded");
        };
        if (pool.lastFailure() != null && result.status() != io.reporadar.health.Status.DOWN) {
            result = Result.down("budget-exceeded");
        }
        return result.withDetail("ratio", Math.round(headroom.ratio() * 100) / 100.0)
                .withDetail("budget", pool.lastBudget().available())
                .withDetail("required", pool.lastBudget().required())
                .withDetail("cap", pool.currentMax());
    }
}
