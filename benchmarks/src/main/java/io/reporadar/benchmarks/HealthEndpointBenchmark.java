package io.reporadar.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reporadar.health.CheckSpec;
import io.reporadar.health.CheckStatus;
import io.reporadar.health.DetailsPolicy;
import io.reporadar.health.Health;
import io.reporadar.health.HealthEndpoints;
import io.reporadar.health.HealthSnapshot;
import io.reporadar.health.Result;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 * What a probe costs once the checks have run: reading the snapshot and rendering a 10-check tree, against
 * the usual way of rendering such a tree (a map serialized by Jackson, as actuator-style endpoints do), in the
 * same run. Target: at most 5 µs for {@link #backendTreeJson}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@SuppressWarnings("NullAway.Init") // JMH sets the @Param fields and runs @Setup before any benchmark method
public class HealthEndpointBenchmark {

    private static final HealthEndpoints.Request BACKEND = HealthEndpoints.Request.of("GET", "/health/backend").withAccept("application/json")
            .from(InetAddress.getLoopbackAddress());
    private static final HealthEndpoints.Request HEALTH = HealthEndpoints.Request.of("GET", "/health");

    private Health health;
    private HealthEndpoints endpoints;
    private final ObjectMapper jackson = new ObjectMapper();

    @Setup(Level.Trial)
    public void setUp() {
        Health.Builder builder = Health.builder();
        for (int i = 0; i < 10; i++) {
            int n = i;
            builder.check(CheckSpec.dependency("check-" + i, () -> Result.up().withDetail("latencyMs", n).withDetail("pool", "reporadar"))
                    .critical().interval(Duration.ofHours(1)));
        }
        health = builder.build();
        health.evaluateNow();
        health.markReady();
        endpoints = HealthEndpoints.of(health, DetailsPolicy.always());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        health.close();
    }

    /** Snapshot plus our JSON tree of 10 checks, as {@code /health/backend} serves it. */
    @Benchmark
    public byte[] backendTreeJson() {
        return endpoints.handle(BACKEND).body();
    }

    /** The load balancer's probe: snapshot plus {@code {"status":"UP"}}. */
    @Benchmark
    public byte[] loadBalancerProbe() {
        return endpoints.handle(HEALTH).body();
    }

    /** Peer: the same tree built as maps and serialized by Jackson. */
    @Benchmark
    public byte[] backendTreeJacksonPeer() throws JsonProcessingException {
        HealthSnapshot snapshot = health.snapshot();
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("status", snapshot.overall().name());
        tree.put("lifecycle", snapshot.lifecycle().name());
        tree.put("time", snapshot.time().toString());
        Map<String, Object> groups = new LinkedHashMap<>();
        snapshot.groups().forEach((name, status) -> groups.put(name, status.name()));
        tree.put("groups", groups);
        Map<String, Object> checks = new LinkedHashMap<>();
        for (CheckStatus check : snapshot.checks()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("status", check.status().name());
            c.put("critical", check.critical());
            c.put("groups", check.groups());
            c.put("durationMs", check.result().duration().toMillis());
            c.put("time", String.valueOf(check.result().time()));
            c.put("consecutiveFailures", check.consecutiveFailures());
            c.put("details", check.result().details());
            checks.put(check.name(), c);
        }
        tree.put("checks", checks);
        return jackson.writeValueAsBytes(tree);
    }
}
