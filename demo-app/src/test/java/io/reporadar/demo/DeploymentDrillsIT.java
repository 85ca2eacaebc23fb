package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.NginxServer;
import io.reporadar.testing.PostgresServer;
import io.reporadar.testing.RedisExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
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

    private static PostgresServer postgres;
    private static final List<InstanceProcess> instances = new ArrayList<>();
    private static NginxServer nginx;

    @BeforeAll
    static void startTopology() throws Exception {
        postgres = PostgresServer.start(Map.of("max_connections", "50"));
        Map<String, String> env = DemoAppIT.environment("unused", redis.uri(), postgres.createDatabase().url());
        env.put("DRAIN_DELAY_SECONDS", "2"); // nginx learns of a stopping instance from refused connections, not readiness
        ExecutorService launcher = Executors.newFixedThreadPool(3);
        try {
            List<Future<InstanceProcess>> starting = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                String id = "reporadar-" + i;
                starting.add(launcher.submit(() -> InstanceProcess.start(id, env)));
            }
            for (Future<InstanceProcess> instance : starting) {
                instances.add(instance.get());
            }
        } finally {
            launcher.shutdown();
        }
        nginx = NginxServer.start(port -> NginxConfig.httpBlock(instances.stream().map(InstanceProcess::endpoint).toList(),
                "127.0.0.1:" + port, 100_000));
    }

    @AfterEach
    void everyInstanceRunsAgainAndIsBackInNginxRotation() {
        instances.stream().filter(instance -> !instance.isAlive()).forEach(instance -> {
            instance.start();
            awaitBackInRotation(instance);
        });
    }

    /**
     * nginx left the instance out when its connections were refused; it tries it again {@link NginxConfig#FAIL_TIMEOUT}
     * after the last failure, which came at the latest just before the instance was ready.
     */
    private static void awaitBackInRotation(InstanceProcess instance) {
        long wait = instance.readyAtNanos() + NginxConfig.FAIL_TIMEOUT.plusMillis(500).toNanos() - System.nanoTime();
        if (wait > 0) {
            InstanceProcess.sleep(Duration.ofNanos(wait).toMillis());
        }
    }

    @AfterAll
    static void stopTopology() {
        if (nginx != null) {
            nginx.close();
        }
        instances.forEach(InstanceProcess::close);
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void throughNginxOneSessionIsServedByAllThreeJvmsAndTheWatchlistPersists() throws Exception {
        String cookie = SteadyLoad.login(front(), "margaret");
        Set<String> served = new HashSet<>();
        HttpResponse<String> me = null;
        for (int i = 0; i < 30; i++) {
            me = send("GET", "/api/me", cookie, null);
            assertThat(me.statusCode()).isEqualTo(200);
            served.add(me.headers().firstValue("X-Instance-Id").orElseThrow());
        }
        assertThat(served).containsExactlyInAnyOrder("reporadar-1", "reporadar-2", "reporadar-3");
        assertThat(me.body()).contains("\"username\":\"margaret\"").contains("\"visits\":30");

        assertThat(send("POST", "/api/watchlist", cookie, "{\"repo\":\"apollo/agc\"}").statusCode()).isEqualTo(201);
        for (int i = 0; i < 3; i++) {
            assertThat(send("GET", "/api/watchlist", cookie, null).body()).isEqualTo("{\"username\":\"margaret\",\"repos\":[\"apollo/agc\"]}");
        }

        String tampered = cookie.substring(0, cookie.length() - 1) + (cookie.endsWith("A") ? "B" : "A");
        HttpResponse<String> forged = send("GET", "/api/me", tampered, null);
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).isEqualTo("{\"error\":\"not logged in\"}");
    }

    @Test
    void sigtermUnderLoadFailsNoRequest() throws Exception {
        InstanceProcess stopping = instances.get(0);
        try (SteadyLoad load = SteadyLoad.start(front(), USERS)) {
            load.awaitMore(300, Duration.ofSeconds(30));
            stopping.terminate();
            assertThat(stopping.awaitExit()).as("exit code after SIGTERM").isEqualTo(SIGTERM_EXIT);
            load.awaitMore(300, Duration.ofSeconds(30));
            load.close();
            assertNoFailures("SIGTERM one instance", load);
        }
        assertThat(stopping.logTail()).contains("draining: readiness is OUT_OF_SERVICE").contains("stopped after");
    }

    @Test
    void restartingAllThreeOneAfterAnotherUnderLoadFailsNoneOfAtLeast2000Requests() throws Exception {
        try (SteadyLoad load = SteadyLoad.start(front(), USERS)) {
            for (InstanceProcess instance : instances) {
                load.awaitMore(200, Duration.ofSeconds(30));
                instance.terminate();
                assertThat(instance.awaitExit()).isEqualTo(SIGTERM_EXIT);
                instance.start();
                awaitBackInRotation(instance);
            }
            load.awaitMore(Math.max(200, 2_000 - load.succeeded()), Duration.ofSeconds(30));
            load.close();
            assertNoFailures("rolling restart of three", load);
            assertThat(load.succeeded()).isGreaterThanOrEqualTo(2_000);
        }
    }

    @Test
    void killingAnInstanceUnderLoadFailsNoGetAndLosesNoSession() throws Exception {
        InstanceProcess victim = instances.get(1);
        try (SteadyLoad load = SteadyLoad.start(front(), USERS)) {
            load.awaitMore(300, Duration.ofSeconds(30));
            victim.kill();
            load.awaitMore(500, Duration.ofSeconds(30));
            load.close();
            assertNoFailures("kill -9 one instance", load);
            assertThat(load.lostWrites()).as("acknowledged visits missing afterwards").isZero();
        }
    }

    @Test
    void withPostgresDownEveryInstanceIsUnreadyButAliveAndRecoversWhenItReturns() throws Exception {
        String cookie = SteadyLoad.login(front(), "linus");
        long stopped = System.nanoTime();
        postgres.stop();
        try {
            Awaitility.await("readiness 503 on every instance").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> instances.stream().allMatch(instance -> instance.status("/health/ready") == 503));
            long unready = System.nanoTime();
            assertThat(instances).allSatisfy(instance -> assertThat(instance.status("/health/live")).as(instance + " liveness").isEqualTo(200));
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
                .until(() -> instances.stream().allMatch(instance -> instance.status("/health/ready") == 200));
        System.out.printf("drill %-28s readiness 200 on all three %d ms after PostgreSQL answered again%n", "PostgreSQL back",
                Duration.ofNanos(System.nanoTime() - restarted).toMillis());
        HttpResponse<String> add = send("POST", "/api/watchlist", cookie, "{\"repo\":\"postgres/postgres\"}");
        assertThat(add.statusCode()).isEqualTo(201);
        assertThat(send("GET", "/api/watchlist", cookie, null).body()).contains("postgres/postgres");
    }

    private static void assertNoFailures(String drill, SteadyLoad load) {
        System.out.printf("drill %-28s %6d requests through nginx, %d failed, %d lost writes, slowest %d ms%n", drill,
                load.succeeded() + load.failures().size(), load.failures().size(), load.lostWrites(), load.slowest().toMillis());
        assertThat(load.failures()).as(() -> load.summary() + "\nnginx's last errors:\n" + lastErrors(nginx.errorLog())).isEmpty();
    }

    /** The last error and warning lines of an nginx error log, shortened to time, message and upstream. */
    private static String lastErrors(String log) {
        List<String> lines = log.lines().filter(line -> line.contains("[error]") || line.contains("[warn]"))
                .filter(line -> !line.contains("no live upstreams"))
                .map(line -> line.replaceAll("\\[(error|warn)\\] [0-9#]+: \\*\\d+ ", "").replaceAll(", client: .*upstream: \"", " ")
                        .replaceAll("/api/me\".*", ""))
                .toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())) + "\n(and "
                + log.lines().filter(line -> line.contains("no live upstreams")).count() + " times: no live upstreams)";
    }

    private static URI front() {
        return nginx.url("/");
    }

    private static HttpResponse<String> send(String method, String path, String cookie, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(front().resolve(path)).header("Cookie", cookie)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
