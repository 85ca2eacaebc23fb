package io.reporadar.lb;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP client helper and active checks against real HTTP servers. */
class HttpHelpersIT {

    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    private Endpoint server(int status, AtomicInteger hits, AtomicBoolean ready) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", exchange -> {
            try (exchange) {
                if (exchange.getRequestURI().getPath().equals("/health/ready")) {
                    exchange.sendResponseHeaders(ready.get() ? 200 : 503, -1);
                    return;
                }
                hits.incrementAndGet();
                byte[] body = (exchange.getRequestMethod() + " " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        servers.add(server);
        return Endpoint.of("127.0.0.1", server.getAddress().getPort());
    }

    private static Endpoint closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return Endpoint.of("127.0.0.1", socket.getLocalPort());
        }
    }

    @Test
    void idempotentRequestsMoveOnFromRefusedConnectionsAnd503sButPostsAreNeverRepeated() throws Exception {
        AtomicInteger okHits = new AtomicInteger();
        AtomicInteger busyHits = new AtomicInteger();
        Endpoint ok = server(200, okHits, new AtomicBoolean(true));
        Endpoint busy = server(503, busyHits, new AtomicBoolean(true));
        Endpoint dead = closedPort();
        LoadBalancer lb = LoadBalancer.builder(Strategy.roundRobin()).endpoints(List.of(ok, busy, dead))
                .health(PassiveHealth.OFF).build();
        BalancedHttpClient http = BalancedHttpClient.of(HttpClient.newHttpClient(), lb).withMaxAttempts(3);

        for (int i = 0; i < 30; i++) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://reporadar/api/me?i=" + i)), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("GET /api/me?i=" + i);
        }
        assertThat(okHits).hasValue(30);

        int before = okHits.get() + busyHits.get();
        int answered = 0;
        int busyAnswers = 0;
        for (int i = 0; i < 30; i++) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://reporadar/api/watchlist"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")), HttpResponse.BodyHandlers.ofString());
                answered++;
                if (response.statusCode() == 503) {
                    busyAnswers++;
                }
            } catch (java.net.ConnectException refused) {
                // a POST to the dead endpoint fails and is not repeated elsewhere
            }
        }
        assertThat(okHits.get() + busyHits.get() - before).as("one attempt per POST that reached a server").isEqualTo(answered);
        assertThat(busyAnswers).as("a 503 to a POST is returned, not retried").isPositive();
        assertThat(answered).isLessThan(30);
    }

    @Test
    void passiveHealthStopsSendingToARefusingEndpoint() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        Endpoint ok = server(200, hits, new AtomicBoolean(true));
        Endpoint dead = closedPort();
        LoadBalancer lb = LoadBalancer.of(Strategy.roundRobin(), List.of(ok, dead));
        BalancedHttpClient http = BalancedHttpClient.of(HttpClient.newHttpClient(), lb);

        for (int i = 0; i < 20; i++) {
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://reporadar/")), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        }
        assertThat(requireNonNull(lb.stats(dead)).failures()).as("max_fails=1: one refusal, then fail_timeout").isEqualTo(1);
    }

    @Test
    @SuppressWarnings("try") // the checks run while the block lasts, so the block needs no reference to them
    void activeChecksTakeAnUnreadyEndpointOutAndBringItBack() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(true);
        Endpoint flaky = server(200, new AtomicInteger(), ready);
        Endpoint steady = server(200, new AtomicInteger(), new AtomicBoolean(true));
        LoadBalancer lb = LoadBalancer.of(Strategy.roundRobin(), List.of(flaky, steady));
        try (ActiveHealthCheck checks = ActiveHealthCheck.builder(lb).interval(Duration.ofMillis(100))
                .timeout(Duration.ofMillis(500)).riseAndFall(2, 2).start()) {
            ready.set(false);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !lb.isAvailable(flaky));
            for (int i = 0; i < 10; i++) {
                assertThat(lb.pick(null)).isEqualTo(steady);
            }
            ready.set(true);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> lb.isAvailable(flaky));
        }
    }
}
