package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The adaptive budget against a real server: instances share it, never oversubscribe it, and take over the dead's share. */
class AdaptiveBudgetIT {

    private static final Duration HEARTBEAT = Duration.ofMillis(300);

    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.privateServer(Map.of("max_connections", "60"));

    private final List<GuardedPool> pools = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void createRole() throws SQLException {
        try (Connection admin = pg.database().connect(); Statement s = admin.createStatement()) {
            s.execute("CREATE ROLE app LOGIN");
            s.execute("GRANT ALL ON DATABASE " + pg.database().name() + " TO app");
            s.execute("GRANT ALL ON SCHEMA public TO app");
        }
    }

    @AfterEach
    void closePools() throws SQLException {
        pools.forEach(GuardedPool::close);
        pools.clear();
        try (Connection admin = pg.database().connect(); Statement s = admin.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + InstanceRegistry.TABLE);
        }
    }

    /** 57 connections for an ordinary role, 2 kept as headroom: 55 for the pools. */
    private PoolSettings.Builder instance(int n, int min, int max) {
        return PoolSettings.builder()
                .url("postgresql://app@" + pg.server().host() + ":" + pg.server().port() + "/" + pg.database().name())
                .identity("reporadar", "instance-" + n)
                .pool(min, max)
                .instances(3, 0)
                .reserved(2)
                .assumedMaxConnections(200)
                .adaptive(HEARTBEAT);
    }

    @Test
    void liveInstancesShareTheBudgetAndTakeOverTheShareOfOneThatStopsHeartbeating() throws SQLException {
        GuardedPool a = open(instance(1, 1, 40));
        GuardedPool b = open(instance(2, 1, 40));
        GuardedPool c = open(instance(3, 1, 40));

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(a.currentMax()).isEqualTo(18);
            assertThat(b.currentMax()).isEqualTo(18);
            assertThat(c.currentMax()).isEqualTo(18);
        });
        assertThat(sumOfCaps()).isLessThanOrEqualTo(55);

        // c dies without leaving the registry, as after kill -9.
        c.halt();
        long died = System.nanoTime();

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(a.currentMax()).isEqualTo(27);
            assertThat(b.currentMax()).isEqualTo(27);
        });
        Duration takeover = Duration.ofNanos(System.nanoTime() - died);
        // Documented bound: 3 missed heartbeats, then the next heartbeat of each survivor (plus scheduling slack).
        assertThat(takeover).isLessThan(HEARTBEAT.multipliedBy(InstanceRegistry.MISSED_HEARTBEATS + 2).plusSeconds(1));
        assertThat(a.liveInstances()).isEqualTo(2);
    }

    @Test
    void anInstanceThatLeavesReleasesItsShareAtOnce() throws SQLException {
        GuardedPool a = open(instance(1, 1, 40));
        GuardedPool b = open(instance(2, 1, 40));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> a.currentMax() == 27 && b.currentMax() == 27);

        b.close();
        pools.remove(b);

        Awaitility.await().atMost(HEARTBEAT.multipliedBy(3)).until(() -> a.currentMax() == 40);
    }

    @Test
    void twentySimultaneousStartersNeverOversubscribeTheServer() throws Exception {
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger worstCaps = new AtomicInteger();
        AtomicInteger worstConnections = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(21);
        Future<?> sampler = executor.submit(() -> {
            try (Connection admin = pg.database().connect(); Statement s = admin.createStatement()) {
                while (sampling.get()) {
                    worstCaps.accumulateAndGet(sumOfCaps(s), Math::max);
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = 'app'")) {
                        rs.next();
                        worstConnections.accumulateAndGet(rs.getInt(1), Math::max);
                    }
                    Thread.sleep(10);
                }
            }
            return null;
        });
        CountDownLatch go = new CountDownLatch(1);
        List<Future<GuardedPool>> starters = new ArrayList<>();
        for (int n = 1; n <= 20; n++) {
            PoolSettings settings = instance(n, 1, 5).instances(20, 0).build();
            starters.add(executor.submit(() -> {
                go.await();
                return open(settings);
            }));
        }
        go.countDown();
        for (Future<GuardedPool> starter : starters) {
            starter.get(60, TimeUnit.SECONDS);
        }
        // Let the early starters shrink and every pool fill to its minimum.
        Thread.sleep(HEARTBEAT.multipliedBy(4).toMillis());
        sampling.set(false);
        sampler.get(10, TimeUnit.SECONDS);
        executor.shutdownNow();

        assertThat(pools).hasSize(20);
        assertThat(worstCaps.get()).as("sum of caps at any time").isLessThanOrEqualTo(55);
        // Pools of up to 55 connections in all, plus at most 20 transient check connections, within 57 slots: the
        // server never had to refuse anyone (a refusal would have failed a starter above).
        assertThat(worstConnections.get()).isLessThanOrEqualTo(57);
        // floor(55 / 20) = 2 each once every early starter has released its surplus.
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(pools).allSatisfy(p -> assertThat(p.currentMax()).isEqualTo(2)));
    }

    private GuardedPool open(PoolSettings.Builder settings) throws SQLException {
        return open(settings.build());
    }

    private GuardedPool open(PoolSettings settings) throws SQLException {
        GuardedPool pool = GuardedPool.open(settings);
        pools.add(pool);
        return pool;
    }

    private static int sumOfCaps() throws SQLException {
        try (Connection admin = pg.database().connect(); Statement s = admin.createStatement()) {
            return sumOfCaps(s);
        }
    }

    private static int sumOfCaps(Statement s) throws SQLException {
        try (ResultSet exists = s.executeQuery("SELECT to_regclass('" + InstanceRegistry.TABLE + "') IS NOT NULL")) {
            exists.next();
            if (!exists.getBoolean(1)) {
                return 0;
            }
        }
        try (ResultSet rs = s.executeQuery("SELECT COALESCE(sum(cap), 0) FROM " + InstanceRegistry.TABLE)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
