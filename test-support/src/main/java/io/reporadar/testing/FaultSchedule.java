package io.reporadar.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * A seeded schedule of faults over a {@link RedisSentinelTopology} and the service's instances: process faults
 * (kill -9, SIGSTOP, restart) and network partitions, which node or instance, when and for how long. The same seed
 * gives the same schedule, so a failing one can be replayed. Partitions need a topology
 * {@linkplain RedisSentinelTopology.Builder#onHostsOfTheirOwn() on hosts of their own}.
 *
 * <pre>{@code
 * FaultSchedule schedule = FaultSchedule.generate(42, 4);
 * System.out.println(schedule);   // seed 42: after 2.1 s freeze the master for 3.4 s; ...
 * for (FaultSchedule.Fault fault : schedule.faults()) {
 *     Thread.sleep(fault.pause().toMillis());
 *     fault.apply(topology, instances); // returns once the target is back (a master: once it was failed over)
 * }
 * }</pre>
 *
 * <p>Targets are roles, resolved when the fault is applied: the current master, the first or second of the
 * other data nodes (by port), a Sentinel, or one of three instances (which the caller runs, through
 * {@link Instances}; instances are not partitioned). A killed master is started again only after the Sentinels have
 * promoted a replica: a master that comes back before that, without its data, would be copied over its
 * replicas (docs/high-availability.md), a fault the deployment rules out; when the Sentinels have not failed over
 * within {@link #OPERATOR_RESTART_AFTER} (no promotable replica), it is started again as an operator would: it
 * keeps an append-only file, and most Sentinels still name it, so it starts as the master. Immutable and
 * thread-safe.
 */
public final class FaultSchedule {

    /**
     * How long a killed master stays down waiting for a failover before it is started again as an operator would
     * (a failover normally takes down-after plus a second or two; none comes while no replica is promotable).
     */
    public static final Duration OPERATOR_RESTART_AFTER = Duration.ofSeconds(20);

    /** What happens to the target. */
    public enum Kind {
        /** SIGKILL, then started again after the fault's duration. */
        KILL,
        /** SIGSTOP, then SIGCONT after the fault's duration: connections hang, nothing answers. */
        FREEZE,
        /** A graceful stop and start at once (a rolling restart). */
        RESTART,
        /**
         * Cut off from every other data node and Sentinel for the fault's duration, then healed; clients still
         * reach it. On the master: Jepsen's case (the Sentinels promote a replica while clients can still write to
         * the old master).
         */
        PARTITION
    }

    /** The node or instance a fault hits, resolved when it is applied. */
    public enum Target {
        MASTER, FIRST_REPLICA, SECOND_REPLICA, SENTINEL_1, SENTINEL_2, SENTINEL_3, INSTANCE_1, INSTANCE_2, INSTANCE_3;

        RedisServer resolve(RedisSentinelTopology topology) {
            return switch (this) {
                case MASTER -> topology.currentMaster();
                case FIRST_REPLICA, SECOND_REPLICA -> {
                    RedisServer master = topology.currentMaster();
                    List<RedisServer> others = topology.servers().stream().filter(server -> server != master)
                            .sorted(Comparator.comparingInt(RedisServer::port)).toList();
                    yield others.get(Math.min(this == FIRST_REPLICA ? 0 : 1, others.size() - 1));
                }
                case SENTINEL_1 -> topology.sentinels().get(0);
                case SENTINEL_2 -> topology.sentinels().get(1);
                case SENTINEL_3 -> topology.sentinels().get(2);
                case INSTANCE_1, INSTANCE_2, INSTANCE_3 -> throw new IllegalStateException(this + " is not a Redis node");
            };
        }

        /** The instance's index (0-2), or -1 for a Redis node. */
        int instance() {
            return switch (this) {
                case INSTANCE_1 -> 0;
                case INSTANCE_2 -> 1;
                case INSTANCE_3 -> 2;
                default -> -1;
            };
        }

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /**
     * The service's instances, which the caller runs (a topology knows only Redis); {@code index} is 0, 1 or 2.
     * Each method returns at once.
     */
    public interface Instances {
        /** Ends the instance at once, as kill -9 would: what it had in flight ends with it; it takes no request. */
        void kill(int index);

        /** Starts a killed instance again. */
        void start(int index);

        /** Stops the instance answering, as SIGSTOP would: requests that reach it wait. */
        void freeze(int index);

        /** Lets a frozen instance go on. */
        void thaw(int index);

        /** Restarts the instance gracefully: it takes no new request, finishes those it holds, stops and starts. */
        void restart(int index);
    }

    /** One fault: after {@code pause} (from the end of the previous one), {@code kind} on {@code target} for {@code duration}. */
    public record Fault(Duration pause, Target target, Kind kind, Duration duration) {

        /**
         * Applies the fault and returns once the target runs again; the topology's Sentinels decide meanwhile.
         */
        public void apply(RedisSentinelTopology topology, Instances instances) throws InterruptedException {
            int instance = target.instance();
            if (instance >= 0) {
                applyTo(instances, instance);
                return;
            }
            apply(topology);
        }

        /**
         * Applies a fault of a Redis node or Sentinel (see {@link FaultSchedule#withoutInstanceFaults()}).
         *
         * @throws IllegalStateException when the fault's target is an instance
         */
        public void apply(RedisSentinelTopology topology) throws InterruptedException {
            RedisServer server = target.resolve(topology);
            boolean wasMaster = server == topology.currentMaster();
            switch (kind) {
                case KILL -> {
                    server.kill();
                    Thread.sleep(duration.toMillis());
                    if (wasMaster) {
                        try {
                            topology.awaitFailover(OPERATOR_RESTART_AFTER, server);
                        } catch (IllegalStateException noFailover) {
                            // No replica was promotable (each restarted or resyncing moments before, not yet raised by
                            // a promotion guard): the Sentinels cannot fail over, and an operator restarts the master.
                        }
                    }
                    server.restart();
                }
                case FREEZE -> {
                    server.freeze();
                    try {
                        Thread.sleep(duration.toMillis());
                    } finally {
                        server.thaw();
                    }
                }
                case RESTART -> server.restart();
                case PARTITION -> {
                    topology.isolate(server);
                    try {
                        Thread.sleep(duration.toMillis());
                    } finally {
                        topology.healPartitions();
                    }
                }
            }
        }

        private void applyTo(Instances instances, int index) throws InterruptedException {
            switch (kind) {
                case KILL -> {
                    instances.kill(index);
                    Thread.sleep(duration.toMillis());
                    instances.start(index);
                }
                case FREEZE -> {
                    instances.freeze(index);
                    try {
                        Thread.sleep(duration.toMillis());
                    } finally {
                        instances.thaw(index);
                    }
                }
                case RESTART -> instances.restart(index);
                case PARTITION -> throw new IllegalStateException("instances are not partitioned: " + this);
            }
        }

        @Override
        public String toString() {
            return switch (kind) {
                case KILL -> String.format("after %.1f s kill -9 the %s, back after %.1f s", seconds(pause), target.label(), seconds(duration));
                case FREEZE -> String.format("after %.1f s freeze the %s for %.1f s", seconds(pause), target.label(), seconds(duration));
                case RESTART -> String.format("after %.1f s restart the %s", seconds(pause), target.label());
                case PARTITION -> String.format("after %.1f s cut the %s off from the other nodes and Sentinels for %.1f s", seconds(pause),
                        target.label(), seconds(duration));
            };
        }

        private static double seconds(Duration duration) {
            return duration.toMillis() / 1000.0;
        }
    }

    /** The kinds of fault an instance takes: the process faults (the instances are not on hosts of their own). */
    private static final Kind[] PROCESS_FAULTS = {Kind.KILL, Kind.FREEZE, Kind.RESTART};

    private final long seed;
    private final List<Fault> faults;

    private FaultSchedule(long seed, List<Fault> faults) {
        this.seed = seed;
        this.faults = List.copyOf(faults);
    }

    /** A schedule of the faults given, for a drill of a known case; {@code seed} only labels it. */
    public static FaultSchedule of(long seed, List<Fault> faults) {
        if (faults.isEmpty()) {
            throw new IllegalArgumentException("faults: none (expected: at least 1)");
        }
        return new FaultSchedule(seed, faults);
    }

    /**
     * {@code count} faults drawn from {@code seed}: half of them on the master, the rest spread over the replicas,
     * the Sentinels and the instances, each of the four kinds alike (instances: the three process faults alike);
     * pauses of 1-3 s, faults lasting 1-4 s.
     */
    public static FaultSchedule generate(long seed, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count: " + count + " (expected: at least 1)");
        }
        SplittableRandom random = new SplittableRandom(seed); // well mixed even for seeds 1, 2, 3 ...
        Target[] others = {Target.FIRST_REPLICA, Target.SECOND_REPLICA, Target.SENTINEL_1, Target.SENTINEL_2, Target.SENTINEL_3,
                Target.INSTANCE_1, Target.INSTANCE_2, Target.INSTANCE_3};
        List<Fault> faults = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Target target = random.nextBoolean() ? Target.MASTER : others[random.nextInt(others.length)];
            Kind[] kinds = target.instance() >= 0 ? PROCESS_FAULTS : Kind.values();
            Kind kind = kinds[random.nextInt(kinds.length)];
            faults.add(new Fault(Duration.ofMillis(1000 + random.nextInt(2000)), target, kind, Duration.ofMillis(1000 + random.nextInt(3000))));
        }
        return new FaultSchedule(seed, faults);
    }

    /**
     * This schedule without its instance faults, for a campaign whose instances run in the test JVM and cannot be
     * killed as processes; when every fault hit an instance, one fault instead: the master frozen for 3 s after 2 s.
     */
    public FaultSchedule withoutInstanceFaults() {
        List<Fault> kept = faults.stream().filter(fault -> fault.target().instance() < 0).toList();
        return new FaultSchedule(seed, kept.isEmpty()
                ? List.of(new Fault(Duration.ofSeconds(2), Target.MASTER, Kind.FREEZE, Duration.ofSeconds(3))) : kept);
    }

    /**
     * The seeds a campaign runs: those of the system property {@code campaign.seeds} (comma-separated) when given,
     * else 1 to {@code campaign.schedules} ({@code defaultCount} when unset).
     */
    public static List<Long> seeds(int defaultCount) {
        String given = System.getProperty("campaign.seeds");
        if (given != null && !given.isBlank()) {
            return java.util.Arrays.stream(given.split(",")).map(String::strip).map(Long::parseLong).toList();
        }
        List<Long> seeds = new ArrayList<>();
        for (long seed = 1; seed <= Integer.getInteger("campaign.schedules", defaultCount); seed++) {
            seeds.add(seed);
        }
        return seeds;
    }

    public long seed() {
        return seed;
    }

    public List<Fault> faults() {
        return faults;
    }

    @Override
    public String toString() {
        return "seed " + seed + ": " + faults.stream().map(Fault::toString).collect(Collectors.joining("; "));
    }
}
