package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.PostgresDatabase;
import io.reporadar.testing.PostgresServer;
import io.reporadar.testing.RedisExtension;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The deployment guide's promises, drilled with real processes: three demo JVMs behind the rendered nginx,
 * sharing Redis and a private PostgreSQL, under steady load through nginx.
 */
class DeploymentDrillsIT {

    private static final int USERS = 6;
    private static final int SIGTERM_EXIT = 143;

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();

    /** The instances' job lease: a killed instance's jobs run again elsewhere within it and a second. */
    private static final Duration JOB_LEASE = Duration.ofSeconds(3);

    private static PostgresServer postgres;
    private static PostgresDatabase database;
    private static Map<String, String> env;
    private static DrillTopology topology;

    @BeforeAll
    static void startTopology() throws Exception {
        postgres = PostgresServer.start(Map.of("max_connections", "50"));
        database = postgres.createDatabase();
        env = DemoAppIT.environment("unused", redis.uri(), database.url());
        env.put("DRAIN_DELAY", "2s"); // nginx learns of a stopping instance from refused connections, not readiness
        env.put("JOBS_STEP", "200ms"); // a batch analysis takes 200 ms per repository on the watchlist
        env.put("JOBS_LEASE", JOB_LEASE.toSeconds() + "s");
        topology = DrillTopology.start(env);
    }

    @AfterEach
    void everyInstanceRunsAgainAndIsBackInNginxRotation() {
        topology.restartStopped();
    }

    @AfterAll
    static void stopTopology() {
        if (topology != null) {
            topology.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void throughNginxOneSessionIsServedByAllThreeJvmsAndTheWatchlistPersists() throws Exception {
        String cookie = SteadyLoad.login(front(), "margaret");
        Set<String> served = new HashSet<>();
        String last = "";
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> me = send("POST", "/api/visits", cookie, null);
            assertThat(me.statusCode()).isEqualTo(200);
            served.add(me.headers().firstValue("X-Instance-Id").orElseThrow());
            last = me.body();
        }
        assertThat(served).containsExactlyInAnyOrder("reporadar-1", "reporadar-2", "reporadar-3");
        assertThat(last).contains("\"username\":\"margaret\"").contains("\"visits\":30");

        assertThat(send("POST", "/api/watchlist", cookie, "{\"repo\":\"apollo/agc\"}").statusCode()).isEqualTo(201);
        for (int i = 0; i < 3; i++) {
            assertThat(send("GET", "/api/watchlist", cookie, null).body()).isEqualTo("{\"username\":\"margaret\",\"repos\":[\"apollo/agc\"]}");
        }

        String tampered = cookie.substring(0, cookie.length() - 1) + (cookie.endsWith("A") ? "B" : "A");
        HttpResponse<String> forged = send("GET", "/api/me", tampered, null);
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).isEqualTo("{\"error\":\"not logged in\"}");
        assertThat(topology.instance(1).logged("DEBUG io.reporadar.health.CheckRunner - check redis: UP"))
                .as("APP_ENV=development turns on the toolkit's debug logging").isTrue();
    }

    @Test
    void sigtermUnderLoadFailsNoRequest() throws Exception {
        InstanceProcess stopping = topology.instance(1);
        try (SteadyLoad load = SteadyLoad.start(front(), USERS)) {
            load.awaitMore(300, Duration.ofSeconds(30));
            stopping.terminate();
            assertThat(stopping.awaitExit()).as("exit code after SIGTERM").isEqualTo(SIGTERM_EXIT);
            load.awaitMore(300, Duration.ofSeconds(30));
            load.stop();
            topology.assertNoFailures("SIGTERM one instance", load);
        }
        assertThat(stopping.logTail()).contains("draining: readiness is OUT_OF_SERVICE").contains("stopped after");
    }

    @Test
    void restartingAllThreeOneAfterAnotherUnderLoadFailsNoneOfAtLeast2000RequestsAndLosesNoneOf1000Jobs() throws Exception {
        try (JobLedger jobs = JobLedger.open(topology, "jobs-rolling", 1, database, redis.uri(), env);
             SteadyLoad load = SteadyLoad.start(front(), USERS)) {
            jobs.enqueue(1000); // about 13 s of work for the three instances: it spans the restarts
            for (InstanceProcess instance : topology.instances()) {
                load.awaitMore(200, Duration.ofSeconds(30));
                instance.terminate();
                assertThat(instance.awaitExit()).isEqualTo(SIGTERM_EXIT);
                instance.start();
                DrillTopology.awaitBackInRotation(instance);
            }
            load.awaitMore(Math.max(200, 2_000 - load.succeeded()), Duration.ofSeconds(30));
            load.stop();
            topology.assertNoFailures("rolling restart of three", load);
            assertThat(load.succeeded()).isGreaterThanOrEqualTo(2_000);
            jobs.awaitAllCompleted(Duration.ofSeconds(90));
            int runs = jobs.assertRanOnceAndNeverTwiceAtOnce(null, null);
            System.out.printf("drill %-28s %d jobs all completed, each returned once, none twice at once; %d runs (%d handed back)%n",
                    "rolling restart, jobs", jobs.size(), runs, runs - jobs.size());
        }
    }

