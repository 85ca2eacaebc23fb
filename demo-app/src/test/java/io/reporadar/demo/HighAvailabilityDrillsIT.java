package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.session.SessionRedis;
import io.reporadar.testing.FaultProxy;
import io.reporadar.testing.PostgresExtension;
import io.reporadar.testing.RedisSentinelTopology;
import io.reporadar.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The high-availability promises, drilled with real processes: a Redis master, a replica and three Sentinels
 * with the deployment guide's settings (quorum 2, down-after 5 s, failover timeout 10 s); three demo JVMs
 * reaching Redis through the Sentinels with {@code SESSION_DURABILITY=replica}; nginx in front; steady load
 * through nginx, each user's visits counted so that a lost acknowledged write shows. The drills run in order
 * on one Redis pair (the killed master returns as a replica, and is the one the freeze then fails over to) and
 * print the table kept in {@code docs/high-availability.md}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HighAvailabilityDrillsIT {

    private static final int USERS = 6;
    /** nginx tries up to 3 instances (proxy_next_upstream_tries), each bounded by the command timeout. */
    private static final Duration LONGEST_REQUEST = SessionRedis.DEFAULT_COMMAND_TIMEOUT.plusMillis(500).multipliedBy(3);

    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.freshDatabase();

    private static RedisSentinelTopology redis;

    /** A failed drill prints what every Redis node went through, next to the servers' logs. */
    @RegisterExtension
    static final TestWatcher replicationOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, @Nullable Throwable cause) {
            if (redis != null) {
                System.out.println(context.getDisplayName() + " failed; Redis now:" + redis.describe() + "\n" + redis.history());
            }
        }
    };
    private static DrillTopology topology;
    private static Map<String, String> env;
    private static final List<String> table = new ArrayList<>();

    @BeforeAll
    static void startTopology() throws Exception {
        redis = RedisSentinelTopology.builder().unpromotableUntilGuarded().start();
        env = DemoAppIT.environment("unused", redis.sentinelUri(), postgres.database().url());
        env.put("DRAIN_DELAY", "2s");
        env.put("SESSION_DURABILITY", "replica-required");
        env.put("JOBS_DURABILITY", "replica"); // an enqueue is acknowledged once a replica has it
        env.put("JOBS_STEP", "20ms");
        topology = DrillTopology.start(env);
    }

    @AfterEach
    void everyInstanceRunsAgain() {
        topology.restartStopped();
    }

    @AfterAll
    static void stopTopologyAndPrintTheTable() {
        if (topology != null) {
            topology.close();
        }
        if (redis != null) {
            redis.close();
        }
        System.out.println("| drill | writes succeed again after | requests | failed writes | failed reads | lost writes | slowest request |");
        System.out.println("|---|---|---|---|---|---|---|");
        table.forEach(System.out::println);
    }

    @Test
    @Order(1)
    void killingAnInstanceFailsNoReadAndOnlyTheWritesInFlightOnItAndLosesNoWrite() throws Exception {
        try (SteadyLoad load = SteadyLoad.start(topology.front(), USERS)) {
            load.awaitMore(300, Duration.ofSeconds(30));
            long fault = System.nanoTime();
            topology.instance(3).kill();
            load.awaitMore(500, Duration.ofSeconds(30));
            load.stop();
            record("kill -9 one instance", load, fault);
            topology.assertFailedWritesAtMost("kill -9 one instance", load, USERS);
            assertThat(load.lostWrites()).isZero();
        }
    }

    @Test
    @Order(2)
    void cuttingOneInstanceOffRedisFailsNoReadAndLosesNoWrite() throws Exception {
        InstanceProcess cut = topology.instance(3);
        RedisServer master = redis.currentMaster();
        try (FaultProxy proxy = FaultProxy.to(master.host(), master.port())) {
            // For this drill the instance reaches the master straight through the fault proxy, not through the Sentinels.
            cut.kill();
            cut.setEnvironment("REDIS_URL", "redis://127.0.0.1:" + proxy.port());
            topology.restartStopped();
            try (SteadyLoad load = SteadyLoad.start(topology.front(), USERS)) {
                load.awaitMore(300, Duration.ofSeconds(30));
                long fault = System.nanoTime();
                proxy.blackhole();
                Awaitility.await("readiness 503 on the instance cut off").atMost(Duration.ofSeconds(20))
                        .until(() -> cut.status("/health/ready") == 503);
                load.awaitMore(500, Duration.ofSeconds(30));
                proxy.heal();
                load.awaitMore(200, Duration.ofSeconds(30));
                load.stop();
                record("cut one instance off Redis", load, fault);
                // Writes that land on the instance cut off fail (503, Retry-After) until nginx leaves it out after its
                // failed reads; nginx never resends a POST.
                topology.assertFailedWritesAtMost("cut one instance off Redis", load, Integer.MAX_VALUE);
                assertThat(load.lostWrites()).isZero();
            }
        } finally {
            cut.kill();
            cut.setEnvironment("REDIS_URL", redis.sentinelUri());
        }
    }

    @Test
    @Order(3)
    void killingTheMasterFailsNoReadResumesWritesInSecondsAndLosesNoAcknowledgedWriteNorEnqueue() throws Exception {
        awaitHealthyReplication();
        Awaitility.await("/metrics to count both replicas online").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> topology.instance(1).body("/metrics").contains("reporadar_session_redis_replicas_online{instance_id=\"reporadar-1\"} 2.0"));
        try (JobLedger jobs = JobLedger.open(topology, "jobs-failover", 1, postgres.database(), redis.sentinelUri(), env);
             SteadyLoad load = SteadyLoad.start(topology.front(), USERS)) {
            jobs.enqueueUntilStopped();
            load.awaitMore(300, Duration.ofSeconds(30));
            long fault = System.nanoTime();
            redis.currentMaster().kill();
            awaitFailoverAndRecovery(load, fault, "the kill");
            load.stop();
            String enqueues = jobs.stopEnqueueing();
            jobs.awaitAllCompleted(Duration.ofSeconds(60));
            int runs = jobs.assertRanOnceAndNeverTwiceAtOnce(null, null);
            System.out.printf("drill %-28s %s; all completed, each returned once, none twice at once (%d runs)%n", "master failover, jobs",
                    enqueues, runs);
            Duration recovery = record("kill -9 the Redis master", load, fault);
            // The target is 10 s (measured: 5.8-9.1 s, see docs/high-availability.md); the bound leaves room for Sentinel's
            // randomised election delay on a busy CI machine.
            assertThat(recovery).as("writes succeed again after").isLessThanOrEqualTo(Duration.ofSeconds(12));
            assertThat(load.readFailures()).as("reads answered by a replica meanwhile").isEmpty();
            assertThat(load.lostWrites()).as("acknowledged writes lost").isZero();
            assertThat(load.slowest()).isLessThanOrEqualTo(LONGEST_REQUEST);
        }
        assertThat(topology.instance(1).body("/metrics")).as("the failover counted for the alert (docker/monitoring)")
                .containsPattern("reporadar_session_events_total\\{event=\"master-changed\",instance_id=\"reporadar-1\"} [1-9]");
        RedisServer promoted = redis.currentMaster();
        Awaitility.await("/health/backend to name the promoted master").atMost(Duration.ofSeconds(20))
                .until(() -> topology.instance(1).body("/health/backend")
                        .contains("\"sentinelMaster\":\"" + promoted.host() + ":" + promoted.port() + "\""));
        assertThat(topology.instance(1).body("/health/backend")).contains("\"role\":\"master\"");
    }

    @Test
    @Order(4)
    void theKilledMasterReturnsAsAReplicaNoReadFailsAndAtMostASavePerUserDoesWhileItStartsToCount() throws Exception {
        RedisServer old = redis.servers().stream().filter(server -> !server.isRunning()).findFirst().orElseThrow();
        try (SteadyLoad load = SteadyLoad.start(topology.front(), USERS)) {
            load.awaitMore(300, Duration.ofSeconds(30));
            long fault = System.nanoTime();
            old.restart();
            redis.awaitReplica(old, Duration.ofSeconds(30));
            load.awaitMore(500, Duration.ofSeconds(30));
            load.stop();
            record("old master returns (as replica)", load, fault);
            // Saves wait for every replica that streams (docs/high-availability.md, CI's second finding): the node
            // that comes back counts once it is online, and may not acknowledge within the 500 ms WAIT for the
            // moment it catches up (or streams, after a diskless sync), so a save per user may fail then. Reads never.
            topology.assertFailedWritesAtMost("old master returns", load, 2 * USERS);
        }
    }

    @Test
    @Order(5)
    void freezingTheMasterFailsNoReadBoundsEveryRequestLosesNoAcknowledgedWriteAndItsReturnMeetsNoReadOnly() throws Exception {
        awaitHealthyReplication();
        try (SteadyLoad load = SteadyLoad.start(topology.front(), USERS)) {
            load.awaitMore(300, Duration.ofSeconds(30));
            RedisServer frozen = redis.currentMaster();
            long fault = System.nanoTime();
            frozen.freeze(); // SIGSTOP: no RST, connections hang
            try {
                awaitFailoverAndRecovery(load, fault, "SIGSTOP");
            } finally {
                frozen.thaw();
            }
            redis.awaitReplica(frozen, Duration.ofSeconds(30));
            long returned = System.nanoTime();
            load.awaitMore(500, Duration.ofSeconds(30));
            load.stop();
            Duration recovery = record("SIGSTOP the Redis master, then SIGCONT", load, fault);
            assertThat(load.failures()).as("READONLY never reaches a client").noneMatch(failure -> failure.what().contains("READONLY"));
            assertThat(load.failuresSince(returned)).as("failures once the frozen master is back as a replica").isEmpty();
            assertThat(load.readFailures()).as("reads answered by a replica meanwhile").isEmpty();
            assertThat(load.lostWrites()).as("acknowledged writes lost").isZero();
            assertThat(load.slowest()).isLessThanOrEqualTo(LONGEST_REQUEST);
            assertThat(recovery).isLessThanOrEqualTo(Duration.ofSeconds(15));
        }
    }

    /** Every drill on the master starts with both replicas streaming from it. */
    private static void awaitHealthyReplication() {
        redis.awaitReplication(Duration.ofSeconds(30));
    }

    /** Waits for the Sentinels to promote the replica, then for 300 successes, and prints how long promotion took. */
    private static void awaitFailoverAndRecovery(SteadyLoad load, long faultNanos, String fault) throws InterruptedException {
        redis.awaitFailover(Duration.ofSeconds(30));
        System.out.println("Sentinels promoted the replica " + Duration.ofNanos(System.nanoTime() - faultNanos).toMillis() + " ms after " + fault);
        awaitRecovery(load, 300);
    }

    /** Waits for {@code more} successes; when they do not come, fails quoting what the instances said about Redis. */
    private static void awaitRecovery(SteadyLoad load, long more) throws InterruptedException {
        try {
            load.awaitWritesBack(Duration.ofSeconds(60));
            load.awaitMore(more, Duration.ofSeconds(60));
        } catch (IllegalStateException e) {
            StringBuilder logs = new StringBuilder(e.getMessage()).append("; ").append(load.summary());
            for (InstanceProcess instance : topology.instances()) {
                logs.append("\n").append(instance).append(":\n").append(instance.logTail().lines()
                        .filter(line -> line.contains("Redis") || line.contains("Sentinel") || line.contains("redis"))
                        .filter(line -> !line.startsWith("\tat ")).map(line -> line.length() > 240 ? line.substring(0, 240) : line)
                        .collect(java.util.stream.Collectors.joining("\n")));
            }
            throw new AssertionError(logs.toString(), e);
        }
    }

    private static Duration record(String drill, SteadyLoad load, long faultNanos) {
        Duration recovery = load.recoveryAfter(faultNanos);
        DrillTopology.report(drill, load);

        long requests = load.succeeded() + load.failures().size();
        table.add(String.format("| %s | %s | %d | %d | %d | %d | %d ms |", drill,
                recovery.isZero() ? "no write failed" : String.format("%.1f s", recovery.toMillis() / 1000.0),
                requests, load.writeFailures().size(), load.readFailures().size(), load.lostWrites(), load.slowest().toMillis()));
        return recovery;
    }
}
