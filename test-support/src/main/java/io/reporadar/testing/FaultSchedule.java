package io.reporadar.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * A seeded schedule of faults over a {@link RedisSentinelTopology}: process faults (kill -9, SIGSTOP, restart)
 * and network partitions, which node, when and for how long. The same seed gives the same schedule, so a failing
 * one can be replayed. Partitions need a topology {@linkplain RedisSentinelTopology.Builder#onHostsOfTheirOwn() on
 * hosts of their own}.
 *
 * <pre>{@code
 * FaultSchedule schedule = FaultSchedule.generate(42, 4);
 * System.out.println(schedule);   // seed 42: after 2.1 s freeze the master for 3.4 s; ...
 * for (FaultSchedule.Fault fault : schedule.faults()) {
 *     Thread.sleep(fault.pause().toMillis());
 *     fault.apply(topology);       // returns once the node is back (and, for a master, once it was failed over)
 * }
 * }</pre>
 *
 * <p>Targets are roles, resolved when the fault is applied: the current master, the first or second of the
 * other data nodes (by port), or a Sentinel. A killed master is started again only after the Sentinels have
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

    /** The node a fault hits, resolved when it is applied. */
    public enum Target {
        MASTER, FIRST_REPLICA, SECOND_REPLICA, SENTINEL_1, SENTINEL_2, SENTINEL_3;

        RedisServer resolve(RedisSentinelTopology topology) {
            return switch (this) {
                case MASTER -> topology.currentMaster();
                case FIRST_REPLICA, SECOND_REPLICA -> {
                    RedisServer master = topology.currentMaster();
                    List<RedisServer> others = topology.servers().stream().filter(server -> server != master)
                            .sorted(java.util.Comparator.comparingInt(RedisServer::port)).toList();
                    yield others.get(Math.min(this == FIRST_REPLICA ? 0 : 1, others.size() - 1));
                }
                case SENTINEL_1 -> topology.sentinels().get(0);
                case SENTINEL_2 -> topology.sentinels().get(1);
                case SENTINEL_3 -> topology.sentinels().get(2);
            };
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    /** One fault: after {@code pause} (from the end of the previous one), {@code kind} on {@code target} for {@code duration}. */
    public record Fault(Duration pause, Target target, Kind kind, Duration duration) {

        /**
         * Applies the fault and returns once the target runs again; the topology's Sentinels decide meanwhile.
         * Returns the server it hit.
         */
        public RedisServer apply(RedisSentinelTopology topology) throws InterruptedException {
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
            return server;
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
     * {@code count} faults drawn from {@code seed}: half of them on the master, the rest spread over the replicas
     * and the Sentinels, each of the four kinds alike; pauses of 1-3 s, faults lasting 1-4 s.
     */
    public static FaultSchedule generate(long seed, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count: " + count + " (expected: at least 1)");
        }
        SplittableRandom random = new SplittableRandom(seed); // well mixed even for seeds 1, 2, 3 ...
        Target[] others = {Target.FIRST_REPLICA, Target.SECOND_REPLICA, Target.SENTINEL_1, Target.SENTINEL_2, Target.SENTINEL_3};
        List<Fault> faults = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Target target = random.nextBoolean() ? Target.MASTER : others[random.nextInt(others.length)];
            Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
            faults.add(new Fault(Duration.ofMillis(1000 + random.nextInt(2000)), target, kind, Duration.ofMillis(1000 + random.nextInt(3000))));
        }
        return new FaultSchedule(seed, faults);
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
