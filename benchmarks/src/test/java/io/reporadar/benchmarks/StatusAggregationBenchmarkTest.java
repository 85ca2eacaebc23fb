package io.reporadar.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.health.Status;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;

class StatusAggregationBenchmarkTest {

    @Test
    void everyAggregatorAgreesOnTheWorstStatus() {
        List<Status> statuses = List.of(Status.UP, Status.WARN, Status.DOWN, Status.UP);
        for (StatusAggregationBenchmark.Aggregator aggregator : StatusAggregationBenchmark.Aggregator.values()) {
            assertThat(aggregator.worst(statuses)).as(aggregator.name()).isEqualTo(Status.DOWN);
        }
    }

    @Test
    void thePickSuiteRunsUnderJmh() throws Exception {
        Collection<RunResult> results = JmhSmoke.run(PickBenchmark.class, 1, 50);

        assertThat(results).hasSize(PickBenchmark.Kind.values().length)
                .allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    }

    @Test
    void theHealthEndpointSuiteRunsUnderJmh() throws Exception {
        Collection<RunResult> results = JmhSmoke.run(HealthEndpointBenchmark.class, 1, 100);

        assertThat(results).hasSize(3).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    }

    @Test
    void theSuiteRunsUnderJmh() throws Exception {
        Collection<RunResult> results = JmhSmoke.run(StatusAggregationBenchmark.class, 1, 100);

        assertThat(results).hasSize(StatusAggregationBenchmark.Aggregator.values().length)
                .allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    }
}
