package io.reporadar.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

class SessionStoreBenchmarkIT {

    @Test
    void everyStoreRunsUnderJmhAgainstARealServer() throws Exception {
        // A smoke run, not a measurement: figures come from the shaded jar.
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(SessionStoreBenchmark.class.getSimpleName())
                .forks(0)
                .threads(2)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .build()).run();

        assertThat(results).hasSize(6).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    }
}
