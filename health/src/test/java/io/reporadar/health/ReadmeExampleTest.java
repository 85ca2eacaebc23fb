package io.reporadar.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.ReadmeExamples;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadmeExampleTest {

    @Test
    void theReadmeShowsTheExampleBelowAndItHolds() {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/health/ReadmeExampleTest.java"));

        // README example begins
        Status group = Status.worstOf(List.of(Status.UP, Status.WARN));
        int httpStatus = group.httpStatus();        // 200: a degraded instance keeps taking traffic
        boolean routable = group.acceptsTraffic();  // true
        // README example ends

        assertThat(httpStatus).isEqualTo(200);
        assertThat(routable).isTrue();
    }
}