    @Test
    void killingAnInstanceUnderLoadFailsNoReadAndOnlyTheWritesInFlightOnItAndLosesNoSessionAndNoJob() throws Exception {
        InstanceProcess victim = topology.instance(2);
        try (JobLedger jobs = JobLedger.open(topology, "jobs-kill", 5, database, redis.uri(), env);
             SteadyLoad load = SteadyLoad.start(front(), USERS)) {
            load.awaitMore(300, Duration.ofSeconds(30));
            jobs.enqueue(60); // 1 s each: every instance holds jobs at the kill
            InstanceProcess.sleep(300);
            victim.kill();
            Instant killedAt = Instant.now();
            load.awaitMore(500, Duration.ofSeconds(30));
            load.stop();
            topology.assertFailedWritesAtMost("kill -9 one instance", load, USERS);
            assertThat(load.lostWrites()).as("acknowledged visits missing afterwards").isZero();
            jobs.awaitAllCompleted(Duration.ofSeconds(60));
            jobs.assertRanOnceAndNeverTwiceAtOnce(victim.id(), killedAt);
            JobLedger.Takeover takeover = jobs.takeover(victim.id(), killedAt);
            System.out.printf("drill %-28s %d jobs held by the killed instance ran again elsewhere, the last %d ms after the kill (lease %d ms)%n",
                    "kill -9, jobs", takeover.jobs(), takeover.longest().toMillis(), JOB_LEASE.toMillis());
            assertThat(takeover.jobs()).as("jobs the killed instance held").isPositive();
            assertThat(takeover.longest()).as("takeover after the kill").isLessThanOrEqualTo(JOB_LEASE.plusSeconds(1));
        }
    }

    @Test
    void withPostgresDownEveryInstanceIsUnreadyButAliveAndRecoversWhenItReturns() throws Exception {
        String cookie = SteadyLoad.login(front(), "linus");
        long stopped = System.nanoTime();
        postgres.stop();
        try {
            Awaitility.await("readiness 503 on every instance").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> topology.instances().stream().allMatch(instance -> instance.status("/health/ready") == 503));
            long unready = System.nanoTime();
            assertThat(topology.instances()).allSatisfy(instance -> assertThat(instance.status("/health/live")).as(instance + " liveness").isEqualTo(200));
            assertThat(send("GET", "/api/me", cookie, null).statusCode()).as("sessions live in Redis").isEqualTo(200);
            HttpResponse<String> add = send("POST", "/api/watchlist", cookie, "{\"repo\":\"postgres/postgres\"}");
            assertThat(add.statusCode()).isEqualTo(503);
            assertThat(add.body()).isEqualTo("{\"error\":\"database unavailable\"}");
            System.out.printf("drill %-28s readiness 503 on all three %d ms after the stop; liveness 200%n", "PostgreSQL down",
                    Duration.ofNanos(unready - stopped).toMillis());
        } finally {
            postgres.restart();
        }
        long restarted = System.nanoTime();
        Awaitility.await("readiness 200 on every instance").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> topology.instances().stream().allMatch(instance -> instance.status("/health/ready") == 200));
        System.out.printf("drill %-28s readiness 200 on all three %d ms after PostgreSQL answered again%n", "PostgreSQL back",
                Duration.ofNanos(System.nanoTime() - restarted).toMillis());
        HttpResponse<String> add = send("POST", "/api/watchlist", cookie, "{\"repo\":\"postgres/postgres\"}");
        assertThat(add.statusCode()).isEqualTo(201);
        assertThat(send("GET", "/api/watchlist", cookie, null).body()).contains("postgres/postgres");
    }

    private static URI front() {
        return topology.front();
    }

    private static HttpResponse<String> send(String method, String path, String cookie, @Nullable String body) throws Exception {
        return topology.send(method, path, cookie, body);
    }
}
