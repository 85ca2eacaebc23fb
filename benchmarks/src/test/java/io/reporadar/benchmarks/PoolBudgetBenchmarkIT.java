package io.reporadar.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

class PoolBudgetBenchmarkIT {

    @Test
    void theSuiteRunsUnderJmhAgainstARealServer() throws Exception {
        // A smoke run, not a measurement: figures come from the shaded jar.
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(PoolBudgetBenchmark.class.getSimpleName())
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .build()).run();

        assertThat(results).hasSize(6).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    }
}
