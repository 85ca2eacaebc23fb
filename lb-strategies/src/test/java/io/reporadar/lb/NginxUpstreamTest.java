package io.reporadar.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NginxUpstreamTest {

    private static final List<Endpoint> THREE = List.of(Endpoint.of("reporadar-1", 3000), Endpoint.of("reporadar-2", 3000),
            Endpoint.of("reporadar-3", 3000, 2));

    @Test
    void rendersLeastConnWithEveryServerAndTheGapsAsComments() {
        String block = NginxUpstream.builder("reporadar", Strategy.leastConnections()).servers(THREE)
                .maxFails(3).failTimeout(Duration.ofSeconds(10)).keepalive(32).render();

        assertThat(block).isEqualTo("""
                # Rendered by reporadar-lb-strategies for strategy least_conn, 3 servers.
                upstream reporadar {
                    # nginx counts connections per worker process (no shared zone here); the Java
                    # strategy counts the requests in flight that its own client started.
                    least_conn;
                    server reporadar-1:3000 max_fails=3 fail_timeout=10s;
                    server reporadar-2:3000 max_fails=3 fail_timeout=10s;
                    server reporadar-3:3000 weight=2 max_fails=3 fail_timeout=10s;
                    keepalive 32;
                }
                """);
    }

    @Test
    void anIdleTimeoutForCachedConnectionsIsRenderedInMillisecondsAndMustBePositive() {
        String block = NginxUpstream.builder("reporadar", Strategy.leastConnections()).servers(THREE).keepalive(32)
                .keepaliveTimeout(Duration.ofSeconds(1)).render();

        assertThat(block).contains("    keepalive 32;\n    keepalive_timeout 1000ms;\n");
        assertThatThrownBy(() -> NginxUpstream.builder("reporadar", Strategy.leastConnections()).keepaliveTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("keepaliveTimeout: PT0S (expected: at least 1 ms)");
    }

    @Test
    void rendersFiveInstancesWithoutAnyHandEdit() {
        List<Endpoint> five = java.util.stream.IntStream.rangeClosed(1, 5)
                .mapToObj(i -> Endpoint.of("reporadar-" + i, 3000)).toList();
        String block = NginxUpstream.builder("reporadar", Strategy.roundRobin()).servers(five).render();
        assertThat(block.lines().filter(l -> l.strip().startsWith("server "))).hasSize(5);
    }

    @Test
    void eachStrategyHasItsDirective() {
        assertThat(render(Strategy.ipHash())).contains("    ip_hash;\n");
        assertThat(render(Strategy.powerOfTwoChoices())).contains("    random two least_conn;\n");
        assertThat(render(Strategy.random())).contains("    random;\n");
        assertThat(render(Strategy.roundRobin())).doesNotContain("least_conn").doesNotContain("hash");
        assertThat(NginxUpstream.builder("u", Strategy.consistentHash()).hashKey("$cookie_sid").servers(THREE).render())
                .contains("    hash $cookie_sid consistent;\n");
        assertThat(render(Strategy.ipHashFullAddress())).contains("hash $remote_addr consistent;").contains("# nginx's ip_hash only reads");
    }

    @Test
    void refusesWhatNginxWouldRefuse() {
        assertThatThrownBy(() -> NginxUpstream.builder("u", Strategy.ipHash()).servers(THREE).backup(Endpoint.of("spare", 3000)).render())
                .hasMessage("upstream u: backup servers [spare:3000] (expected: none with ip_hash, whose nginx directive does not allow"
                        + " backup servers)");
        assertThatThrownBy(() -> NginxUpstream.builder("u", Strategy.consistentHash()).servers(THREE).render())
                .hasMessage("upstream u: no hashKey (expected: an nginx expression such as $cookie_sid)");
        assertThatThrownBy(() -> NginxUpstream.builder("u", Strategy.roundRobin()).render())
                .hasMessage("upstream u: no servers (expected: at least one)");
        assertThatThrownBy(() -> NginxUpstream.builder("bad name", Strategy.roundRobin()))
                .hasMessage("upstream name: bad name (expected: letters, digits, '_', '.' or '-')");
    }

    private static String render(Strategy strategy) {
        return NginxUpstream.builder("u", strategy).servers(THREE).render();
    }
}
