package io.reporadar.lb;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reporadar.lb.micrometer.LoadBalancerMetrics;
import io.reporadar.testing.ApiPackageRule;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadBalancerMetricsTest {

    @Test
    void measuresEndpointsAndFollowsMembership() {
        Endpoint a = Endpoint.of("a", 80);
        Endpoint b = Endpoint.of("b", 80);
        Endpoint c = Endpoint.of("c", 80);
        LoadBalancer lb = LoadBalancer.of(Strategy.roundRobin(), List.of(a, b));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new LoadBalancerMetrics(lb, "reporadar").bindTo(registry);

        lb.onStart(requireNonNull(lb.pick(null)));
        lb.onStart(a);
        lb.onComplete(a, false, Duration.ofMillis(2));

        assertThat(registry.get("reporadar.lb.picks").tag("strategy", "round_robin").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("reporadar.lb.endpoint.requests").tags("endpoint", "a:80", "outcome", "failure").functionCounter().count())
                .isEqualTo(1);
        assertThat(registry.get("reporadar.lb.endpoint.available").tag("endpoint", "a:80").gauge().value()).isZero();

        lb.update(List.of(b, c));

        assertThat(registry.find("reporadar.lb.endpoint.inflight").tag("endpoint", "a:80").gauge()).isNull();
        assertThat(registry.get("reporadar.lb.endpoint.inflight").tag("endpoint", "c:80").gauge().value()).isZero();
    }

    @Test
    void theApiNeverTouchesMicrometerOrServlets() {
        ApiPackageRule.assertApiFreeOfOptionalDependencies("io.reporadar.lb");
    }
}
