package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reporadar.testing.PostgresExtension;
import io.reporadar.testing.RedisExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The demo's job routes on two instances sharing a real Redis and PostgreSQL. */
class DemoJobsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.freshDatabase();

    private final HttpClient http = HttpClient.newHttpClient();
    private DemoApp first;
    private DemoApp second;

    @BeforeEach
    void start() throws Exception {
        first = DemoApp.start(DemoConfig.fromEnvironment(environment("reporadar-1")));
        second = DemoApp.start(DemoConfig.fromEnvironment(environment("reporadar-2")));
    }

    private static Map<String, String> environment(String instanceId) {
        Map<String, String> env = DemoAppIT.environment(instanceId, redis.uri(), postgres.database().url());
        env.put("JOBS_STEP", "300ms");
        return env;
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
    }

    @Test
    void aBatchAnalysisRunsOnAnInstanceAndItsOwnerFollowsItFromAnother() throws Exception {
        String ada = login(first, "ada");
        watch(first, ada, "torvalds/linux", "redis/redis");

        HttpResponse<String> posted = send(first, "POST", "/api/jobs", ada, "{\"type\":\"batch-analysis\"}", Map.of());
        assertThat(posted.statusCode()).isEqualTo(202);
        JsonNode job = JSON.readTree(posted.body());
        String id = job.get("id").asText();
        assertThat(posted.headers().firstValue("Location")).hasValue("/api/jobs/" + id);
        assertThat(job.get("type").asText()).isEqualTo("batch-analysis");
        assertThat(job.get("state").asText()).isIn("waiting", "active");

        JsonNode done = awaitState(second, ada, id, "completed");
        assertThat(done.get("progress").asInt()).isEqualTo(100);
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
        assertThat(done.get("runs")).hasSize(1);
        assertThat(done.get("runs").get(0).get("instance").asText()).isIn("reporadar-1", "reporadar-2");
        assertThat(done.get("runs").get(0).get("ended").asText()).isEqualTo("returned");

        HttpResponse<String> result = send(second, "GET", "/api/jobs/" + id + "/result", ada, null, Map.of());
        assertThat(result.statusCode()).isEqualTo(200);
        JsonNode report = JSON.readTree(result.body());
        assertThat(report.get("analyzed").asInt()).isEqualTo(2);
        assertThat(report.get("repos").get(0).get("repo").asText()).isEqualTo("torvalds/linux");
        assertThat(report.get("repos").get(1).get("score").asInt()).isEqualTo(RepoJobs.analyse("redis/redis").get("score"));

        JsonNode list = JSON.readTree(send(second, "GET", "/api/jobs", ada, null, Map.of()).body());
        assertThat(list.get("jobs")).hasSize(1);
        assertThat(list.get("jobs").get(0).get("id").asText()).isEqualTo(id);
    }

    @Test
    void exportsAreFilesInTheFormatAsked() throws Exception {
        String bob = login(first, "bob");
        watch(first, bob, "apache/maven");
        String csv = post(first, bob, "{\"type\":\"export\",\"format\":\"csv\"}");
        String json = post(second, bob, "{\"type\":\"export\",\"format\":\"json\"}");
        awaitState(first, bob, csv, "completed");
        awaitState(first, bob, json, "completed");

        HttpResponse<String> file = send(first, "GET", "/api/jobs/" + csv + "/result", bob, null, Map.of());
        assertThat(file.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        assertThat(file.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"reporadar-export-" + csv + ".csv\"");
        assertThat(file.body()).startsWith("repo,score,stars,open_issues,language\napache/maven,");
        HttpResponse<String> jsonFile = send(first, "GET", "/api/jobs/" + json + "/result", bob, null, Map.of());
        assertThat(jsonFile.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JSON.readTree(jsonFile.body()).get(0).get("repo").asText()).isEqualTo("apache/maven");
    }

    @Test
    void onlyTheOwnerSeesOrCancelsAJob() throws Exception {
        String carol = login(first, "carol");
        String eve = login(second, "eve");
        watch(first, carol, "a/b");
        String id = post(first, carol, "{\"type\":\"batch-analysis\"}");

        for (String[] route : new String[][] {{"GET", "/api/jobs/" + id}, {"DELETE", "/api/jobs/" + id}, {"GET", "/api/jobs/" + id + "/result"}}) {
            HttpResponse<String> other = send(second, route[0], route[1], eve, null, Map.of());
            assertThat(other.statusCode()).as(route[0] + " " + route[1]).isEqualTo(404);
            assertThat(other.body()).isEqualTo("{\"error\":\"no such job\"}");
            assertThat(send(second, route[0], route[1], null, null, Map.of()).statusCode()).isEqualTo(401);
        }
        assertThat(JSON.readTree(send(second, "GET", "/api/jobs", eve, null, Map.of()).body()).get("jobs")).isEmpty();
        awaitState(first, carol, id, "completed"); // eve's DELETE did not cancel it
    }

    @Test
    void aCancelStopsAWaitingOrRunningJob() throws Exception {
        String dave = login(first, "dave");
        watch(first, dave, "a/one", "a/two", "a/three", "a/four", "a/five", "a/six");
        String id = post(first, dave, "{\"type\":\"batch-analysis\"}");
        await().atMost(WAIT).until(() -> state(first, dave, id).get("progress").asInt() > 0);

        HttpResponse<String> cancel = send(second, "DELETE", "/api/jobs/" + id, dave, null, Map.of());
        assertThat(cancel.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(cancel.body()).get("cancelRequested").asBoolean()).isTrue();
        JsonNode cancelled = awaitState(first, dave, id, "cancelled");
        assertThat(cancelled.get("progress").asInt()).isLessThan(100);
        assertThat(cancelled.get("runs").get(0).get("ended").asText()).isEqualTo("cancelled");
        HttpResponse<String> result = send(first, "GET", "/api/jobs/" + id + "/result", dave, null, Map.of());
        assertThat(result.statusCode()).isEqualTo(409);
        assertThat(result.body()).isEqualTo("{\"error\":\"job " + id + " is cancelled (expected: completed)\"}");
    }

    @Test
    void anIdempotencyKeyMakesARepeatedPostReturnTheSameJob() throws Exception {
        String erin = login(first, "erin");
        Map<String, String> key = Map.of("Idempotency-Key", "export-2026-12-05");
        HttpResponse<String> one = send(first, "POST", "/api/jobs", erin, "{\"type\":\"export\",\"format\":\"json\"}", key);
        HttpResponse<String> two = send(second, "POST", "/api/jobs", erin, "{\"type\":\"export\",\"format\":\"json\"}", key);
        String id = JSON.readTree(one.body()).get("id").asText();
        assertThat(JSON.readTree(two.body()).get("id").asText()).isEqualTo(id);
        String frank = login(first, "frank");
        String franks = JSON.readTree(send(first, "POST", "/api/jobs", frank, "{\"type\":\"export\",\"format\":\"json\"}", key).body()).get("id").asText();
        assertThat(franks).as("another user's same key names another job").isNotEqualTo(id);
        awaitState(first, erin, id, "completed");
        assertThat(JSON.readTree(send(first, "GET", "/api/jobs", erin, null, Map.of()).body()).get("jobs")).hasSize(1);
        assertThat(awaitState(first, erin, id, "completed").get("runs")).hasSize(1);
    }

    @Test
    void badInputIs400NamingTheField() throws Exception {
        String gina = login(first, "gina");
        Map<String, String> expectations = Map.of(
                "{}", "type: missing (expected: {\"type\":\"batch-analysis\"} or {\"type\":\"export\",\"format\":\"csv\"|\"json\"})",
                "{\"type\":\"mine-bitcoin\"}", "type: expected \"batch-analysis\" or \"export\"",
                "{\"type\":\"export\"}", "format: missing (expected: \"csv\" or \"json\")",
                "{\"type\":\"export\",\"format\":\"xlsx\"}", "format: expected \"csv\" or \"json\"",
                "[1,2]", "body: not a JSON object (expected: {\"type\":\"batch-analysis\"} or {\"type\":\"export\",\"format\":\"csv\"|\"json\"})",
                "<job/>", "body: not JSON (expected: {\"type\":\"batch-analysis\"} or {\"type\":\"export\",\"format\":\"csv\"|\"json\"})");
        for (Map.Entry<String, String> bad : expectations.entrySet()) {
            HttpResponse<String> response = send(first, "POST", "/api/jobs", gina, bad.getKey(), Map.of());
            assertThat(response.statusCode()).as(bad.getKey()).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).get("error").asText()).as(bad.getKey()).isEqualTo(bad.getValue());
        }
        HttpResponse<String> key = send(first, "POST", "/api/jobs", gina, "{\"type\":\"batch-analysis\"}", Map.of("Idempotency-Key", "a b"));
        assertThat(JSON.readTree(key.body()).get("error").asText()).isEqualTo("Idempotency-Key: expected 1-64 letters, digits, '.', '_', ':' or '-'");
        HttpResponse<String> id = send(first, "GET", "/api/jobs/not%20an%20id", gina, null, Map.of());
        assertThat(id.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(id.body()).get("error").asText()).isEqualTo("id: expected 1-128 letters, digits, '.', '_' or '-'");
        HttpResponse<String> put = send(first, "PUT", "/api/jobs", gina, "{}", Map.of());
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).hasValue("GET, POST");
        assertThat(send(first, "GET", "/api/jobs/x/y/z", gina, null, Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void jobsRunOnEveryInstanceAndTheQueueShowsInStatsHealthAndMetrics() throws Exception {
        String hal = login(first, "hal");
        watch(first, hal, "a/b");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 16; i++) {
            ids.add(post(i % 2 == 0 ? first : second, hal, "{\"type\":\"batch-analysis\"}"));
        }
        Set<String> instances = new HashSet<>();
        for (String id : ids) {
            instances.add(awaitState(first, hal, id, "completed").get("runs").get(0).get("instance").asText());
        }
        assertThat(instances).containsExactlyInAnyOrder("reporadar-1", "reporadar-2");

        JsonNode stats = JSON.readTree(send(second, "GET", "/api/jobs/stats/queue", hal, null, Map.of()).body());
        assertThat(stats.get("queue").asText()).isEqualTo("reporadar-jobs");
        assertThat(stats.get("completed").asInt()).isGreaterThanOrEqualTo(16);
        assertThat(stats.get("waiting").asInt()).isZero();
        assertThat(stats.get("worker").get("completed").asInt()).isPositive();

        await().atMost(WAIT).untilAsserted(() -> assertThat(send(first, "GET", "/health/backend", null, null, Map.of()).body())
                .contains("\"jobs\"").contains("\"completed\""));
        String metrics = send(first, "GET", "/metrics", null, null, Map.of()).body();
        assertThat(metrics).contains("reporadar_jobs_enqueued_total{instance_id=\"reporadar-1\",queue=\"reporadar-jobs\",type=\"batch-analysis\"} 8.0")
                .contains("reporadar_jobs_backlog{instance_id=\"reporadar-1\",queue=\"reporadar-jobs\",state=\"waiting\"}")
                .contains("reporadar_jobs_wait_seconds_bucket");
    }

    private String post(DemoApp app, String cookie, String body) throws Exception {
        HttpResponse<String> posted = send(app, "POST", "/api/jobs", cookie, body, Map.of());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        return JSON.readTree(posted.body()).get("id").asText();
    }

    private JsonNode state(DemoApp app, String cookie, String id) throws Exception {
        HttpResponse<String> response = send(app, "GET", "/api/jobs/" + id, cookie, null, Map.of());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private JsonNode awaitState(DemoApp app, String cookie, String id, String state) {
        return await().atMost(WAIT).until(() -> state(app, cookie, id), job -> job.get("state").asText().equals(state));
    }

    private void watch(DemoApp app, String cookie, String... repos) throws Exception {
        for (String repo : repos) {
            assertThat(send(app, "POST", "/api/watchlist", cookie, "{\"repo\":\"" + repo + "\"}", Map.of()).statusCode()).isEqualTo(201);
        }
    }

    private String login(DemoApp app, String username) throws Exception {
        return send(app, "POST", "/api/login", null, "{\"username\":\"" + username + "\"}", Map.of())
                .headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
    }

    private HttpResponse<String> send(DemoApp app, String method, String path, @Nullable String cookie, @Nullable String body,
            Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
