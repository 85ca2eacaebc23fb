package io.reporadar.benchmarks;

import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * A smoke run of one suite, in this JVM, one short iteration: it proves the generated harness and the setup
 * work, and is never a measurement (figures come from the shaded jar).
 */
final class JmhSmoke {

    private JmhSmoke() {
    }

    static Collection<RunResult> run(Class<?> suite, int threads, long millis) throws RunnerException {
        return new Runner(new OptionsBuilder()
                .include(suite.getSimpleName())
                .forks(0)
                .threads(threads)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(millis))
                .build()).run();
    }
}
