package io.reporadar.lb;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The health state machine, on a clock the test moves. */
class PassiveHealthTest {

    private static final Endpoint A = Endpoint.of("a", 80);
    private static final Endpoint B = Endpoint.of("b", 80);
    private static final Endpoint C = Endpoint.of("c", 80);
    private static final Endpoint D = Endpoint.of("d", 80);
    private static final Duration MS = Duration.ofMillis(1);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private LoadBalancer balancer(PassiveHealth health, Endpoint... endpoints) {
        return LoadBalancer.builder(Strategy.roundRobin()).endpoints(List.of(endpoints)).health(health).ticker(now::get).build();
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private static Set<Endpoint> picks(LoadBalancer lb, int n) {
        Set<Endpoint> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            seen.add(lb.pick(null));
        }
        return seen;
    }

    @Test
    void maxFailsWithinFailTimeoutMakesAnEndpointUnavailableThenAllowsOneTrial() {
        PassiveHealth nginx = PassiveHealth.OFF.withNginxSemantics(2, Duration.ofSeconds(10));
        LoadBalancer lb = balancer(nginx, A, B, C);

        lb.onStart(A);
        lb.onComplete(A, false, MS);
        assertThat(lb.isAvailable(A)).as("one failure of two allowed").isTrue();
        lb.onStart(A);
        lb.onComplete(A, false, MS);
        assertThat(lb.isAvailable(A)).isFalse();
        assertThat(picks(lb, 30)).containsExactlyInAnyOrder(B, C);

        advance(Duration.ofSeconds(9));
        assertThat(picks(lb, 30)).doesNotContain(A);

        advance(Duration.ofMillis(1001));
        assertThat(lb.isAvailable(A)).as("fail_timeout has passed: one trial").isTrue();
        Set<Endpoint> afterTimeout = picks(lb, 30);
        assertThat(afterTimeout).contains(A);
        assertThat(lb.isAvailable(A)).as("the trial is under way: nobody else gets A").isFalse();

        lb.onStart(A);
        lb.onComplete(A, true, MS);
        assertThat(lb.isAvailable(A)).as("the trial succeeded").isTrue();
    }

    @Test
    void aFailedTrialStartsAnotherFailTimeout() {
        LoadBalancer lb = balancer(PassiveHealth.OFF.withNginxSemantics(1, Duration.ofSeconds(10)), A, B);
        lb.onComplete(A, false, MS);
        advance(Duration.ofSeconds(11));
        assertThat(picks(lb, 4)).contains(A);
        lb.onComplete(A, false, MS);

        advance(Duration.ofSeconds(9));
        assertThat(lb.isAvailable(A)).isFalse();
        advance(Duration.ofSeconds(2));
        assertThat(lb.isAvailable(A)).isTrue();
    }

    @Test
    void consecutiveFailuresEjectWithBackoffAndNeverMoreThanTheCap() {
        PassiveHealth ejecting = PassiveHealth.OFF.withEjection(3, Duration.ofSeconds(30), Duration.ofSeconds(90), 50);
        LoadBalancer lb = balancer(ejecting, A, B, C, D);

        fail(lb, A, 3);
        assertThat(lb.isAvailable(A)).isFalse();
        assertThat(requireNonNull(lb.stats(A)).ejections()).isEqualTo(1);
        fail(lb, B, 3);
        fail(lb, C, 3);
        assertThat(lb.isAvailable(B)).isFalse();
        assertThat(lb.isAvailable(C)).as("50 % of 4: a third ejection would exceed the cap").isTrue();

        advance(Duration.ofSeconds(31));
        assertThat(lb.isAvailable(A)).isTrue();
        fail(lb, A, 3);
        advance(Duration.ofSeconds(31));
        assertThat(lb.isAvailable(A)).as("the second ejection lasts 60 s").isFalse();
        advance(Duration.ofSeconds(30));
        assertThat(lb.isAvailable(A)).isTrue();
    }

    @Test
    void theOnlyEndpointIsNeverEjected() {
        LoadBalancer lb = balancer(PassiveHealth.OFF.withEjection(1, Duration.ofSeconds(30), Duration.ofSeconds(30), 100), A);
        fail(lb, A, 10);
        assertThat(lb.isAvailable(A)).isTrue();
    }

    @Test
    void whenEverythingIsDownFailOpenStillPicksAndFailFastPicksNothing() {
        PassiveHealth nginx = PassiveHealth.OFF.withNginxSemantics(1, Duration.ofSeconds(10));
        LoadBalancer open = balancer(nginx, A, B);
        LoadBalancer fast = balancer(nginx.whenAllDown(PassiveHealth.AllDown.FAIL_FAST), A, B);
        for (LoadBalancer lb : List.of(open, fast)) {
            lb.onComplete(A, false, MS);
            lb.onComplete(B, false, MS);
        }
        assertThat(open.pick(null)).isIn(A, B);
        assertThat(fast.pick(null)).isNull();
    }

    @Test
    void anEndpointAddedToARunningBalancerWarmsUpOverTheSlowStartWindow() {
        LoadBalancer lb = LoadBalancer.builder(Strategy.leastConnections()).endpoints(List.of(A, B))
                .health(PassiveHealth.OFF).slowStart(Duration.ofSeconds(10)).ticker(now::get).build();
        lb.update(List.of(A, B, C));

        // Right after joining, C counts with 10 % of its weight: each request on it weighs like ten elsewhere.
        int onC = 0;
        for (int i = 0; i < 120; i++) {
            Endpoint e = requireNonNull(lb.pick(null));
            lb.onStart(e);
            if (e.equals(C)) {
                onC++;
            }
        }
        assertThat(onC).isLessThan(15);

        advance(Duration.ofSeconds(10));
        Endpoint next = lb.pick(null);
        assertThat(next).as("warm: C is the least loaded by far").isEqualTo(C);
    }

    @Test
    void badSettingsNameTheCulprit() {
        assertThatThrownBy(() -> PassiveHealth.DEFAULT.withNginxSemantics(-1, Duration.ofSeconds(1)))
                .hasMessage("maxFails: -1 (expected: >= 0)");
        assertThatThrownBy(() -> PassiveHealth.DEFAULT.withEjection(3, Duration.ofSeconds(30), Duration.ofSeconds(10), 50))
                .hasMessage("maxEjection: PT10S (expected: at least baseEjection PT30S)");
        assertThatThrownBy(() -> PassiveHealth.DEFAULT.withEjection(3, Duration.ofSeconds(30), Duration.ofSeconds(30), 120))
                .hasMessage("maxEjectedPercent: 120 (expected: 0..100)");
    }

    private static void fail(LoadBalancer lb, Endpoint endpoint, int times) {
        for (int i = 0; i < times; i++) {
            lb.onStart(endpoint);
            lb.onComplete(endpoint, false, MS);
        }
    }
}
