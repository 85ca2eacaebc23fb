package io.reporadar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JobTest {

    @Test
    void aJobIsImmutableAndNeverShowsItsPayload() {
        byte[] payload = "secret token 123".getBytes(StandardCharsets.UTF_8);
        Job job = Job.of("export", payload);
        payload[0] = 'X';
        Job delayed = job.id("export-user-42").delay(Duration.ofSeconds(5)).maxAttempts(5);

        assertThat(job.payloadText()).isEqualTo("secret token 123");
        assertThat(job.id()).isNull();
        assertThat(delayed.id()).isEqualTo(JobId.of("export-user-42"));
        assertThat(delayed.delay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(delayed.maxAttempts()).isEqualTo(5);
        assertThat(job.maxAttempts()).isZero();
        job.payload()[0] = 'Y';
        assertThat(job.payloadText()).isEqualTo("secret token 123");
        assertThat(delayed.toString()).isEqualTo("Job[export export-user-42, payload 16 bytes, delay PT5S, maxAttempts 5]")
                .doesNotContain("secret");
    }

    @Test
    void badInputIsRefusedNamingTheCulprit() {
        assertThatThrownBy(() -> Job.of("no spaces", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job type: 'no spaces' (expected: 1 to 64 letters, digits, '.', '_' or '-')");
        assertThatThrownBy(() -> Job.of("t", "x").id("a:b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job id: 'a:b' (expected: 1 to 128 letters, digits, '.', '_' or '-')");
        assertThatThrownBy(() -> JobId.of("x".repeat(129))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(129 characters)");
        assertThatThrownBy(() -> JobId.of("")).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("job id: ''");
        assertThatThrownBy(() -> JobId.of("caf\u00e9")).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("job id: 'caf");
        assertThat(JobId.of("Az09._-" + "x".repeat(121)).value()).hasSize(128);
        assertThatThrownBy(() -> Job.of("t", "x").delay(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("job delay: PT-1S");
        assertThatThrownBy(() -> Job.of("t", "x").maxAttempts(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job maxAttempts: 0 (expected: 1 to 100)");
    }

    @Test
    void finishedStatesAreTheLastThree() {
        assertThat(JobInfo.State.values()).filteredOn(JobInfo.State::isFinished)
                .containsExactly(JobInfo.State.COMPLETED, JobInfo.State.FAILED, JobInfo.State.CANCELLED);
    }
}
