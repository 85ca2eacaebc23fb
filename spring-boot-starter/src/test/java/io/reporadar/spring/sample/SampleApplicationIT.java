package io.reporadar.spring.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reporadar.spring.ConfigurationFailureAnalyzer;
import io.reporadar.spring.InvalidConfigurationException;
import io.reporadar.testing.PostgresExtension;
import io.reporadar.testing.RedisExtension;
import io.reporadar.testing.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The sample application, as two instances on a real Redis and PostgreSQL, with the starter switched in by
 * properties alone: shared sessions, a logout on one ending the session on the other, readiness turning 503 while the
 * instance still serves during the drain, and start-up refusals naming what to fix.
 */
public class SampleApplicationIT {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.shared();
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.freshDatabase();

    public static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static ConfigurableApplicationContext a;
    static ConfigurableApplicationContext b;

    /** What the deployment's environment gives each instance. */
    static Map<String, Object> deployment(String redisUrl) {
        return deployment(redisUrl, pg.database().url());
    }

    /** What the deployment's environment gives an instance of any application. */
    public static Map<String, Object> deployment(String redisUrl, String databaseUrl) {
        Map<String, Object> env = new HashMap<>();
        env.put("REDIS_URL", redisUrl);
        env.put("SESSION_SECRET", "a-sample-secret-of-at-least-32-characters");
        env.put("SESSION_ENCRYPTION_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        env.put("DATABASE_URL", databaseUrl);
        env.put("INSTANCE_COUNT", "2");
        env.put("reporadar.health.drain-delay", "2s");
        return env;
    }

    @BeforeAll
    static void startTwoInstances() {
        a = SampleApplication.start(deployment(redis.uri()));
        b = SampleApplication.start(deployment(redis.uri()));
    }

    @AfterAll
    static void stop() {
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] {a, b}) {
            if (context != null) {
                context.close();
            }
        }
    }

    @Test
    void instancesShareSessionsAndALogoutOnOneEndsItOnTheOther() throws Exception {
        HttpResponse<String> login = send(a, "POST", "/login?user=ada", null);
        String cookie = sessionCookie(login);

        assertThat(send(b, "GET", "/me", cookie).body()).isEqualTo("ada");
        assertThat(send(a, "POST", "/visit", cookie).body()).isEqualTo("1");
        assertThat(send(b, "POST", "/visit", cookie).body()).isEqualTo("2");

        send(b, "POST", "/logout", cookie);
        assertThat(send(a, "GET", "/me", cookie).statusCode()).isEqualTo(401);
    }

    @Test
    void theCookieIsSignedAndAForgedOneFindsNothing() throws Exception {
        String cookie = sessionCookie(send(a, "POST", "/login?user=grace", null));
        String value = cookie.substring(cookie.indexOf('=') + 1);
        String forged = cookie.substring(0, cookie.indexOf('=') + 1) + value.substring(0, value.length() - 2) + "xx";

        assertThat(send(b, "GET", "/me", forged).statusCode()).isEqualTo(401);
        assertThat((java.util.List<?>) redis.server().call("KEYS", "*grace*")).isEmpty(); // nothing readable in Redis
    }

    @Test
    void actuatorShowsOurChecksAndTheProbesAnswer() throws Exception {
        HttpResponse<String> health = send(a, "GET", "/actuator/health", null);
        assertThat(health.body()).contains("\"reporadar\"").contains("\"redis\"").contains("\"postgres\"")
                .contains("\"connection-budget\"");
        assertThat(send(a, "GET", "/actuator/health/readiness", null).statusCode()).isEqualTo(200);
        assertThat(send(a, "GET", "/actuator/health/liveness", null).statusCode()).isEqualTo(200);

        send(a, "POST", "/visit", null);
        assertThat(send(a, "GET", "/actuator/metrics", null).body()).contains("\"reporadar.session.save\"")
                .contains("\"reporadar.health.status\"").contains("\"reporadar.db.budget.required\"");
    }

    @Test
    void readinessTurns503WhileTheInstanceStillServesDuringTheDrain() throws Exception {
        try (ConfigurableApplicationContext c = SampleApplication.start(deployment(redis.uri()))) {
            String cookie = sessionCookie(send(c, "POST", "/login?user=linus", null));
            int port = port(c);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(c::close);

            HttpResponse<String> readiness = awaitStatus(port, "/actuator/health/readiness", 503);
            assertThat(readiness.statusCode()).isEqualTo(503);
            assertThat(get(port, "/me", cookie).body()).isEqualTo("linus"); // still serving: the balancer has not noticed yet
            closing.get();
        }
    }

    @Test
    void aCriticalDependencyDownTurnsReadinessNotLiveness() throws Exception {
        try (RedisServer own = RedisServer.start();
             ConfigurableApplicationContext c = SampleApplication.start(deployment(own.uri()))) {
            int port = port(c);
            awaitStatus(port, "/actuator/health/readiness", 200);
            String cookie = sessionCookie(get(port, "/login?user=ken", null, "POST"));
            own.stop();

            HttpResponse<String> me = get(port, "/me", cookie);
            assertThat(me.statusCode()).isEqualTo(503); // not a 500 with a stack trace: nginx tries another instance
            assertThat(me.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(me.body()).doesNotContain("Exception");

            assertThat(awaitStatus(port, "/actuator/health/readiness", 503).statusCode()).isEqualTo(503);
            assertThat(get(port, "/actuator/health/liveness", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aPoolBudgetOverrunRefusesStartUpWithTheArithmetic() {
        Map<String, Object> env = deployment(redis.uri());
        env.put("reporadar.pooling.instances", "12");
        env.put("DB_POOL_MAX", "10");

        assertThatThrownBy(() -> SampleApplication.start(env)).satisfies(failure -> {
            FailureAnalysis analysis = new ConfigurationFailureAnalyzer().analyze(failure);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("connection budget exceeded")
                    .contains("reporadar.pooling.instances (INSTANCE_COUNT) 12").contains("DB_POOL_MAX) 10").contains("= 120 needed")
                    .contains("Fix:");
        });
    }

    @Test
    void aBadValueFailsStartUpNamingTheProperty() {
        Map<String, Object> env = deployment(redis.uri());
        env.put("reporadar.session.secret", "short");
        env.put("reporadar.session.durability", "sometimes");

        assertThatThrownBy(() -> SampleApplication.start(env)).satisfies(failure -> {
            assertThat(rootOfType(failure, InvalidConfigurationException.class)).isNotNull();
            FailureAnalysis analysis = new ConfigurationFailureAnalyzer().analyze(failure);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("reporadar.session.secret (SESSION_SECRET)")
                    .contains("reporadar.session.durability (SESSION_DURABILITY): sometimes").doesNotContain("short");
        });
    }

    static <T extends Throwable> T rootOfType(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + failure);
    }

    static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    static HttpResponse<String> send(ConfigurableApplicationContext to, String method, String path, String cookie)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(to) + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(int port, String path, String cookie) throws IOException, InterruptedException {
        return get(port, path, cookie, "GET");
    }

    static HttpResponse<String> get(int port, String path, String cookie, String method) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> awaitStatus(int port, String path, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpResponse<String> last = get(port, path, null);
        while (last.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(100);
            last = get(port, path, null);
        }
        return last;
    }

    /** {@code SESSION=<value>} from a response's Set-Cookie. */
    public static String sessionCookie(HttpResponse<String> response) {
        String header = response.headers().allValues("Set-Cookie").stream().filter(h -> h.startsWith("SESSION=")).findFirst()
                .orElseThrow(() -> new AssertionError("no session cookie in " + response.headers().map()));
        return header.substring(0, header.indexOf(';'));
    }
}
