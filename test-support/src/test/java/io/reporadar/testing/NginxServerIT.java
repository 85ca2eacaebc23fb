package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

class NginxServerIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesTheRenderedConfigurationOnAFreePort() throws Exception {
        try (NginxServer nginx = NginxServer.start(port -> "server { listen 127.0.0.1:" + port + "; return 200 'first'; }")) {
            assertThat(get(nginx, "/")).isEqualTo("first");
            assertThat(nginx.accessLog()).hasSize(1);
        }
    }

    @Test
    void reloadSwitchesToTheNewConfigurationWithoutRestarting() throws Exception {
        try (NginxServer nginx = NginxServer.start(port -> "server { listen 127.0.0.1:" + port + "; return 200 'first'; }")) {
            nginx.reload(port -> "server { listen 127.0.0.1:" + port + "; return 200 'second'; }");
            assertThat(get(nginx, "/")).isEqualTo("second");
        }
    }

    @Test
    void anInvalidReloadFailsWithNginxsMessageAndKeepsServing() throws Exception {
        try (NginxServer nginx = NginxServer.start(port -> "server { listen 127.0.0.1:" + port + "; return 200 'first'; }")) {
            assertThatThrownBy(() -> nginx.reload(port -> "server { listen 127.0.0.1:" + port + "; bogus_directive on; }"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unknown directive \"bogus_directive\"");
            assertThat(get(nginx, "/")).isEqualTo("first");
        }
    }

    @Test
    void anInvalidConfigurationFailsAtStartWithNginxsMessage() {
        assertThatThrownBy(() -> NginxServer.start(port -> "server { listen 127.0.0.1:" + port + "; proxy_pass; }"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nginx rejects the configuration")
                .hasMessageContaining("proxy_pass");
    }

    @Test
    void closeStopsMasterAndWorkers() throws Exception {
        NginxServer nginx = NginxServer.start(port -> "server { listen 127.0.0.1:" + port + "; return 204; }");
        Path dir = Objects.requireNonNull(nginx.configFile().getParent());
        assertThat(Processes.runningIn(dir)).isNotEmpty();
        nginx.close();
        assertThat(Processes.runningIn(dir)).isEmpty();
        assertThat(nginx.isRunning()).isFalse();
    }

    @Test
    void theExtensionAttachesTheErrorLogToAFailingTest() {
        var results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(FailsBehindNginx.class))
                .execute();

        Event failed = results.testEvents().failed().stream().findFirst().orElseThrow();
        Throwable failure = failed.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .orElseThrow().getThrowable().orElseThrow();
        assertThat(failure).hasMessage("the backend is down");
        assertThat(failure.getSuppressed()).singleElement()
                .satisfies(log -> assertThat(log.getMessage()).contains("error.log").contains("connect() failed"));
    }

    /** Run only through the test kit above: nginx proxies to a closed port, and the test fails. */
    static class FailsBehindNginx {

        @RegisterExtension
        static final NginxExtension nginx = new NginxExtension();

        @Test
        void failsAfterABadGateway() throws Exception {
            int closedPort = io.reporadar.testing.internal.Ports.free();
            nginx.start(port -> "server { listen 127.0.0.1:" + port + "; location / { proxy_pass http://127.0.0.1:" + closedPort + "; } }");
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(nginx.server().url("/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(502);
            throw new AssertionError("the backend is down");
        }
    }

    private String get(NginxServer nginx, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(nginx.url(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
