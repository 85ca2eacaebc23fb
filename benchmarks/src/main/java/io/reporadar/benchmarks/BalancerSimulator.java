package io.reporadar.benchmarks;

import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import io.reporadar.lb.PassiveHealth;
import io.reporadar.lb.Strategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A discrete-event simulation of the slow-node scenario published by Linkerd for Finagle's balancers: 11
 * backends at 1,000 requests per second, one of which stalls (every request takes 2 s) for 30 of the 60
 * simulated seconds, and a client timeout of 1 s. It drives the real {@link LoadBalancer} on a virtual clock and
 * prints, per strategy, the success rate and the 99th percentile of the latency clients saw.
 *
 * <p>Arrivals (Poisson) and service times (log-normal, median 10 ms) come from a seeded generator, so every
 * strategy meets the same traffic; the random draws of power of two choices and peak EWMA use
 * {@code ThreadLocalRandom}, so their figures move slightly from run to run.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.reporadar.benchmarks.BalancerSimulator</pre>
 */
public final class BalancerSimulator {

    static final int BACKENDS = 11;
    static final double RATE_PER_SECOND = 1000;
    static final long SECOND = 1_000_000_000L;
    static final long DURATION = 60 * SECOND;
    static final long STALL_FROM = 15 * SECOND;
    static final long STALL_TO = 45 * SECOND;
    static final long STALL_LATENCY = 2 * SECOND;
    static final long TIMEOUT = SECOND;

    private BalancerSimulator() {
    }

    /** One strategy's outcome. */
    record Outcome(String strategy, double successRate, double p99Millis, long requests) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "| %-36s | %8.3f %% | %9.1f ms | %7d |", strategy, successRate * 100, p99Millis, requests);
        }
    }

    public static void main(String[] args) {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 42;
        System.out.println("| strategy                             | success    | p99 latency  | requests |");
        System.out.println("|--------------------------------------|------------|--------------|----------|");
        for (Outcome outcome : runAll(seed)) {
            System.out.println(outcome);
        }
    }

    static List<Outcome> runAll(long seed) {
        List<Outcome> outcomes = new ArrayList<>();
        outcomes.add(run("round robin", Strategy.roundRobin(), PassiveHealth.OFF, seed));
        outcomes.add(run("least connections", Strategy.leastConnections(), PassiveHealth.OFF, seed));
        outcomes.add(run("power of two choices", Strategy.powerOfTwoChoices(), PassiveHealth.OFF, seed));
        outcomes.add(run("peak EWMA", Strategy.peakEwma(), PassiveHealth.OFF, seed));
        outcomes.add(run("round robin + nginx max_fails=1 10s", Strategy.roundRobin(), PassiveHealth.OFF
                .withNginxSemantics(1, Duration.ofSeconds(10)), seed));
        return outcomes;
    }

    /** A completion on the virtual clock. */
    private record Completion(long time, Endpoint endpoint, boolean success, long latency) {
    }

    static Outcome run(String label, Strategy strategy, PassiveHealth health, long seed) {
        long[] clock = {0};
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < BACKENDS; i++) {
            endpoints.add(Endpoint.of("backend-" + i, 8080));
        }
        Endpoint stalled = endpoints.get(0);
        LoadBalancer lb = LoadBalancer.builder(strategy).endpoints(endpoints).health(health).ticker(() -> clock[0]).build();
        SplittableRandom random = new SplittableRandom(seed);
        PriorityQueue<Completion> pending = new PriorityQueue<>((a, b) -> Long.compare(a.time(), b.time()));
        long[] latencies = new long[(int) (RATE_PER_SECOND * DURATION / SECOND * 1.2)];
        int count = 0;
        long successes = 0;
        long next = 0;
        while (next < DURATION) {
            next += (long) (-Math.log(1 - random.nextDouble()) / RATE_PER_SECOND * SECOND);
            while (!pending.isEmpty() && pending.peek().time() <= next) {
                Completion done = pending.poll();
                clock[0] = done.time();
                lb.onComplete(done.endpoint(), done.success(), Duration.ofNanos(done.latency()));
            }
            clock[0] = next;
            double serviceDraw = Math.exp(Math.log(10e6) + 0.5 * random.nextGaussian());
            Endpoint endpoint = Objects.requireNonNull(lb.pick(null), "the simulated endpoints are never all ejected");
            lb.onStart(endpoint);
            long service = endpoint.equals(stalled) && next >= STALL_FROM && next < STALL_TO ? STALL_LATENCY : (long) serviceDraw;
            boolean success = service <= TIMEOUT;
            long seen = Math.min(service, TIMEOUT);
            pending.add(new Completion(next + seen, endpoint, success, seen));
            if (count < latencies.length) {
                latencies[count++] = seen;
            }
            if (success) {
                successes++;
            }
        }
        long[] sorted = Arrays.copyOf(latencies, count);
        Arrays.sort(sorted);
        double p99 = sorted[(int) Math.min(count - 1, Math.ceil(count * 0.99) - 1)] / 1e6;
        return new Outcome(label, (double) successes / count, p99, count);
    }
}
