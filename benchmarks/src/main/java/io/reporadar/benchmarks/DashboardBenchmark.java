package io.reporadar.benchmarks;

import io.reporadar.health.CheckSpec;
import io.reporadar.health.DetailsPolicy;
import io.reporadar.health.Health;
import io.reporadar.health.HealthEndpoints;
import io.reporadar.health.Result;
import io.reporadar.health.Status;
import io.reporadar.health.dashboard.DashboardPage;
import io.reporadar.health.dashboard.DeploymentView;
import io.reporadar.health.dashboard.InstanceReport;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the deployment dashboard costs the instance serving it, for 10 instances of 5 checks each, the Redis round
 * trip aside: rendering the page from a view, and the whole request as the demo serves it (the 10 reports decoded
 * from the registry's text, the view put together, the page rendered through {@link HealthEndpoints}). Target:
 * under 100 ms for {@link #decodeAndServeTenInstances}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@SuppressWarnings("NullAway.Init") // JMH runs @Setup before any benchmark method
public class DashboardBenchmark {

    private static final int INSTANCES = 10;
    private static final HealthEndpoints.Request BROWSER = HealthEndpoints.Request.of("GET", "/health/backend")
            .withAccept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8").from(InetAddress.getLoopbackAddress());

    private Health health;
    private DeploymentView view;
    private List<String> published;
    private HealthEndpoints endpoints;

    @Setup(Level.Trial)
    public void setUp() {
        Health.Builder builder = Health.builder();
        for (String name : List.of("disk", "postgres", "redis", "jobs", "sessions")) {
            builder.check(CheckSpec.dependency(name, () -> Result.up().withDetail("latencyMs", 2).withDetail("role", "master")
                    .withDetail("replicas", List.of("10.0.0.7:6379 online lag=0s", "10.0.0.8:6379 online lag=1s"))).interval(Duration.ofHours(1)));
        }
        health = builder.build();
        health.evaluateNow();
        health.markReady();
        Map<String, String> pool = new LinkedHashMap<>();
        pool.put("in use", "3");
        pool.put("max in force", "10");
        pool.put("DB_POOL_MAX", "10");
        pool.put("headroom", "AMPLE (26% of the budget)");
        List<InstanceReport> instances = new ArrayList<>();
        published = new ArrayList<>();
        for (int i = 1; i <= INSTANCES; i++) {
            InstanceReport report = InstanceReport.of("reporadar-" + i, health.snapshot(), i, pool).withAge(400);
            instances.add(report);
            published.add(report.encode());
        }
        List<DeploymentView.Section> sections = List.of(
                new DeploymentView.Section("PostgreSQL connections", Status.UP, Map.of("DB_POOL_MAX × live instances", "10 × 10 = 100",
                        "max_connections", "200", "in use by the service", "30")),
                new DeploymentView.Section("Redis", Status.UP, Map.of("role", "master", "replicas", "[10.0.0.7:6379 online lag=0s]")),
                new DeploymentView.Section("Sentinels", Status.UP, Map.of("master they name", "10.0.0.6:6379")),
                new DeploymentView.Section("Job queue", Status.UP, Map.of("waiting", "12", "active", "4", "failed", "0")));
        view = new DeploymentView(Instant.now(), instances, Duration.ofSeconds(3), sections);
        endpoints = HealthEndpoints.of(health, DetailsPolicy.always()).withPage(DashboardPage.of(() -> {
            List<InstanceReport> decoded = new ArrayList<>(INSTANCES);
            for (String text : published) {
                decoded.add(InstanceReport.decode(text).withAge(400));
            }
            return new DeploymentView(Instant.now(), decoded, Duration.ofSeconds(3), sections);
        }));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        health.close();
    }

    /** The page of a view of 10 instances. */
    @Benchmark
    public String renderTenInstances() {
        return DashboardPage.render(view);
    }

    /** The whole request but Redis's round trip: 10 reports decoded, the view, the page through the endpoints. */
    @Benchmark
    public byte[] decodeAndServeTenInstances() {
        return endpoints.handle(BROWSER).body();
    }
}
