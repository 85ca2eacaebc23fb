package io.reporadar.benchmarks;

import java.util.Arrays;
import java.util.List;

/**
 * One round's figures of one contender in {@link JobQueueBenchmark}: rates in jobs per second ({@code NaN} when the
 * contender does not run that scenario) and every latency sample in milliseconds (empty when it does not). Immutable.
 *
 * @param throughput    enqueue + process: jobs per second from the first enqueue to the last completion
 * @param bulk          bulk enqueue, no worker: jobs per second
 * @param latencyMs     enqueue-to-start on an idle worker, one sample per job
 * @param delayedLateMs how long after its due time each delayed job started
 */
record QueueRound(double throughput, double bulk, List<Double> latencyMs, List<Double> delayedLateMs) {

    QueueRound {
        latencyMs = List.copyOf(latencyMs);
        delayedLateMs = List.copyOf(delayedLateMs);
    }

    /** A round of the throughput scenarios alone. */
    static QueueRound rates(double throughput, double bulk) {
        return new QueueRound(throughput, bulk, List.of(), List.of());
    }

    /**
     * The {@code quantile} (0 to 1) of {@code samples} by nearest rank; {@code NaN} for no samples.
     */
    static double percentile(List<Double> samples, double quantile) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The median of {@code values}, ignoring {@code NaN}s; {@code NaN} when none is left. */
    static double median(double... values) {
        double[] present = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (present.length == 0) {
            return Double.NaN;
        }
        int middle = present.length / 2;
        return present.length % 2 == 1 ? present[middle] : (present[middle - 1] + present[middle]) / 2;
    }
}
