package io.reporadar.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reporadar.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthTest {

    private static final Duration FAST = Duration.ofMillis(50);
    private final List<Health> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(Health::close);
    }

    private Health start(Health.Builder builder) {
        Health health = builder.build().start();
        started.add(health);
        return health;
    }

    @Test
    void readinessIsOutOfServiceUntilReadyThenFollowsTheCriticalDependencies() {
        AtomicBoolean dbUp = new AtomicBoolean(true);
        Health health = start(Health.builder()
                .check(CheckSpec.dependency("db", () -> dbUp.get() ? Result.up() : Result.down("refused")).critical().interval(FAST)));

        awaitGroup(health, CheckSpec.READINESS, Status.OUT_OF_SERVICE);
        health.markReady();
        awaitGroup(health, CheckSpec.READINESS, Status.UP);

        dbUp.set(false);
        awaitGroup(health, CheckSpec.READINESS, Status.DOWN);
        assertThat(health.snapshot().checks().get(0).result().reason()).isEqualTo("refused");
        assertThat(health.snapshot().liveness()).as("a dependency never touches liveness").isEqualTo(Status.UP);
    }

    @Test
    void aFailingNonCriticalCheckMakesItsGroupWarnNotDown() {
        Health health = start(Health.builder()
                .check(CheckSpec.dependency("db", Result::up).critical().interval(FAST))
                .check(CheckSpec.dependency("cache", () -> Result.down("timeout")).interval(FAST)));
        health.markReady();

        awaitGroup(health, CheckSpec.READINESS, Status.WARN);
        assertThat(Status.WARN.httpStatus()).isEqualTo(200);
    }

    @Test
    void aHungCheckReportsTimeoutAndNeverRunsTwiceAtOnce() throws Exception {
        AtomicInteger invocations = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Health health = start(Health.builder().check(CheckSpec.dependency("frozen", () -> {
            invocations.incrementAndGet();
            release.await();
            return Result.up();
        }).critical().interval(FAST).timeout(Duration.ofMillis(200))));
        health.markReady();

        awaitGroup(health, CheckSpec.READINESS, Status.DOWN);
        CheckStatus frozen = health.snapshot().checks().get(0);
        assertThat(frozen.result().reason()).isEqualTo("timeout");
        assertThat(frozen.result().details()).containsEntry("timeoutMs", 200L);
        Thread.sleep(500);
        assertThat(invocations).as("ticks every 50 ms while the first run hangs").hasValue(1);

        release.countDown();
        // The late result counts, and the schedule resumes.
        awaitGroup(health, CheckSpec.READINESS, Status.UP);
        Awaitility.await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(invocations.get()).isGreaterThan(1));
    }

    @Test
    void aFailureThresholdDampsFlapping() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Health health = start(Health.builder().check(CheckSpec.dependency("flappy",
                () -> runs.incrementAndGet() % 2 == 0 ? Result.down("blip") : Result.up())
                .critical().interval(Duration.ofMillis(20)).failureThreshold(2)));
        health.markReady();
        awaitGroup(health, CheckSpec.READINESS, Status.UP);

        for (int i = 0; i < 20; i++) {
            assertThat(health.snapshot().readiness()).isEqualTo(Status.UP);
            Thread.sleep(15);
        }
        assertThat(runs.get()).isGreaterThan(5);
    }

    @Test
    void aSuccessThresholdKeepsARecoveringCheckDownUntilItHolds() {
        AtomicInteger runs = new AtomicInteger();
        AtomicBoolean healed = new AtomicBoolean();
        Health health = start(Health.builder().check(CheckSpec.dependency("db",
                () -> {
                    runs.incrementAndGet();
                    return healed.get() ? Result.up() : Result.down("refused");
                }).critical().interval(Duration.ofMillis(100)).successThreshold(3)));
        health.markReady();
        awaitGroup(health, CheckSpec.READINESS, Status.DOWN);

        int before = runs.get();
        healed.set(true);
        awaitGroup(health, CheckSpec.READINESS, Status.UP);
        assertThat(runs.get() - before).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aResultOlderThanThreeIntervalsIsNoLongerTrusted() {
        ManualClock clock = new ManualClock();
        Health health = start(Health.builder().clock(clock)
                .check(CheckSpec.dependency("db", Result::up).critical().interval(Duration.ofHours(1))));
        health.markReady();
        awaitGroup(health, CheckSpec.READINESS, Status.UP);

        clock.advance(Duration.ofHours(3).plusSeconds(2));

        CheckStatus db = health.snapshot().checks().get(0);
        assertThat(db.status()).isEqualTo(Status.UNKNOWN);
        assertThat(db.result().reason()).isEqualTo("stale");
        assertThat(health.snapshot().readiness()).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void startupLatchesOncePassed() {
        AtomicBoolean warm = new AtomicBoolean(true);
        Health health = start(Health.builder()
                .check(CheckSpec.internal("cache-warm", () -> warm.get() ? Result.up() : Result.down("cold")).onlyIn(CheckSpec.STARTUP)
                        .interval(FAST)));
        awaitGroup(health, CheckSpec.STARTUP, Status.UP);
        warm.set(false);
        Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> health.snapshot().checks().get(0).status() == Status.DOWN);

        assertThat(health.snapshot().startup()).isEqualTo(Status.UP);
    }

    @Test
    void anExceptionIsDownWithItsClassButNotItsMessage() {
        Health health = start(Health.builder().check(CheckSpec.dependency("db", () -> {
            throw new IllegalStateException("password=hunter2 rejected");
        }).critical().interval(FAST)));
        health.markReady();
        awaitGroup(health, CheckSpec.READINESS, Status.DOWN);

        Result result = health.snapshot().checks().get(0).result();
        assertThat(result.reason()).isEqualTo("error");
        assertThat(result.details()).containsEntry("error", "java.lang.IllegalStateException");
        assertThat(result.toString()).doesNotContain("hunter2");
    }

    @Test
    void concurrentOnDemandEvaluationsShareOneRun() throws Exception {
        AtomicInteger invocations = new AtomicInteger();
        Health health = Health.builder().check(CheckSpec.dependency("slow", () -> {
            invocations.incrementAndGet();
            Thread.sleep(300);
            return Result.up();
        }).interval(Duration.ofHours(1))).build();
        started.add(health);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<HealthSnapshot>> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                calls.add(pool.submit(health::evaluateNow));
            }
            for (Future<HealthSnapshot> call : calls) {
                assertThat(call.get().checks().get(0).status()).isEqualTo(Status.UP);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(invocations).hasValue(1);
    }

    @Test
    void drainingTurnsReadinessOutOfServiceAndLeavesLivenessUp() {
        Health health = start(Health.builder().check(CheckSpec.internal("threads", Result::up).interval(FAST))
                .check(CheckSpec.dependency("db", Result::up).critical().interval(FAST)));
        health.markReady();
        awaitGroup(health, CheckSpec.READINESS, Status.UP);

        health.beginDrain();

        assertThat(health.lifecycle()).isEqualTo(Lifecycle.DRAINING);
        assertThat(health.snapshot().readiness()).isEqualTo(Status.OUT_OF_SERVICE);
        awaitGroup(health, CheckSpec.LIVENESS, Status.UP);
        assertThatThrownBy(health::markReady).hasMessage("lifecycle: DRAINING (expected: STARTING to move to READY)");
    }

    @Test
    void invalidSetupsAreReportedAllAtOnce() {
        assertThatThrownBy(() -> Health.builder()
                .check(CheckSpec.dependency("db", Result::up).groups(CheckSpec.LIVENESS))
                .check(CheckSpec.internal("heap", Result::up))
                .check(CheckSpec.internal("heap", Result::up))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid health checks: check db: a dependency check in liveness gets healthy instances restarted"
                        + " when the dependency fails (call allowInLiveness() if that is what you want);"
                        + " check heap: registered twice");
        assertThatThrownBy(() -> CheckSpec.dependency("Bad Name", Result::up))
                .hasMessage("check name: Bad Name (expected: 1-63 lowercase letters, digits, '.', '_' or '-')");
    }

    @Test
    void aSpecIsAnImmutableTemplateThatSeveralHealthsCanShare() {
        CheckSpec template = CheckSpec.dependency("db", Result::up).interval(FAST);
        CheckSpec critical = template.critical().groups("api");

        assertThat(critical).isNotSameAs(template);
        assertThat(template.critical).isFalse();
        assertThat(template.groups).containsExactly(CheckSpec.READINESS);
        assertThat(critical.groups).containsExactly(CheckSpec.READINESS, "api");
        assertThat(critical.interval).isEqualTo(FAST);
        assertThatThrownBy(() -> critical.groups.add("liveness")).isInstanceOf(UnsupportedOperationException.class);

        Health first = start(Health.builder().check(template));
        Health second = start(Health.builder().check(critical));
        first.markReady();
        second.markReady();
        awaitGroup(first, CheckSpec.READINESS, Status.UP);
        awaitGroup(second, "api", Status.UP);
        assertThat(first.snapshot().checks()).singleElement().satisfies(check -> assertThat(check.critical()).isFalse());
        assertThat(second.snapshot().checks()).singleElement().satisfies(check -> assertThat(check.critical()).isTrue());
    }

    private static void awaitGroup(Health health, String group, Status status) {
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> assertThat(health.snapshot().group(group)).isEqualTo(status));
    }
}
