package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConnectionBudgetTest {

    private static PoolSettings.Builder deployment() {
        return PoolSettings.builder().url("postgresql://app:hunter2@db/reporadar").identity("reporadar", "reporadar-1");
    }

    @Test
    void theGuidesDefaultTopologyFits() {
        ConnectionBudget budget = ConnectionBudget.planned(deployment().pool(2, 10).instances(3, 0).build());

        assertThat(budget.required()).isEqualTo(30);
        assertThat(budget.available()).isEqualTo(94);
        assertThat(budget.fits()).isTrue();
        assertThat(budget.enforce()).isSameAs(budget);
        assertThat(budget.arithmetic()).isEqualTo("(INSTANCE_COUNT 3 + INSTANCE_SURGE 0) x DB_POOL_MAX 10 + DB_OTHER_POOLS 0 = 30 needed,"
                + " within DB_MAX_CONNECTIONS 100 - superuser_reserved_connections 3 (PostgreSQL's default)"
                + " - DB_RESERVED_CONNECTIONS 3 = 94 available");
        assertThat(budget.fix()).isEmpty();
    }

    @Test
    void exactlyAtTheLimitFits() {
        ConnectionBudget budget = ConnectionBudget.planned(deployment().pool(5, 5).instances(3, 0).reserved(2).assumedMaxConnections(20).build());
        assertThat(budget.required()).isEqualTo(15);
        assertThat(budget.available()).isEqualTo(15);
        assertThat(budget.fits()).isTrue();
    }

    @Test
    void oneMoreInstanceIsRefusedWithEveryTermAndTheFix() {
        PoolSettings settings = deployment().pool(5, 5).instances(4, 0).reserved(2).assumedMaxConnections(20).build();

        assertThatThrownBy(() -> ConnectionBudget.planned(settings).enforce())
                .isInstanceOf(ConnectionBudgetException.class)
                .hasMessage("connection budget exceeded: (INSTANCE_COUNT 4 + INSTANCE_SURGE 0) x DB_POOL_MAX 5 + DB_OTHER_POOLS 0"
                        + " = 20 needed, but DB_MAX_CONNECTIONS 20 - superuser_reserved_connections 3 (PostgreSQL's default)"
                        + " - DB_RESERVED_CONNECTIONS 2 = 15 available."
                        + " Fix: lower DB_POOL_MAX to 3 (and DB_POOL_MIN with it), or run at most 3 instances,"
                        + " or raise max_connections by 5 (and DB_MAX_CONNECTIONS with it).");
    }

    @Test
    void aRollingDeploysSurgeAndOtherPoolsCount() {
        ConnectionBudget budget = ConnectionBudget.planned(deployment().pool(2, 30).instances(3, 1).otherPools(4).build());

        assertThat(budget.required()).isEqualTo(124);
        assertThat(budget.fits()).isFalse();
        assertThat(budget.largestFittingMax()).isEqualTo(22);
        assertThat(budget.fix()).isEqualTo("lower DB_POOL_MAX to 22, or run at most 2 instances, or raise max_connections by 30"
                + " (and DB_MAX_CONNECTIONS with it)");
    }

    @Test
    void noMessageShowsThePassword() {
        PoolSettings settings = deployment().pool(1, 50).instances(3, 0).build();
        assertThatThrownBy(() -> ConnectionBudget.planned(settings).enforce()).message().doesNotContain("hunter2");
    }
}
