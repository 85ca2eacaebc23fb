package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoConfigTest {

    @Test
    void defaultsToPort3000() {
        DemoConfig config = DemoConfig.fromEnvironment(Map.of("INSTANCE_ID", "reporadar-1"));
        assertThat(config.port()).isEqualTo(3000);
        assertThat(config.instanceId()).isEqualTo("reporadar-1");
        assertThat(config.drainDelay()).isEqualTo(DemoConfig.DEFAULT_DRAIN_DELAY);
    }

    @Test
    void reportsEveryBadVariableAtOnceByName() {
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(Map.of("PORT", "30o1", "INSTANCE_ID", "has space")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid configuration: PORT: 30o1 (expected: a number);"
                        + " INSTANCE_ID: has space (expected: 1-64 letters, digits, '.', '_' or '-')");
    }

    @Test
    void rejectsAPortOutOfRange() {
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(Map.of("PORT", "70000")))
                .hasMessage("invalid configuration: PORT: 70000 (expected: 0..65535)");
    }

    @Test
    void rejectsADrainDelayThatIsNotASmallNumberOfSeconds() {
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY_SECONDS", "5s")))
                .hasMessage("invalid configuration: DRAIN_DELAY_SECONDS: 5s (expected: 0..300)");
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY_SECONDS", "301")))
                .hasMessage("invalid configuration: DRAIN_DELAY_SECONDS: 301 (expected: 0..300)");
        assertThat(DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY_SECONDS", "2")).drainDelay()).hasSeconds(2);
    }
}
