package io.reporadar.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;

class SessionStoreBenchmarkIT {

    @Test
    void everyStoreRunsUnderJmhAgainstARealServer() throws Exception {
        Collection<RunResult> results = JmhSmoke.run(SessionStoreBenchmark.class, 2, 100);

        assertThat(results).hasSize(6).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    }
}
