package io.reporadar.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.reporadar.testing.FaultProxy;
import io.reporadar.testing.PostgresDatabase;
import io.reporadar.testing.PostgresServer;
import io.reporadar.testing.RedisServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The built-in checks against real servers that hang, die and come back. */
class ChecksIT {

    private static final Duration PING_TIMEOUT = Duration.ofMillis(300);

    @Test
    void theRedisCheckShowsTheReplicationStateOfAMasterAndOfItsReplica() throws Exception {
        try (RedisServer master = RedisServer.start();
                RedisServer replica = RedisServer.start("replicaof " + master.host() + " " + master.port());
                RedisClient client = RedisClient.create(master.uri());
                StatefulRedisConnection<String, String> toMaster = client.connect();
                StatefulRedisConnection<String, String> toReplica = client.connect(io.lettuce.core.RedisURI.create(replica.uri()))) {
            Awaitility.await("the replica online").atMost(Duration.ofSeconds(20)).until(() ->
                    String.valueOf(Checks.redis(toMaster, PING_TIMEOUT).check().details().get("replicas")).contains("online"));
            Result ofMaster = Checks.redis(toMaster, PING_TIMEOUT).check();
            assertThat(ofMaster.status()).isEqualTo(Status.UP);
            assertThat(ofMaster.details()).containsEntry("role", "master").containsEntry("replicasStreaming", 1);
            assertThat(String.valueOf(ofMaster.details().get("replicas"))).contains(":" + replica.port() + " online lag=");
            Result ofReplica = Checks.redis(() -> toReplica, PING_TIMEOUT).check();
            assertThat(ofReplica.details()).containsEntry("role", "replica").containsEntry("masterLink", "up");
        }
    }

    @Test
    void aFrozenRedisIsDownWithReasonTimeoutWhileTheEndpointAnswersAtOnce() throws Exception {
        try (RedisServer redis = RedisServer.start(); RedisClient client = RedisClient.create(redis.uri())) {
            try (StatefulRedisConnection<String, String> connection = client.connect();
                    Health health = readinessOf(CheckSpec.dependency("redis", Checks.redis(connection, PING_TIMEOUT))
                            .critical().interval(Duration.ofMillis(200)).timeout(Duration.ofMillis(500)))) {
                awaitReadiness(health, Status.UP);

                redis.freeze();
                try {
                    HealthEndpoints endpoints = HealthEndpoints.of(health, DetailsPolicy.always());
                    Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> {
                        long started = System.nanoTime();
                        HealthEndpoints.Response response = endpoints.handle(HealthEndpoints.Request.of("GET", "/health/ready").from(java.net.InetAddress.getLoopbackAddress()));
                        long tookMs = (System.nanoTime() - started) / 1_000_000;
                        assertThat(tookMs).as("the endpoint never waits on the frozen server").isLessThan(100);
                        return response.status() == 503;
                    });
                    assertThat(health.snapshot().checks().get(0).result().reason()).isEqualTo("timeout");
                } finally {
                    redis.thaw();
                }
                awaitReadiness(health, Status.UP);
            }
        }
    }

    @Test
    void aSilentNetworkIsDownWithReasonTimeout() throws Exception {
        try (RedisServer redis = RedisServer.start();
                FaultProxy proxy = FaultProxy.to(redis.host(), redis.port());
                RedisClient client = RedisClient.create("redis://127.0.0.1:" + proxy.port())) {
            try (StatefulRedisConnection<String, String> connection = client.connect();
                    Health health = readinessOf(CheckSpec.dependency("redis", Checks.redis(connection, PING_TIMEOUT))
                            .critical().interval(Duration.ofMillis(200)))) {
                awaitReadiness(health, Status.UP);
                proxy.blackhole();
                awaitReadiness(health, Status.DOWN);
                assertThat(health.snapshot().checks().get(0).result().reason()).isEqualTo("timeout");
                proxy.heal();
                awaitReadiness(health, Status.UP);
            }
        }
    }

    @Test
    void aKilledRedisFailsFastAsDisconnectedAndRecoversAfterRestart() throws Exception {
        try (RedisServer redis = RedisServer.start(); RedisClient client = RedisClient.create(redis.uri())) {
            try (StatefulRedisConnection<String, String> connection = client.connect();
                    Health health = readinessOf(CheckSpec.dependency("redis", Checks.redis(connection, PING_TIMEOUT))
                            .critical().interval(Duration.ofMillis(100)))) {
                awaitReadiness(health, Status.UP);
                redis.kill();
                awaitReadiness(health, Status.DOWN);
                assertThat(health.snapshot().checks().get(0).result().reason()).isEqualTo("disconnected");
                redis.restart();
                awaitReadiness(health, Status.UP);
            }
        }
    }

    @Test
    void postgresStoppedAndStartedAgainTurnsReadinessDownThenUpWithoutARestart() throws Exception {
        try (PostgresServer pg = PostgresServer.start(); PostgresDatabase db = pg.createDatabase();
                HikariDataSource pool = pool(db, 2)) {
            try (Health health = readinessOf(CheckSpec.dependency("postgres", Checks.postgres(pool, Duration.ofSeconds(1)))
                    .critical().interval(Duration.ofMillis(200)).timeout(Duration.ofSeconds(2)))) {
                awaitReadiness(health, Status.UP);
                assertThat(health.snapshot().checks().get(0).result().details()).containsKeys("latencyMs", "active", "idle");

                pg.stop();
                awaitReadiness(health, Status.DOWN);
                pg.restart();
                awaitReadiness(health, Status.UP);
            }
        }
    }

    @Test
    @SuppressWarnings("try") // the waiter's connection is borrowed only to wait; the held one is closed early to release it
    void aSaturatedPoolIsWarnNotDown() throws Exception {
        try (PostgresServer pg = PostgresServer.start();
                PostgresDatabase db = pg.createDatabase(); HikariDataSource pool = pool(db, 1)) {
            HealthCheck check = Checks.postgres(pool, Duration.ofSeconds(1));
            try (Connection held = pool.getConnection()) {
                CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
                    try (Connection ignored = pool.getConnection()) {
                        // waits for the held connection
                    } catch (Exception e) {
                        // timed out: fine, the check has looked by then
                    }
                });
                Awaitility.await().atMost(Duration.ofSeconds(2))
                        .until(() -> pool.getHikariPoolMXBean().getThreadsAwaitingConnection() > 0);

                Result result = check.check();

                assertThat(result.status()).isEqualTo(Status.WARN);
                assertThat(result.reason()).isEqualTo("pool-saturated");
                held.close();
                waiter.join();
            }
        }
    }

    @Test
    void diskSpaceWarnsThenFailsBelowItsThresholds() throws Exception {
        assertThat(Checks.diskSpace(Path.of("."), 1, 0).check().status()).isEqualTo(Status.UP);
        assertThat(Checks.diskSpace(Path.of("."), Long.MAX_VALUE, 0).check().reason()).isEqualTo("disk-low");
        assertThat(Checks.diskSpace(Path.of("."), Long.MAX_VALUE, Long.MAX_VALUE).check().reason()).isEqualTo("disk-full");
    }

    private static HikariDataSource pool(PostgresDatabase db, int max) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setDataSourceProperties(db.connectionProperties());
        config.setMaximumPoolSize(max);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(500);
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    private static Health readinessOf(CheckSpec spec) {
        Health health = Health.builder().check(spec).build().start();
        health.markReady();
        return health;
    }

    private static void awaitReadiness(Health health, Status status) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(health.snapshot().readiness()).isEqualTo(status));
    }
}
