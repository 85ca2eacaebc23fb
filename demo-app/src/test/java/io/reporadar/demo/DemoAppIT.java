package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoAppIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyResponseNamesItsInstance() throws Exception {
        try (DemoApp app = DemoApp.start(DemoConfig.fromEnvironment(Map.of("PORT", "0", "INSTANCE_ID", "reporadar-7")))) {
            HttpResponse<String> live = get(app, "/health/live");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.headers().firstValue("X-Instance-Id")).hasValue("reporadar-7");
            assertThat(live.body()).isEqualTo("{\"status\":\"UP\",\"instance\":\"reporadar-7\"}");

            HttpResponse<String> missing = get(app, "/no/such/page");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.headers().firstValue("X-Instance-Id")).hasValue("reporadar-7");
            assertThat(missing.body()).isEqualTo("{\"error\":\"not found\"}");
        }
    }

    private HttpResponse<String> get(DemoApp app, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
