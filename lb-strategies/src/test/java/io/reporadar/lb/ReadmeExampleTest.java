package io.reporadar.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.ReadmeExamples;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadmeExampleTest {

    @Test
    void theReadmeShowsTheExampleBelowAndItHolds() {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/lb/ReadmeExampleTest.java"));

        // README example begins
        List<Endpoint> instances = List.of(Endpoint.parse("reporadar-1:3000"), Endpoint.parse("reporadar-2:3000"),
                Endpoint.parse("reporadar-3:3000 weight=2"));
        LoadBalancer lb = LoadBalancer.of(Strategy.leastConnections(), instances);

        PickContext request = new PickContext();       // one per request, reused across its retries
        Endpoint endpoint = lb.pick(request);          // null when none is left
        if (endpoint != null) {
            lb.onStart(endpoint);
            // ... send the request ...
            lb.onComplete(endpoint, true, Duration.ofMillis(12));
        }
        Endpoint retry = lb.pick(request);             // never the endpoint already tried

        String upstream = NginxUpstream.builder("reporadar", Strategy.leastConnections())
                .servers(instances).maxFails(3).failTimeout(Duration.ofSeconds(10)).keepalive(32)
                .render();                             // the same choice, for the nginx in front
        // README example ends

        assertThat(endpoint).isNotNull();
        assertThat(retry).isNotNull().isNotEqualTo(endpoint);
        assertThat(upstream).contains("least_conn;").contains("server reporadar-3:3000 weight=2");
    }
}
