package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.ReadmeExamples;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadmeExampleIT {

    @Test
    void theReadmeShowsTheExampleBelowAndItRuns() throws Exception {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/demo/ReadmeExampleIT.java"));

        // README example begins
        try (DemoApp app = DemoApp.start(DemoConfig.fromEnvironment(Map.of("PORT", "0", "INSTANCE_ID", "reporadar-1")))) {
            URI live = URI.create("http://127.0.0.1:" + app.port() + "/health/live");
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(live).build(), HttpResponse.BodyHandlers.ofString());
            // response.headers().firstValue("X-Instance-Id") is "reporadar-1"
            // README example ends
            assertThat(response.headers().firstValue("X-Instance-Id")).hasValue("reporadar-1");
        }
    }
}
