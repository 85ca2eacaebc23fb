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
}
