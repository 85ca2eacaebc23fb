package io.reporadar.demo.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reporadar.testing.PostgresExtension;
import io.reporadar.testing.RedisExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one-command topology: three instances behind nginx or the Jetty proxy, one session across all of them. */
class TopologyIT {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.freshDatabase();

    @ParameterizedTest(name = "front: {0}")
    @ValueSource(strings = {"nginx", "proxy"})
    void thirtyRequestsThroughTheFrontReachAllThreeInstancesWithOneSession(String front) throws Exception {
        int frontPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            frontPort = probe.getLocalPort();
        }
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try (Topology topology = Topology.start(Map.of("REDIS_URL", redis.uri(), "DATABASE_URL", postgres.database().url(),
                "INSTANCE_PORTS", "0,0,0", "FRONT_PORT", Integer.toString(frontPort), "FRONT", front),
                new PrintStream(progress, true, StandardCharsets.UTF_8))) {
            assertThat(progress.toString(StandardCharsets.UTF_8)).contains("[1/6] Redis: ").contains("[3/6] instance reporadar-1: on port any free one ... ok")
                    .contains("[6/6] front: ").doesNotContain("FAILED");
            HttpResponse<String> login = HttpClient.newHttpClient().send(HttpRequest.newBuilder(topology.front().resolve("/api/login")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"ada\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(200);
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];

            Set<String> served = new HashSet<>();
            String last = "";
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> me = HttpClient.newHttpClient().send(HttpRequest.newBuilder(topology.front().resolve("/api/visits"))
                        .header("Cookie", cookie).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(me.statusCode()).isEqualTo(200);
                served.add(me.headers().firstValue("X-Instance-Id").orElseThrow());
                last = me.body();
            }
            assertThat(served).containsExactlyInAnyOrder("reporadar-1", "reporadar-2", "reporadar-3");
            assertThat(last).contains("\"visits\":30");
            assertThat(topology.describe()).contains(topology.front().toString()).contains("reporadar-3").contains(" 200")
                    .contains("Dashboard: " + topology.front().resolve("/health/backend"));
        }
    }

    @Test
    void badLauncherVariablesAreNamedBeforeAnythingStarts() {
        assertThatThrownBy(() -> Topology.start(Map.of("FRONT", "haproxy", "FRONT_PORT", "80a", "INSTANCE_PORTS", "3001,x",
                "RATE_LIMIT_PER_SECOND", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("INSTANCE_PORTS: x")
                .hasMessageContaining("FRONT_PORT: 80a")
                .hasMessageContaining("RATE_LIMIT_PER_SECOND: 0")
                .hasMessageContaining("FRONT: haproxy (expected: nginx or proxy)");
    }
}
