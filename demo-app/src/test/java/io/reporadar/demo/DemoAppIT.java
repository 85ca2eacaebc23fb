package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.lb.Endpoint;
import io.reporadar.testing.NginxServer;
import io.reporadar.testing.PostgresDatabase;
import io.reporadar.testing.PostgresExtension;
import io.reporadar.testing.RedisExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two demo instances sharing a real Redis and PostgreSQL: the HTTP contract, one session seen by both. */
class DemoAppIT {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.freshDatabase();

    private final HttpClient http = HttpClient.newHttpClient();
    private DemoApp first;
    private DemoApp second;

    static Map<String, String> environment(String instanceId, String redisUrl, String databaseUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("INSTANCE_ID", instanceId);
        env.put("APP_ENV", "development");
        env.put("REDIS_URL", redisUrl);
        env.put("DATABASE_URL", databaseUrl);
        env.put("DB_POOL_MIN", "1");
        env.put("DB_POOL_MAX", "4");
        env.put("INSTANCE_COUNT", "3");
        env.put("SESSION_SECRET", "a-demo-session-secret-of-32-characters-or-more");
        env.put("SESSION_ENCRYPTION_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        return env;
    }

    @BeforeEach
    void start() throws Exception {
        first = DemoApp.start(DemoConfig.fromEnvironment(environment("reporadar-1", redis.uri(), postgres.database().url())));
        second = DemoApp.start(DemoConfig.fromEnvironment(environment("reporadar-2", redis.uri(), postgres.database().url())));
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
    }

    @Test
    void instancesStartingTogetherOnAFreshDatabaseAllMigrateIt() throws Exception {
        try (PostgresDatabase fresh = postgres.server().createDatabase()) {
            org.postgresql.ds.PGSimpleDataSource database = new org.postgresql.ds.PGSimpleDataSource();
            database.setURL(fresh.jdbcUrl());
            database.setUser(fresh.user());
            java.util.concurrent.ExecutorService starting = java.util.concurrent.Executors.newFixedThreadPool(6);
            try {
                List<java.util.concurrent.Future<Object>> migrations = new java.util.ArrayList<>();
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                for (int i = 0; i < 6; i++) {
                    migrations.add(starting.submit(() -> {
                        go.await();
                        Schema.migrate(database);
                        return null;
                    }));
                }
                go.countDown();
                for (java.util.concurrent.Future<Object> migration : migrations) {
                    migration.get(); // throws when one of them failed
                }
            } finally {
                starting.shutdown();
            }
            try (var connection = fresh.connect(); var rows = connection.createStatement().executeQuery("SELECT count(*) FROM watchlist")) {
                rows.next();
                assertThat(rows.getInt(1)).isZero();
            }
        }
    }

    @Test
    void everyResponseNamesItsInstance() throws Exception {
        HttpResponse<String> live = send(first, "GET", "/health/live", null, null);
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.headers().firstValue("X-Instance-Id")).hasValue("reporadar-1");
        assertThat(live.headers().firstValue("Server")).as("no version banner").isEmpty();

        HttpResponse<String> missing = send(second, "GET", "/no/such/page", null, null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("X-Instance-Id")).hasValue("reporadar-2");
        assertThat(missing.body()).isEqualTo("{\"error\":\"not found\"}");
    }

