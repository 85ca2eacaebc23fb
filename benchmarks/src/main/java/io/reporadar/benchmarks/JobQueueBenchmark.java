package io.reporadar.benchmarks;

import io.reporadar.testing.RedisServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * jobs-redis against BullMQ and raw Lettuce (issue 16's targets), every contender on one private Redis, in the
 * same run, round after round (each round starts with a different contender, each contender with an empty Redis;
 * a smaller round first warms up the JIT and is not counted):
 *
 * <ul>
 *   <li>enqueue + process: {@code jobs} tiny jobs from {@code producers} concurrent enqueuers to workers of
 *       {@code concurrency} slots in all, timed from the first enqueue to the last completion;</li>
 *   <li>bulk enqueue of {@code jobs} jobs, 1,000 at a time, no worker (BullMQ's {@code addBulk}, jobs-redis's
 *       {@code enqueueAll}, raw Lettuce's pipelined {@code LPUSH}es);</li>
 *   <li>enqueue-to-start on an idle worker, one job at a time;</li>
 *   <li>delayed jobs: how late after their due time they start.</li>
 * </ul>
 *
 * <p>Prints a table: for each figure the median of the rounds and, in brackets, the lowest and highest. A main, not
 * a JMH suite: the figures are rates over whole runs and latency distributions. Run it from the repository's root
 * (it runs {@code benchmarks/node/bullmq-bench.mjs}, after {@code npm install} there when needed):
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar io.reporadar.benchmarks.JobQueueBenchmark [rounds [jobs]]
 * }</pre>
 *
 * <p>{@code -Dbenchmarks.redis.hz=100} starts Redis with that timer frequency instead of its default 10.
 */
public final class JobQueueBenchmark {

    /**
     * What each round does.
     *
     * @param jobs           jobs of the throughput and bulk scenarios
     * @param concurrency    job slots of the workers, in all
     * @param producers      concurrent enqueuers
     * @param latencySamples jobs of the enqueue-to-start scenario
     * @param delayedJobs    jobs of the delayed scenario
     */
    record Settings(int jobs, int concurrency, int producers, int latencySamples, int delayedJobs) {
    }

    /** A row of the table: a figure, how to read it off a round, and the target it is held to. */
    private record Figure(String label, ToDoubleFunction<QueueRound> value, String target, boolean rate) {
    }

    private static final List<Figure> FIGURES = List.of(
            new Figure("enqueue + process, jobs/s", QueueRound::throughput, ">= BullMQ, >= 0.5x raw", true),
            new Figure("bulk enqueue, jobs/s", QueueRound::bulk, ">= BullMQ, >= 0.5x raw", true),
            new Figure("enqueue-to-start p50, ms", r -> QueueRound.percentile(r.latencyMs(), 0.50), "", false),
            new Figure("enqueue-to-start p99, ms", r -> QueueRound.percentile(r.latencyMs(), 0.99), "<= 5 ms", false),
            new Figure("delayed job, late by p50, ms", r -> QueueRound.percentile(r.delayedLateMs(), 0.50), "", false),
            new Figure("delayed job, late by p99, ms", r -> QueueRound.percentile(r.delayedLateMs(), 0.99), "< 50 ms", false));

    private JobQueueBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // the workers' start and stop lines
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Settings settings = new Settings(args.length > 1 ? Integer.parseInt(args[1]) : 20_000, 100, 16, 200, 200);
        Path nodeDir = Path.of(System.getProperty("benchmarks.node.dir", "benchmarks/node"));
        List<QueueContender> contenders = List.of(new JobsRedisContender(true), new JobsRedisContender(false),
                BullMqContender.prepare(nodeDir), new RawLettuceContender());
        Map<QueueContender, List<QueueRound>> results = new LinkedHashMap<>();
        contenders.forEach(c -> results.put(c, new ArrayList<>()));
        Instant began = Instant.now();
        // Redis's timer frequency: blocking commands' timeouts fire at its ticks (default 10 a second), see README
        String hz = System.getProperty("benchmarks.redis.hz", "10");
        try (RedisServer redis = RedisServer.start("hz " + Integer.parseInt(hz))) {
            System.out.println("Redis " + redis.uri() + ", hz " + hz + "; " + settings + "; " + rounds + " rounds after a warm-up round");
            Settings warmUp = new Settings(settings.jobs() / 10, settings.concurrency(), settings.producers(), 20, 20);
            for (QueueContender contender : contenders) {
                redis.flushAll();
                QueueRound unused = contender.round(redis.uri(), warmUp, rounds); // the JIT's, not counted
            }
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < contenders.size(); k++) {
                    QueueContender contender = contenders.get((round + k) % contenders.size());
                    redis.flushAll();
                    long started = System.nanoTime();
                    QueueRound figures = contender.round(redis.uri(), settings, round);
                    rounds(results, contender).add(figures);
                    System.out.printf(Locale.ROOT, "round %d, %s: %,.0f jobs/s, bulk %,.0f jobs/s, start p99 %.2f ms, delayed p99 %.2f ms (%.0f s)%n",
                            round + 1, contender.name(), figures.throughput(), figures.bulk(), QueueRound.percentile(figures.latencyMs(), 0.99),
                            QueueRound.percentile(figures.delayedLateMs(), 0.99), (System.nanoTime() - started) / 1e9);
                }
            }
        }
        System.out.println();
        System.out.println("Started " + began + ", " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version") + "; " + settings + "; median of " + rounds + " rounds (lowest-highest)");
        System.out.println();
        System.out.print(table(results));
    }

    /**
     * A Markdown table: a row per figure, a column per contender, then jobs-redis (the first contender) as a
     * multiple of BullMQ and of raw Lettuce for the rates, each ratio taken within a round.
     */
    static String table(Map<QueueContender, List<QueueRound>> results) {
        List<QueueContender> contenders = new ArrayList<>(results.keySet());
        QueueContender ours = contenders.get(0);
        QueueContender bullmq = find(contenders, BullMqContender.class);
        QueueContender raw = find(contenders, RawLettuceContender.class);
        StringBuilder out = new StringBuilder("| figure |");
        contenders.forEach(c -> out.append(' ').append(c.name()).append(" |"));
        out.append(' ').append(ours.name()).append(" ÷ BullMQ | ÷ raw | target |\n|---|");
        out.append("---|".repeat(contenders.size() + 3)).append('\n');
        for (Figure figure : FIGURES) {
            out.append("| ").append(figure.label()).append(" |");
            for (QueueContender contender : contenders) {
                out.append(' ').append(cell(rounds(results, contender).stream().mapToDouble(figure.value()).toArray(), figure.rate())).append(" |");
            }
            out.append(' ').append(figure.rate() ? cell(ratios(results, ours, bullmq, figure), false) : "").append(" |");
            out.append(' ').append(figure.rate() ? cell(ratios(results, ours, raw, figure), false) : "").append(" |");
            out.append(' ').append(figure.target()).append(" |\n");
        }
        return out.toString();
    }

    private static List<QueueRound> rounds(Map<QueueContender, List<QueueRound>> results, QueueContender contender) {
        return java.util.Objects.requireNonNull(results.get(contender), contender.name());
    }

    private static QueueContender find(List<QueueContender> contenders, Class<?> type) {
        return contenders.stream().filter(type::isInstance).findFirst().orElseThrow();
    }

    /** {@code of}'s figure over {@code to}'s, round by round. */
    private static double[] ratios(Map<QueueContender, List<QueueRound>> results, QueueContender of, QueueContender to, Figure figure) {
        List<QueueRound> ofRounds = rounds(results, of);
        List<QueueRound> toRounds = rounds(results, to);
        double[] ratios = new double[Math.min(ofRounds.size(), toRounds.size())];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = figure.value().applyAsDouble(ofRounds.get(i)) / figure.value().applyAsDouble(toRounds.get(i));
        }
        return ratios;
    }

    /** The median and, in brackets, the lowest and highest of {@code values}; empty when none was measured. */
    static String cell(double[] values, boolean rate) {
        double[] present = java.util.Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (present.length == 0) {
            return "";
        }
        String format = rate ? "%,.0f" : "%.2f";
        String median = String.format(Locale.ROOT, format, QueueRound.median(present));
        if (present.length == 1) {
            return median;
        }
        return median + " (" + String.format(Locale.ROOT, format, present[0]) + "-" + String.format(Locale.ROOT, format,
                present[present.length - 1]) + ")";
    }
}
