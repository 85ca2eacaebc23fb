package io.reporadar.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.ReadmeExamples;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReadmeExampleTest {

    @Test
    void theReadmeShowsTheExampleBelowAndItHolds() {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/lb/ReadmeExampleTest.java"));

        // README example begins
        Endpoint first = Endpoint.parse("reporadar-1:3000 weight=2");
        Endpoint second = Endpoint.of("reporadar-2", 3000);
        String line = "server " + first + ";";      // server reporadar-1:3000 weight=2;
        // README example ends

        assertThat(line).isEqualTo("server reporadar-1:3000 weight=2;");
        assertThat(second.weight()).isEqualTo(1);
    }
}
