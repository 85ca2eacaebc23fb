package io.reporadar.benchmarks;

import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import io.reporadar.lb.PickContext;
import io.reporadar.lb.Strategy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
public class PickBenchmark {

    /** The strategies measured. */
    public enum Kind {
        ROUND_ROBIN(Strategy::roundRobin),
        LEAST_CONNECTIONS(Strategy::leastConnections),
        POWER_OF_TWO(Strategy::powerOfTwoChoices),
        RANDOM(Strategy::random),
        IP_HASH(Strategy::ipHash),
        CONSISTENT_HASH(Strategy::consistentHash),
        MAGLEV(Strategy::maglev),
        PEAK_EWMA(Strategy::peakEwma),
        /** Peer: smooth weighted round robin computed on every pick under a lock, as nginx and many clients do. */
        LOCKED_SMOOTH_WRR_PEER(null);

        final Supplier<Strategy> strategy;

        Kind(Supplier<Strategy> strategy) {
            this.strategy = strategy;
        }
    }

    @Param
    public Kind kind;

    @Param({"100"})
    public int endpoints;

    private LoadBalancer lb;
    private PickContext context;
    private LockedSmoothWrr peer;

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
        if (kind.strategy == null) {
            peer = new LockedSmoothWrr(list);
        } else {
            lb = LoadBalancer.of(kind.strategy.get(), list);
        }
        context = new PickContext().key("0123456789abcdef0123456789abcdef").client(InetAddress.getByName("198.51.100.23"));
    }

    @Benchmark
    public Endpoint pick() {
        if (peer != null) {
            return peer.pick();
        }
        Endpoint endpoint = lb.pick(context);
        context.clearTried();
        return endpoint;
    }
}
