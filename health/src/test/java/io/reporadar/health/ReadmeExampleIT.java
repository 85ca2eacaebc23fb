package io.reporadar.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.reporadar.health.httpserver.HttpServerAdapter;
import io.reporadar.testing.PostgresExtension;
import io.reporadar.testing.ReadmeExamples;
import io.reporadar.testing.RedisExtension;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReadmeExampleIT {

    private static final int PORT = 0;
    private static final Duration DRAIN_DELAY = Duration.ZERO;

    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.freshDatabase();

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.shared();

    @Test
    void theReadmeShowsTheExampleBelowAndItRuns() throws Exception {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/health/ReadmeExampleIT.java"));
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(pg.database().jdbcUrl());
        config.setDataSourceProperties(pg.database().connectionProperties());
        HikariDataSource dataSource = new HikariDataSource(config);
        RedisClient redisClient = RedisClient.create(redis.uri());
        StatefulRedisConnection<String, String> redisConnection = redisClient.connect();
        HttpHandler app = exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        };

        // README example begins
        Health health = Health.builder()
                .check(CheckSpec.dependency("postgres", Checks.postgres(dataSource, Duration.ofSeconds(1))).critical())
                .check(CheckSpec.dependency("redis", Checks.redis(redisConnection, Duration.ofMillis(500))))
                .check(CheckSpec.internal("disk", Checks.diskSpace(Path.of("."), 1L << 30, 100L << 20)))
                .build()
                .start();

        HttpServer server = HttpServer.create(new InetSocketAddress(PORT), 0);
        InFlightRequests inFlight = new InFlightRequests();
        server.createContext("/health", HttpServerAdapter.handler(HealthEndpoints.of(health, DetailsPolicy.loopback())));
        server.createContext("/", app).getFilters().add(HttpServerAdapter.inFlight(inFlight));
        server.start();
        health.markReady();

        GracefulShutdown shutdown = GracefulShutdown.builder(health)
                .drainDelay(DRAIN_DELAY)                 // at least the load balancer's detection time, e.g. 10 s
                .stopAccepting(() -> server.stop(0))
                .inFlight(inFlight)
                .closeLast(dataSource, redisClient::shutdown)
                .build()
                .runOnSigterm();
        // README example ends

        URI ready = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/health/ready");
        HttpClient http = HttpClient.newHttpClient();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        shutdown.run();
        assertThat(health.lifecycle()).isEqualTo(Lifecycle.STOPPED);
        assertThat(dataSource.isClosed()).isTrue();
    }
}
