package io.reporadar.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.reporadar.health.httpserver.HttpServerAdapter;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The endpoints over real HTTP, on the JDK's HttpServer. */
class HealthHttpIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    // 1,000 connects at once finish on the client's one selector thread: on a loaded 2-core machine that took over
    // 2 s (CI failed once); the tests measure runs and statuses, not connect times.
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15)).build();
    private final AtomicBoolean dbUp = new AtomicBoolean(true);
    private final AtomicInteger dbRuns = new AtomicInteger();
    private @Nullable HttpServer server; // set by serve(), which each test calls first
    private @Nullable Health health;

    private void serve(DetailsPolicy policy, Duration interval) throws IOException {
        Health health = Health.builder()
                .check(CheckSpec.dependency("db", () -> {
                    dbRuns.incrementAndGet();
                    return dbUp.get() ? Result.up().withDetail("latencyMs", 1) : Result.down("refused");
                }).critical().interval(interval))
                .check(CheckSpec.dependency("cache", Result::up).interval(interval))
                .check(CheckSpec.internal("threads", Result::up).interval(interval))
                .build().start();
        this.health = health;
        // A backlog for the thousand probes connecting at once: with 200, a loaded machine dropped SYNs, and the
        // retransmitted ones came after the client's 2 s connect timeout.
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        this.server = server;
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/health", HttpServerAdapter.handler(HealthEndpoints.of(health, policy)));
        health.markReady();
        server.start();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> health.snapshot().readiness() == Status.UP);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (health != null) {
            health.close();
        }
    }

    @Test
    void theLoadBalancerEndpointIsStatusOnly200Or503AndNeverCached() throws Exception {
        serve(DetailsPolicy.always(), Duration.ofMillis(50));

        HttpResponse<String> up = get("/health", null);
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(up.headers().firstValue("Cache-Control")).hasValue("no-store");

        dbUp.set(false);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> get("/health", null).statusCode() == 503);
        assertThat(get("/health", null).body()).isEqualTo("{\"status\":\"DOWN\"}");
        assertThat(get("/health/live", null).statusCode()).as("liveness ignores dependencies").isEqualTo(200);
    }

    @Test
    void headAnswersWithoutABodyAndOtherMethodsAreRefused() throws Exception {
        serve(DetailsPolicy.always(), Duration.ofMillis(50));

        HttpResponse<String> head = http.send(HttpRequest.newBuilder(uri("/health/ready"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();

        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/health"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(get("/health/nope", null).statusCode()).isEqualTo(404);
    }

    @Test
    void theBackendViewIsTheWholeTreeInOurJson() throws Exception {
        serve(DetailsPolicy.always(), Duration.ofMillis(50));

        JsonNode tree = JSON.readTree(get("/health/backend", "application/json").body());

        assertThat(tree.get("status").asText()).isEqualTo("UP");
        assertThat(tree.get("lifecycle").asText()).isEqualTo("READY");
        assertThat(tree.get("groups").get("readiness").asText()).isEqualTo("UP");
        assertThat(tree.get("groups").get("liveness").asText()).isEqualTo("UP");
        JsonNode db = tree.get("checks").get("db");
        assertThat(db.get("status").asText()).isEqualTo("UP");
        assertThat(db.get("critical").asBoolean()).isTrue();
        assertThat(db.get("details").get("latencyMs").asInt()).isEqualTo(1);
        assertThat(db.has("durationMs")).isTrue();
        assertThat(tree.get("checks").size()).isEqualTo(3);
    }

    @Test
    void theIetfHealthJsonFormatIsServedOnRequest() throws Exception {
        serve(DetailsPolicy.always(), Duration.ofMillis(50));
        dbUp.set(false);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> health().snapshot().readiness() == Status.DOWN);

        HttpResponse<String> response = get("/health/ready", "application/health+json");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/health+json");
        JsonNode doc = JSON.readTree(response.body());
        assertThat(doc.get("status").asText()).isEqualTo("fail");
        JsonNode db = doc.get("checks").get("db:responseTime").get(0);
        assertThat(db.get("status").asText()).isEqualTo("fail");
        assertThat(db.get("output").asText()).isEqualTo("refused");
        assertThat(db.get("observedUnit").asText()).isEqualTo("ms");
        assertThat(doc.get("checks").has("threads:responseTime")).as("readiness lists its own checks").isFalse();
    }

    @Test
    void plainTextListsEachCheckLikeKubernetes() throws Exception {
        serve(DetailsPolicy.always(), Duration.ofMillis(50));

        HttpResponse<String> response = get("/health/ready", "text/plain");

        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(response.body()).isEqualTo("[+]db ok\n[+]cache ok\nreadiness check passed (UP)\n");
    }

    @Test
    void detailsAreShownOnlyToCallersThePolicyAllows() throws Exception {
        serve(DetailsPolicy.token("0123456789abcdef-token"), Duration.ofMillis(50));

        assertThat(get("/health/backend", null).body()).isEqualTo("{\"status\":\"UP\"}");
        HttpResponse<String> withToken = http.send(HttpRequest.newBuilder(uri("/health/backend"))
                .header("Authorization", "Bearer 0123456789abcdef-token").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(withToken.body()).has("checks")).isTrue();
        HttpResponse<String> wrongToken = http.send(HttpRequest.newBuilder(uri("/health/backend"))
                .header("Authorization", "Bearer 0123456789abcdef-tokeX").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongToken.body()).isEqualTo("{\"status\":\"UP\"}");
    }

    @Test
    void aThousandConcurrentProbesCauseAtMostOneRunPerInterval() throws Exception {
        serve(DetailsPolicy.always(), Duration.ofSeconds(1));
        int before = dbRuns.get();
        long started = System.nanoTime();

        List<CompletableFuture<HttpResponse<Void>>> probes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            probes.add(http.sendAsync(HttpRequest.newBuilder(uri("/health/ready")).build(), HttpResponse.BodyHandlers.discarding()));
        }
        for (CompletableFuture<HttpResponse<Void>> probe : probes) {
            assertThat(probe.get().statusCode()).isEqualTo(200);
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        int runs = dbRuns.get() - before;
        assertThat(runs).as("%d runs for 1000 probes over %.1f s", runs, seconds).isLessThanOrEqualTo((int) Math.ceil(seconds * 1.1) + 1);
    }

    @Test
    void drainingShowsReadyDownLiveUpFinishesInFlightWorkThenRefusesConnections() throws Exception {
        serve(DetailsPolicy.always(), Duration.ofMillis(50));
        InFlightRequests inFlight = new InFlightRequests();
        server().createContext("/slow", exchange -> {
            try (exchange) {
                Thread.sleep(1500);
                byte[] body = "done".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).getFilters().add(HttpServerAdapter.inFlight(inFlight));
        GracefulShutdown shutdown = GracefulShutdown.builder(health())
                .drainDelay(Duration.ofMillis(800))
                .drainTimeout(Duration.ofSeconds(5))
                .stopAccepting(() -> new Thread(() -> server().stop(5)).start())
                .inFlight(inFlight)
                .build();

        CompletableFuture<HttpResponse<String>> slow = http.sendAsync(HttpRequest.newBuilder(uri("/slow")).build(),
                HttpResponse.BodyHandlers.ofString());
        Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> inFlight.count() == 1);
        Thread drain = new Thread(shutdown::run);
        drain.start();

        Awaitility.await().atMost(Duration.ofMillis(500)).until(() -> health().lifecycle() == Lifecycle.DRAINING);
        assertThat(get("/health/ready", null).statusCode()).isEqualTo(503);
        assertThat(get("/health/live", null).statusCode()).isEqualTo(200);
        assertThat(get("/health", null).body()).isEqualTo("{\"status\":\"OUT_OF_SERVICE\"}");

        drain.join(10_000);
        assertThat(slow.get().statusCode()).as("the request in flight finished").isEqualTo(200);
        assertThat(slow.get().body()).isEqualTo("done");
        assertThat(health().lifecycle()).isEqualTo(Lifecycle.STOPPED);
        int port = server().getAddress().getPort();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(ConnectException.class);
    }

    private HttpResponse<String> get(String path, @Nullable String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server().getAddress().getPort() + path);
    }

    private HttpServer server() {
        return Objects.requireNonNull(server, "serve() first");
    }

    private Health health() {
        return Objects.requireNonNull(health, "serve() first");
    }
}
