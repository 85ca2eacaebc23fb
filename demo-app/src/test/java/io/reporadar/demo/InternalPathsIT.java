package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.lb.Endpoint;
import io.reporadar.testing.NginxServer;
import io.reporadar.testing.PostgresExtension;
import io.reporadar.testing.RedisExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The internal-only answers (metrics, health details, nginx's status) through the rendered nginx in front of
 * an instance, asked by a client outside nginx's allow-list: one bound to 127.0.0.2 (the list admits 127.0.0.1
 * and the private ranges). Raw requests, so that every spelling reaches nginx as written.
 */
class InternalPathsIT {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();
    @RegisterExtension
    static final PostgresExtension postgres = PostgresExtension.freshDatabase();

    private static final InetAddress OUTSIDE = address("127.0.0.2");
    private static final InetAddress INSIDE = address("127.0.0.1");
    /** Text that only the internal answers contain: metric families, check names and details. */
    private static final List<String> INTERNAL_TEXT = List.of("# HELP", "jvm_", "postgres", "redis", "disk", "Active connections", "Reading:");

    private static DemoApp app;
    private static NginxServer nginx;

    @BeforeAll
    static void start() throws Exception {
        app = DemoApp.start(DemoConfig.fromEnvironment(DemoAppIT.environment("reporadar-1", redis.uri(), postgres.database().url())));
        nginx = NginxServer.start(port -> NginxConfig.httpBlock(List.of(Endpoint.of("127.0.0.1", app.port())), "127.0.0.1:" + port));
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    void noSpellingOfAnInternalPathAnswersAClientOutsideTheAllowList() throws IOException {
        List<String> spellings = List.of("/metrics", "/metrics;x", "/metrics;", "/metrics/", "//metrics", "/./metrics", "/x/../metrics",
                "/api/../metrics", "/%6detrics", "/%6Detrics", "/METRICS", "/Metrics", "/metrics%3Bx", "/metrics%3b", "/metrics?x=1",
                "/metrics%2F", "/%2Fmetrics", "/metrics%00", "/metrics%20", "/metrics.", "/health/backend", "/health/backend;x",
                "/health//backend", "/health/./backend", "/health/%62ackend", "/HEALTH/BACKEND", "/health/backend/",
                "/health/backend?fresh", "/health;x/backend", "/nginx_status", "/nginx_status;x", "/NGINX_STATUS", "/nginx_status/",
                "/health/ready", "/health/ready;x", "/health/ready?fresh", "/health/live", "/health/group/readiness", "/health;/ready",
                "http://127.0.0.1/metrics", "http://127.0.0.1/health/backend");
        for (String target : spellings) {
            for (String forged : new String[] {null, "127.0.0.1"}) {
                Answer answer = request(OUTSIDE, nginx.port(), target, forged);
                assertThat(answer.body()).as("%s through nginx from 127.0.0.2%s: %s", target,
                        forged == null ? "" : " claiming X-Forwarded-For " + forged, answer.status())
                        .doesNotContain(INTERNAL_TEXT);
                assertThat(answer.status()).as("%s: never a 5xx", target).isLessThan(500);
            }
        }
    }

    @Test
    void theInstanceJudgesTheClientItselfAndTrustsOnlyItsProxyToNameIt() throws IOException {
        // Straight to the instance from outside, claiming to be an internal client: the claim is not believed.
        for (String target : List.of("/metrics", "/metrics;x", "/health/backend", "/health/ready", "/health/live")) {
            Answer answer = request(OUTSIDE, app.port(), target, "127.0.0.1");
            assertThat(answer.body()).as(target + " from 127.0.0.2 to the instance").doesNotContain(INTERNAL_TEXT);
        }
        // Behind nginx on its own host, the client nginx names is the one judged.
        Answer named = request(INSIDE, app.port(), "/metrics;x", "127.0.0.2");
        assertThat(named.status()).as("nginx names a client outside").isEqualTo(404);
    }

    @Test
    void insideTheAllowListEveryInternalAnswerIsThere() throws IOException {
        Answer metrics = request(INSIDE, nginx.port(), "/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("# HELP", "jvm_");
        assertThat(request(INSIDE, nginx.port(), "/health/ready", null).body()).contains("postgres", "redis");
        assertThat(request(INSIDE, nginx.port(), "/health/backend", null).body()).contains("postgres", "redis", "disk");
        assertThat(request(INSIDE, nginx.port(), "/nginx_status", null).body()).contains("Active connections");
        Answer outsideStatus = request(OUTSIDE, nginx.port(), "/health/ready", null);
        assertThat(outsideStatus.status()).as("the status itself is public").isEqualTo(200);
        assertThat(outsideStatus.body()).as("the status alone (UNKNOWN until the first checks ran)")
                .containsPattern("\\r\\n\\r\\n\\{\"status\":\"[A-Z_]+\"\\}$");
    }

    private record Answer(int status, String body) {
    }

    /** One HTTP/1.1 request from {@code source}, sent as written (without X-Forwarded-For when null); the whole answer. */
    private static Answer request(InetAddress source, int port, String target, @Nullable String forwardedFor) throws IOException {
        try (Socket socket = new Socket()) {
            String answer = RawHttp.get(socket, source, port, target, forwardedFor);
            return new Answer(RawHttp.status(answer), answer);
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
