package io.reporadar.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.health.Status;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

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
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(PickBenchmark.class.getSimpleName())
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50))
                .build()).run();

        assertThat(results).hasSize(PickBenchmark.Kind.values().length)
                .allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    }

    @Test
    void theHealthEndpointSuiteRunsUnderJmh() throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(HealthEndpointBenchmark.class.getSimpleName())
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .build()).run();

        assertThat(results).hasSize(3).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    }

    @Test
    void theSuiteRunsUnderJmh() throws Exception {
        // A smoke run, not a measurement: it proves the generated harness works; figures come from the jar.
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(StatusAggregationBenchmark.class.getSimpleName())
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .build()).run();

        assertThat(results).hasSize(StatusAggregationBenchmark.Aggregator.values().length)
                .allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    }
}