    @Test
    void theHealthEndpointsReportRedisAndTurnTo503WhenItIsGone() throws Exception {
        assertThat(send(first, "GET", "/health", null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> backend = send(first, "GET", "/health/backend", null, null);
        assertThat(backend.statusCode()).isEqualTo(200);
        assertThat(backend.body()).contains("\"redis\"").contains("\"postgres\"").contains("\"disk\"");

        String cookie = login(first, "ada");

        redis.server().stop();
        try {
            org.awaitility.Awaitility.await("readiness to notice Redis is gone").atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> send(first, "GET", "/health/ready", null, null).statusCode() == 503);
            assertThat(send(first, "GET", "/health/live", null, null).statusCode()).as("liveness holds no dependency").isEqualTo(200);
            HttpResponse<String> me = send(second, "GET", "/api/me", cookie, null);
            assertThat(me.statusCode()).isEqualTo(503);
            assertThat(me.body()).isEqualTo("{\"error\":\"session store unavailable\"}");
        } finally {
            redis.server().restart();
        }
    }

    @Test
    void metricsAreServedInThePrometheusFormat() throws Exception {
        String cookie = login(first, "quentin-q");
        send(first, "GET", "/api/me", cookie, null);

        HttpResponse<String> metrics = send(first, "GET", "/metrics", null, null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(metrics.body())
                .contains("reporadar_session_load_seconds_count{instance_id=\"reporadar-1\",outcome=\"found\"}")
                .contains("reporadar_health_status{check=\"postgres\",instance_id=\"reporadar-1\",status=\"up\"}")
                .contains("jvm_memory_used_bytes")
                .as("no user data in metrics").doesNotContain("quentin");

        // What Prometheus sends: OpenMetrics preferred, the text format as a fallback.
        HttpResponse<String> openMetrics = send(first, "GET", "/metrics", null, null,
                "application/openmetrics-text;version=1.0.0;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertThat(openMetrics.headers().firstValue("Content-Type")).hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(openMetrics.body()).contains("reporadar_session_load_seconds_count{instance_id=\"reporadar-1\",outcome=\"found\"}")
                .endsWith("# EOF\n");
    }

    @Test
    void behindTheRenderedNginxOneSessionIsServedByEveryInstance() throws Exception {
        List<Endpoint> instances = List.of(Endpoint.of("127.0.0.1", first.port()), Endpoint.of("127.0.0.1", second.port()));
        try (NginxServer nginx = NginxServer.start(port -> NginxConfig.httpBlock(instances, "127.0.0.1:" + port))) {
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(nginx.url("/api/login")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"ada\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(200);
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];

            Set<String> served = new HashSet<>();
            String last = "";
            for (int i = 0; i < 20; i++) {
                // A fresh connection each time, as separate browsers would: least_conn spreads them.
                HttpClient client = HttpClient.newHttpClient();
                HttpResponse<String> me = client.send(HttpRequest.newBuilder(nginx.url("/api/visits")).header("Cookie", cookie)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                served.add(me.headers().firstValue("X-Instance-Id").orElseThrow());
                last = me.body();
            }
            assertThat(served).containsExactlyInAnyOrder("reporadar-1", "reporadar-2");
            assertThat(last).contains("\"visits\":20");
            assertThat(http.send(HttpRequest.newBuilder(nginx.url("/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).as("internal address").isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(nginx.url("/nginx_status")).build(), HttpResponse.BodyHandlers.ofString())
                    .body()).startsWith("Active connections");
        }
    }

    @Test
    void aLoginOnOneInstanceIsOneSessionOnBothWithVisitsCountedAcrossThem() throws Exception {
        HttpResponse<String> login = send(first, "POST", "/api/login", null, "{\"username\":\"ada\"}");
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.body()).isEqualTo("{\"username\":\"ada\",\"instance\":\"reporadar-1\"}");
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];

        assertThat(send(second, "POST", "/api/visits", cookie, null).body())
                .isEqualTo("{\"username\":\"ada\",\"visits\":1,\"instance\":\"reporadar-2\"}");
        assertThat(send(first, "POST", "/api/visits", cookie, null).body())
                .isEqualTo("{\"username\":\"ada\",\"visits\":2,\"instance\":\"reporadar-1\"}");
        assertThat(send(second, "GET", "/api/me", cookie, null).body()).as("a read counts nothing")
                .isEqualTo("{\"username\":\"ada\",\"visits\":2,\"instance\":\"reporadar-2\"}");
        assertThat(send(second, "POST", "/api/visits", cookie, null).body()).contains("\"visits\":3");

        assertThat(send(second, "POST", "/api/logout", cookie, null).statusCode()).isEqualTo(204);
        HttpResponse<String> afterLogout = send(first, "GET", "/api/me", cookie, null);
        assertThat(afterLogout.statusCode()).isEqualTo(401);
        assertThat(afterLogout.body()).isEqualTo("{\"error\":\"not logged in\"}");
    }

    @Test
    void theWatchlistIsStoredInPostgresAndReadThroughTheCacheOnEveryInstance() throws Exception {
        String cookie = login(first, "grace");
        assertThat(send(first, "GET", "/api/watchlist", null, null).statusCode()).isEqualTo(401);
        assertThat(send(first, "GET", "/api/watchlist", cookie, null).body()).isEqualTo("{\"username\":\"grace\",\"repos\":[]}");
        assertThat(redis.server().call("EXISTS", "reporadar:watchlist:grace")).isEqualTo(1L);

        HttpResponse<String> added = send(first, "POST", "/api/watchlist", cookie, "{\"repo\":\"nginx/nginx\"}");
        assertThat(added.statusCode()).isEqualTo(201);
        assertThat(added.body()).isEqualTo("{\"username\":\"grace\",\"repos\":[\"nginx/nginx\"]}");
        send(second, "POST", "/api/watchlist", cookie, "{\"repo\":\"redis/redis\"}");
        send(second, "POST", "/api/watchlist", cookie, "{\"repo\":\"nginx/nginx\"}");

        assertThat(send(first, "GET", "/api/watchlist", cookie, null).body())
                .isEqualTo("{\"username\":\"grace\",\"repos\":[\"nginx/nginx\",\"redis/redis\"]}");
        try (var connection = postgres.database().connect(); var rows = connection.createStatement()
                .executeQuery("SELECT count(*) FROM watchlist WHERE username = 'grace'")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(2);
        }

        HttpResponse<String> malformed = send(first, "POST", "/api/watchlist", cookie, "{\"repo\":\"not a repo\"}");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).isEqualTo("{\"error\":\"repo: expected owner/name, as on GitHub\"}");
    }

    private String login(DemoApp app, String username) throws Exception {
        return send(app, "POST", "/api/login", null, "{\"username\":\"" + username + "\"}")
                .headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
    }

    @Test
    void aLoginOrAWriteThatACrossSiteFormCouldPostIs415AndLogsNobodyIn() throws Exception {
        // Without a CORS preflight a page of another site can post only these types (and none at all, which a form
        // without enctype sends as the first).
        for (String type : new String[] {"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", null}) {
            HttpRequest.Builder login = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.port() + "/api/login"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"mallory\"}"));
            if (type != null) {
                login.header("Content-Type", type);
            }
            HttpResponse<String> response = http.send(login.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(String.valueOf(type)).isEqualTo(415);
            assertThat(response.body()).isEqualTo("{\"error\":\"Content-Type: expected application/json\"}");
            assertThat(response.headers().allValues("Set-Cookie")).as("no session for " + type).isEmpty();
        }
        String cookie = login(first, "ada");
        HttpResponse<String> add = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.port() + "/api/watchlist"))
                .header("Cookie", cookie).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"repo\":\"mallory/evil\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(add.statusCode()).isEqualTo(415);
        assertThat(send(first, "GET", "/api/watchlist", cookie, null).body()).doesNotContain("mallory");
        assertThat(send(first, "POST", "/api/login", null, "{\"username\":\"ada\"}").statusCode())
                .as("application/json").isEqualTo(200);
    }

    @Test
    void badInputIsA4xxNamingTheCulpritNeverA500() throws Exception {
        HttpResponse<String> notJson = send(first, "POST", "/api/login", null, "username=ada");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).isEqualTo("{\"error\":\"body: not JSON (expected: {\\\"username\\\":\\\"...\\\"})\"}");

        HttpResponse<String> badName = send(first, "POST", "/api/login", null, "{\"username\":\"<script>\"}");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(badName.body()).startsWith("{\"error\":\"username:").doesNotContain("<script>");

        String cookie = login(first, "ada");
        String tampered = cookie.substring(0, cookie.length() - 2) + (cookie.endsWith("A") ? "BB" : "AA");
        HttpResponse<String> forged = send(second, "GET", "/api/me", tampered, null);
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.headers().firstValue("X-Instance-Id")).hasValue("reporadar-2");
    }

    private HttpResponse<String> send(DemoApp app, String method, String path, @Nullable String cookie, @Nullable String body) throws Exception {
        return send(app, method, path, cookie, body, null);
    }

    /** A request to {@code app}, with each of the cookie, the JSON body and {@code Accept} unless null. */
    private HttpResponse<String> send(DemoApp app, String method, String path, @Nullable String cookie, @Nullable String body,
            @Nullable String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
