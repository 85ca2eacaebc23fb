package io.reporadar.benchmarks;

import io.reporadar.health.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Folding a group of check results into one status, as every probe request does: our loop against the
 * stream-and-comparator form that health libraries commonly use, in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@SuppressWarnings("NullAway.Init") // JMH sets the @Param fields and runs @Setup before any benchmark method
public class StatusAggregationBenchmark {

    /** The implementations compared. */
    public enum Aggregator {
        REPORADAR {
            @Override
            Status worst(List<Status> statuses) {
                return Status.worstOf(statuses);
            }
        },
        STREAM_MAX {
            @Override
            Status worst(List<Status> statuses) {
                return statuses.stream().max(Comparator.naturalOrder()).orElse(Status.UP);
            }
        };

        abstract Status worst(List<Status> statuses);
    }

    @Param
    public Aggregator aggregator;

    @Param({"12"})
    public int checks;

    private List<Status> statuses;

    @Setup
    public void setUp() {
        // Mostly healthy, as in production: 90 % UP, the rest spread over the other states.
        SplittableRandom random = new SplittableRandom(42);
        statuses = new ArrayList<>(checks);
        Status[] all = Status.values();
        for (int i = 0; i < checks; i++) {
            statuses.add(random.nextInt(10) < 9 ? Status.UP : all[1 + random.nextInt(all.length - 1)]);
        }
    }

    @Benchmark
    public Status aggregate() {
        return aggregator.worst(statuses);
    }
}
