package io.reporadar.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reporadar.health.micrometer.HealthMetrics;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class HealthMetricsTest {

    @Test
    void statusDurationsTimeoutsTransitionsAndLifecycleAreMeasured() {
        AtomicBoolean dbUp = new AtomicBoolean(true);
        CountDownLatch never = new CountDownLatch(1);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Health health = Health.builder()
                .check(CheckSpec.dependency("db", () -> dbUp.get() ? Result.up() : Result.down("refused"))
                        .critical().interval(Duration.ofMillis(30)))
                .check(CheckSpec.dependency("hung", () -> {
                    never.await();
                    return Result.up();
                }).interval(Duration.ofMillis(30)).timeout(Duration.ofMillis(50)))
                .build()) {
            new HealthMetrics(health).bindTo(registry);
            health.start();
            health.markReady();
            Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(registry.get("reporadar.health.status").tags("check", "db", "status", "up").gauge().value()).isEqualTo(1.0));

            dbUp.set(false);
            Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(registry.get("reporadar.health.status").tags("check", "db", "status", "up").gauge().value()).isZero();
                assertThat(registry.get("reporadar.health.status").tags("check", "db", "status", "down").gauge().value()).isEqualTo(1.0);
                assertThat(registry.get("reporadar.health.status").tags("group", "readiness", "status", "down").gauge().value()).isEqualTo(1.0);
                // WARN and UNKNOWN are told apart: the hung check is DOWN (timeout), never counted as another state
                assertThat(registry.get("reporadar.health.status").tag("check", "hung").gauges())
                        .extracting(gauge -> gauge.value()).containsExactlyInAnyOrder(0.0, 0.0, 0.0, 0.0, 1.0);
                assertThat(registry.get("reporadar.health.check.transitions").tags("check", "db", "to", "down").counter().count())
                        .isEqualTo(1);
                assertThat(registry.get("reporadar.health.check.timeouts").tag("check", "hung").counter().count()).isEqualTo(1);
            });
            assertThat(registry.get("reporadar.health.check.duration").tags("check", "db", "outcome", "up").timer().count())
                    .isPositive();
            assertThat(registry.get("reporadar.health.lifecycle").tag("state", "ready").gauge().value()).isEqualTo(1.0);
            never.countDown();
        }
    }
}
