package io.reporadar.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/**
 * The example of core/README.md, verbatim between the markers (checked here by hand: test-support's
 * {@code ReadmeExamples} depends on this module).
 */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleRuns() throws Exception {
        // README example begins
        Duration idle = Durations.parse("SESSION_IDLE_TIMEOUT", "30m", ChronoUnit.SECONDS);  // 30 minutes
        Duration legacy = Durations.parse("SESSION_IDLE_TIMEOUT", "1800", ChronoUnit.SECONDS); // also 30 minutes
        ScheduledExecutorService checks = DaemonThreads.scheduler("health-checks");          // "reporadar-health-checks"
        // README example ends
        try {
            assertThat(idle).isEqualTo(legacy).isEqualTo(Duration.ofMinutes(30));
            assertThat(checks.submit(() -> Thread.currentThread().getName()).get()).isEqualTo("reporadar-health-checks");
        } finally {
            checks.shutdownNow();
        }
    }

    @Test
    void theReadmeShowsTheExampleVerbatim() throws Exception {
        String source = Files.readString(Path.of("src/test/java/io/reporadar/core/ReadmeExampleTest.java"));
        String example = source.substring(source.indexOf("// README example begins\n") + 25, source.indexOf("        // README example ends"))
                .replaceAll("(?m)^ {8}", "");
        assertThat(Files.readString(Path.of("README.md"))).contains("```java\n" + example + "```");
    }
}
