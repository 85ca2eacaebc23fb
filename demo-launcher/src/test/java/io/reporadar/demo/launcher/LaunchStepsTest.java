package io.reporadar.demo.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LaunchStepsTest {

    @Test
    void eachStepSaysWhatItStartsAndAFailureNamesThePartWhyAndWhatToDo() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        LaunchSteps steps = new LaunchSteps(new PrintStream(console, true, StandardCharsets.UTF_8), 2);

        assertThat(steps.run("Redis", "starting a local redis-server", "install it", () -> 42)).isEqualTo(42);
        assertThatThrownBy(() -> steps.run("front", "nginx on port 8080", "choose another with FRONT_PORT", () -> {
            throw new IllegalStateException("nginx exited", new BindException("Address already in use"));
        })).isInstanceOfSatisfying(LaunchSteps.Failure.class, failure -> {
            assertThat(failure.part()).isEqualTo("front");
            assertThat(failure.getMessage()).startsWith("front did not start: nginx exited (because: Address already in use)")
                    .endsWith("what to do: choose another with FRONT_PORT");
        });

        assertThat(console.toString(StandardCharsets.UTF_8).lines()).hasSize(2).satisfiesExactly(
                first -> assertThat(first).matches("\\[1/2] Redis: starting a local redis-server \\.\\.\\. ok \\(\\d+\\.\\d s\\)"),
                second -> assertThat(second).isEqualTo("[2/2] front: nginx on port 8080 ... FAILED"));
    }
}
