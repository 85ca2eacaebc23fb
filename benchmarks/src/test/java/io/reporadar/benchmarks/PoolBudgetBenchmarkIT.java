package io.reporadar.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;

class PoolBudgetBenchmarkIT {

    @Test
    void theSuiteRunsUnderJmhAgainstARealServer() throws Exception {
        Collection<RunResult> results = JmhSmoke.run(PoolBudgetBenchmark.class, 1, 100);

        assertThat(results).hasSize(6).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    }
}
