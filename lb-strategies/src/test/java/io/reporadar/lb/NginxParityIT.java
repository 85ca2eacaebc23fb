package io.reporadar.lb;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.reporadar.testing.NginxExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real nginx as the oracle: nginx runs the upstream block NginxUpstream renders, in front of small servers
 * that answer with their own port; for 10,000 client addresses and 10,000 keys, the Java strategy must pick
 * the server nginx picked.
 */
class NginxParityIT {

    private static final int REQUESTS = 10_000;

    @RegisterExtension
    static final NginxExtension nginx = NginxExtension.perTest();

    private static final List<HttpServer> backends = new ArrayList<>();
    private static final List<Endpoint> endpoints = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();

    @BeforeAll
    static void startBackends() throws Exception {
        int[] weights = {1, 2, 1, 3, 1};
        for (int weight : weights) {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
            server.setExecutor(Executors.newFixedThreadPool(4));
            int port = server.getAddress().getPort();
            byte[] body = Integer.toString(port).getBytes(StandardCharsets.US_ASCII);
            server.createContext("/", exchange -> {
                try (exchange) {
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
            });
            server.start();
            backends.add(server);
            endpoints.add(Endpoint.of("127.0.0.1", port, weight));
        }
    }

    @AfterAll
    static void stopBackends() {
        backends.forEach(s -> s.stop(0));
    }

    @Test
    void ipHashSendsEveryClientWhereNginxSendsIt() throws Exception {
        String upstream = NginxUpstream.builder("backends", Strategy.ipHash()).servers(endpoints).maxFails(0).render();
        nginx.start(port -> upstream + "server {\n  listen 127.0.0.1:" + port + ";\n"
                + "  set_real_ip_from 127.0.0.1;\n  real_ip_header X-Real-IP;\n"
                + "  location / { proxy_pass http://backends; }\n}\n");
        LoadBalancer java = LoadBalancer.of(Strategy.ipHash(), endpoints);

        SplittableRandom random = new SplittableRandom(7);
        Map<String, String> requests = new HashMap<>();
        for (int i = 0; i < REQUESTS; i++) {
            byte[] a = new byte[4];
            for (int j = 0; j < 4; j++) {
                a[j] = (byte) random.nextInt(1, 255);
            }
            requests.put(InetAddress.getByAddress(a).getHostAddress(), "/");
        }

        Map<String, String> nginxPicks = send(requests, "X-Real-IP");
        int agree = 0;
        for (Map.Entry<String, String> pick : nginxPicks.entrySet()) {
            Endpoint chosen = requireNonNull(java.pick(PickContext.withClient(InetAddress.getByName(pick.getKey()))));
            if (Integer.toString(chosen.port()).equals(pick.getValue())) {
                agree++;
            }
        }
        assertThat(nginxPicks).hasSize(requests.size());
        assertThat(agree).as("clients sent where nginx sends them").isEqualTo(requests.size());
    }

    @Test
    void consistentHashSendsEveryKeyWhereNginxSendsIt() throws Exception {
        String upstream = NginxUpstream.builder("backends", Strategy.consistentHash()).hashKey("$arg_key")
                .servers(endpoints).maxFails(0).render();
        nginx.start(port -> upstream + "server {\n  listen 127.0.0.1:" + port + ";\n"
                + "  location / { proxy_pass http://backends; }\n}\n");
        LoadBalancer java = LoadBalancer.of(Strategy.consistentHash(), endpoints);

        Map<String, String> requests = new HashMap<>();
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < REQUESTS; i++) {
            String key = "session-" + Long.toHexString(random.nextLong());
            requests.put(key, "/?key=" + key);
        }

        Map<String, String> nginxPicks = send(requests, null);
        int agree = 0;
        for (Map.Entry<String, String> pick : nginxPicks.entrySet()) {
            Endpoint chosen = requireNonNull(java.pick(PickContext.withKey(pick.getKey())));
            if (Integer.toString(chosen.port()).equals(pick.getValue())) {
                agree++;
            }
        }
        assertThat(nginxPicks).hasSize(requests.size());
        assertThat(agree).as("keys sent where nginx sends them").isEqualTo(requests.size());
    }

    /**
     * Sends each request through nginx (at most 64 at once) and returns, per id, the port that answered.
     *
     * @param addressHeader the header that carries the id as the client's address, or {@code null} for none
     */
    private Map<String, String> send(Map<String, String> requests, @Nullable String addressHeader) throws Exception {
        Semaphore window = new Semaphore(64);
        Map<String, String> answers = new java.util.concurrent.ConcurrentHashMap<>();
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        for (Map.Entry<String, String> request : requests.entrySet()) {
            window.acquire();
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginx.server().port() + request.getValue()));
            if (addressHeader != null) {
                builder.header(addressHeader, request.getKey());
            }
            inFlight.add(http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, failure) -> {
                        window.release();
                        if (response != null && response.statusCode() == 200) {
                            answers.put(request.getKey(), response.body());
                        }
                    }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
        return answers;
    }
}
