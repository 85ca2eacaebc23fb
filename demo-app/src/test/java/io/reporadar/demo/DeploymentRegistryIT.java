package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.health.dashboard.InstanceReport;
import io.reporadar.session.SessionRedis;
import io.reporadar.testing.RedisExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dashboard's registry on a real Redis: heartbeats, ages by Redis's clock, the last report, forgetting. */
class DeploymentRegistryIT {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();

    private static InstanceReport report(String id, String lifecycle) {
        return new InstanceReport(id, lifecycle, "UP", 2, List.of(new InstanceReport.Check("postgres", "UP", 3, null, "latencyMs=3")),
                Map.of("in use", "1"), 0);
    }

    @Test
    void instancesSeeEachOtherWithTheirAgeAndAClosedOneIsStoppedAtOnce() {
        try (SessionRedis one = SessionRedis.connect(redis.uri(), Duration.ofSeconds(1), Duration.ofSeconds(2));
             SessionRedis two = SessionRedis.connect(redis.uri(), Duration.ofSeconds(1), Duration.ofSeconds(2))) {
            AtomicReference<InstanceReport> first = new AtomicReference<>(report("reporadar-1", "READY"));
            DeploymentRegistry registryOne = new DeploymentRegistry(one);
            DeploymentRegistry registryTwo = new DeploymentRegistry(two);
            registryOne.start(first::get);
            registryTwo.start(() -> report("reporadar-2", "READY"));

            Awaitility.await("both instances").atMost(Duration.ofSeconds(5))
                    .until(() -> registryOne.instances().stream().map(InstanceReport::id).sorted().toList(), ids -> ids.equals(List.of("reporadar-1", "reporadar-2")));
            InstanceReport seen = registryTwo.instances().stream().filter(r -> r.id().equals("reporadar-1")).findFirst().orElseThrow();
            assertThat(seen.withAge(0)).isEqualTo(first.get());
            assertThat(seen.ageMillis()).as("published within the last heartbeats").isBetween(0L, DeploymentRegistry.HEARTBEAT_TIMEOUT.toMillis());

            first.set(report("reporadar-1", "DRAINING"));
            registryOne.publishSoon();
            Awaitility.await("DRAINING seen by the other").atMost(Duration.ofSeconds(2))
                    .until(() -> registryTwo.instances().stream().anyMatch(r -> r.id().equals("reporadar-1") && r.lifecycle().equals("DRAINING")));

            registryOne.close();
            assertThat(registryTwo.instances()).filteredOn(r -> r.id().equals("reporadar-1")).singleElement()
                    .satisfies(r -> assertThat(r.lifecycle()).isEqualTo("STOPPED"));
            registryTwo.close();
        }
    }

    @Test
    void aReportOlderThanAMinuteOrUnreadableIsForgottenWhenRead() {
        try (SessionRedis connection = SessionRedis.connect(redis.uri(), Duration.ofSeconds(1), Duration.ofSeconds(2))) {
            var sync = connection.connection().sync();
            byte[] key = DeploymentRegistry.KEY.getBytes(StandardCharsets.UTF_8);
            sync.hset(key, bytes("old"), bytes("1000\n" + report("old", "READY").encode()));
            sync.hset(key, bytes("garbage"), bytes("not a report"));

            assertThat(new DeploymentRegistry(connection).instances()).extracting(InstanceReport::id).doesNotContain("old", "garbage");
            assertThat(sync.hexists(key, bytes("old"))).isFalse();
            assertThat(sync.hexists(key, bytes("garbage"))).isFalse();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
