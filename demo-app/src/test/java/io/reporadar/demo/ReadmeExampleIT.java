package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.ReadmeExamples;
import io.reporadar.testing.PostgresExtension;
import io.reporadar.testing.RedisExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReadmeExampleIT {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.freshDatabase();

    @Test
    void theReadmeShowsTheExampleBelowAndItRuns() throws Exception {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/demo/ReadmeExampleIT.java"));
        Map<String, String> env = DemoAppIT.environment("reporadar-1", redis.uri(), postgres.database().url());

        // README example begins
        try (DemoApp app = DemoApp.start(DemoConfig.fromEnvironment(env))) {
            URI login = URI.create("http://127.0.0.1:" + app.port() + "/api/login");
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(login).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"ada\"}")).build(), HttpResponse.BodyHandlers.ofString());
            // 200, {"username":"ada","instance":"reporadar-1"}, and a Set-Cookie header
            // README example ends
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"username\":\"ada\",\"instance\":\"reporadar-1\"}");
            assertThat(response.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).startsWith("reporadar.sid="));
        }
    }
}
