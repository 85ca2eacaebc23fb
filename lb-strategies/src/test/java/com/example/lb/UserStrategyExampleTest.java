package com.example.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import io.reporadar.lb.NginxUpstream;
import io.reporadar.lb.PickContext;
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
                // One pass, so that a health verdict changing meanwhile cannot skew the draw: each usable
                // endpoint replaces the choice so far with the chance of its weight in the total so far.
                int total = 0;
                int chosen = -1; // none left
                for (int i = 0; i < endpoints.size(); i++) {
                    if (endpoints.usable(context, i, ignoreHealth)) {
                        total += endpoints.weight(i);
                        if (ThreadLocalRandom.current().nextInt(total) < endpoints.weight(i)) {
                            chosen = i;
                        }
                    }
                }
                return chosen;
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
        Strategy outOfRange = new Strategy() {
            @Override
            public String name() {
                return "minus_two";
            }

            @Override
            public Selector newSelector(EndpointSet endpoints) {
                return (context, ignoreHealth) -> -2;
            }
        };
        assertThatThrownBy(() -> LoadBalancer.of(outOfRange, List.of(Endpoint.parse("a:1"))).pick(null))
                .hasMessage("strategy minus_two picked endpoint -2 of 1 (expected: an index below the set's size, or -1)");
    }

    @Test
    void aSelectorReadsTheRequestsKeyAndClientWithoutAllocating() throws Exception {
        PickContext request = PickContext.withKey("user-42").client(java.net.InetAddress.getByName("198.51.100.7"));
        byte[] address = new byte[16];
        assertThat(request.hasKey()).isTrue();
        assertThat(request.keyCrc32()).isEqualTo(crc32("user-42"));
        assertThat(request.hasClient()).isTrue();
        assertThat(request.clientAddress(address)).isEqualTo(4);
        assertThat(java.util.Arrays.copyOf(address, 4)).containsExactly(198, 51, 100, 7);
        assertThat(request.reset().hasClient()).isFalse();
    }

    private static long crc32(String key) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return crc.getValue();
    }
}
