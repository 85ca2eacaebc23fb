package io.reporadar.benchmarks;

import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import io.reporadar.lb.PickContext;
import io.reporadar.lb.Strategy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
 * The cost of one pick over 100 endpoints for every strategy; run with {@code -prof gc} to see the bytes
 * allocated per pick (the target is 0). Hash strategies hash a 32-byte key or a client address each time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@SuppressWarnings("NullAway.Init") // JMH sets the @Param fields and runs @Setup before any benchmark method
public class PickBenchmark {

    /** The strategies measured. */
    public enum Kind {
        ROUND_ROBIN,
        LEAST_CONNECTIONS,
        POWER_OF_TWO,
        RANDOM,
        IP_HASH,
        CONSISTENT_HASH,
        MAGLEV,
        PEAK_EWMA,
        /** Peer: smooth weighted round robin computed on every pick under a lock, as nginx and many clients do. */
        LOCKED_SMOOTH_WRR_PEER;

        /** A new strategy of this kind; null for the peer, which is no strategy. */
        @Nullable Strategy strategy() {
            return switch (this) {
                case ROUND_ROBIN -> Strategy.roundRobin();
                case LEAST_CONNECTIONS -> Strategy.leastConnections();
                case POWER_OF_TWO -> Strategy.powerOfTwoChoices();
                case RANDOM -> Strategy.random();
                case IP_HASH -> Strategy.ipHash();
                case CONSISTENT_HASH -> Strategy.consistentHash();
                case MAGLEV -> Strategy.maglev();
                case PEAK_EWMA -> Strategy.peakEwma();
                case LOCKED_SMOOTH_WRR_PEER -> null;
            };
        }
    }

    @Param
    public Kind kind;

    @Param({"100"})
    public int endpoints;

    private @Nullable LoadBalancer lb; // null when measuring the peer
    private PickContext context;
    private @Nullable LockedSmoothWrr peer; // null when measuring a strategy

    /** The usual implementation: a scan that updates current weights, serialized by a lock. */
    static final class LockedSmoothWrr {
        private final Endpoint[] endpoints;
        private final int[] weights;
        private final int[] current;
        private final int total;

        LockedSmoothWrr(List<Endpoint> list) {
            endpoints = list.toArray(Endpoint[]::new);
            weights = list.stream().mapToInt(Endpoint::weight).toArray();
            current = new int[weights.length];
            total = java.util.Arrays.stream(weights).sum();
        }

        synchronized Endpoint pick() {
            int best = -1;
            for (int i = 0; i < weights.length; i++) {
                current[i] += weights[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            return endpoints[best];
        }
    }

    @Setup
    public void setUp() throws UnknownHostException {
        List<Endpoint> list = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            list.add(Endpoint.of("10.0." + (i / 250) + "." + (i % 250 + 1), 3000, 1 + i % 3));
        }
        Strategy strategy = kind.strategy();
        if (strategy == null) {
            peer = new LockedSmoothWrr(list);
        } else {
            lb = LoadBalancer.of(strategy, list);
        }
        context = new PickContext().key("0123456789abcdef0123456789abcdef").client(InetAddress.getByName("198.51.100.23"));
    }

    @Benchmark
    public Endpoint pick() {
        if (peer != null) {
            return peer.pick();
        }
        Endpoint endpoint = Objects.requireNonNull(Objects.requireNonNull(lb, "setUp sets lb or peer").pick(context), "an endpoint");
        context.clearTried();
        return endpoint;
    }
}
