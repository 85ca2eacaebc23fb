package com.example.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import io.reporadar.lb.NginxUpstream;
import io.reporadar.lb.Strategy;
import io.reporadar.lb.spi.EndpointSet;
import io.reporadar.lb.spi.NginxRenderable;
import io.reporadar.lb.spi.Selector;
import io.reporadar.lb.spi.StrategyConformance;
import io.reporadar.testing.ReadmeExamples;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** A strategy written outside our packages, as the README shows it: it keeps the contract and renders for nginx. */
class UserStrategyExampleTest {

    // README example begins
    /** Weighted random over the endpoints that may be picked; nginx's {@code random} does the same. */
    record UsableRandom() implements Strategy, NginxRenderable {

        @Override
        public String name() {
            return "usable_random";
        }

        @Override
        public Selector newSelector(EndpointSet endpoints) {
            return (context, ignoreHealth) -> {
                int total = 0;
                for (int i = 0; i < endpoints.size(); i++) {
                    if (endpoints.usable(context, i, ignoreHealth)) {
                        total += endpoints.weight(i);
                    }
                }
                int ticket = total == 0 ? 0 : ThreadLocalRandom.current().nextInt(total);
                int chosen = -1;
                for (int i = 0; i < endpoints.size() && ticket >= 0; i++) {
                    if (endpoints.usable(context, i, ignoreHealth)) {
                        chosen = i;
                        ticket -= endpoints.weight(i);
                    }
                }
                return chosen; // -1: none left
            };
        }

        @Override
        public List<String> nginxLines(String hashKey) {
            return List.of("random;");
        }
    }

    @Test
    void keepsTheStrategyContract() {
        StrategyConformance.of(new UsableRandom()).allocationFree().verify();
    }
    // README example ends

    @Test
    void theReadmeShowsItAndNginxGetsItsDirective() {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/com/example/lb/UserStrategyExampleTest.java"));
        List<Endpoint> instances = List.of(Endpoint.parse("reporadar-1:3000"), Endpoint.parse("reporadar-2:3000 weight=2"));
        assertThat(NginxUpstream.builder("reporadar", new UsableRandom()).servers(instances).render())
                .contains("# Rendered by reporadar-lb-strategies for strategy usable_random, 2 servers.\nupstream reporadar {\n    random;\n")
                .contains("    server reporadar-2:3000 weight=2 max_fails=1 fail_timeout=10s;\n");
        assertThat(LoadBalancer.of(new UsableRandom(), instances).pick(null)).isIn(instances);
    }

    /** Picks the first endpoint whatever the request tried or the health policy says. */
    record AlwaysFirst() implements Strategy {
        @Override
        public String name() {
            return "always_first";
        }

        @Override
        public Selector newSelector(EndpointSet endpoints) {
            return (context, ignoreHealth) -> endpoints.size() == 0 ? -1 : 0;
        }
    }

    @Test
    void theKitNamesTheRuleABrokenStrategyBreaksAndNginxRefusesAStrategyWithoutADirective() {
        assertThatThrownBy(() -> StrategyConformance.of(new AlwaysFirst()).verify()).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("strategy always_first: picked only [10.0.0.1:8080] in 10000 requests");
        assertThatThrownBy(() -> NginxUpstream.builder("reporadar", new AlwaysFirst()).server(Endpoint.parse("a:1")).render())
                .hasMessage("upstream reporadar: strategy always_first has no nginx equivalent (expected: a strategy that implements NginxRenderable)");
        assertThatThrownBy(() -> new AlwaysFirst().withBoundedLoad(1.25))
                .hasMessage("strategy always_first: bounded load (expected: a consistent hash or maglev)");
    }
}
