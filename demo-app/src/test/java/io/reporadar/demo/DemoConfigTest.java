package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
    void withoutInstanceIdEachReplicaIsNamedByItsHostName() {
        // what Docker sets in every container (its id), and Kubernetes (the pod's name): replicas of one service differ
        assertThat(DemoConfig.fromEnvironment(Map.of("HOSTNAME", "3f2a9c1d7e4b")).instanceId()).isEqualTo("3f2a9c1d7e4b");
        assertThat(DemoConfig.fromEnvironment(Map.of("HOSTNAME", "3f2a9c1d7e4b", "INSTANCE_ID", " ")).instanceId()).isEqualTo("3f2a9c1d7e4b");
        assertThat(DemoConfig.fromEnvironment(Map.of("HOSTNAME", "3f2a9c1d7e4b", "INSTANCE_ID", "eu-1")).instanceId()).isEqualTo("eu-1");
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
    void readsTheDrainDelayAsADurationABareNumberBeingSeconds() {
        assertThat(DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY", "10s")).drainDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY", "1500ms")).drainDelay()).isEqualTo(Duration.ofMillis(1500));
        assertThat(DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY", " 10 ")).drainDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY", "5m")).drainDelay()).isEqualTo(Duration.ofMinutes(5));
        assertThat(DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY", "0")).drainDelay()).isZero();
        assertThat(DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY", "")).drainDelay()).isEqualTo(DemoConfig.DEFAULT_DRAIN_DELAY);
    }

    @Test
    void stillReadsTheOldSpellingInWholeSeconds() {
        assertThat(DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY_SECONDS", "2")).drainDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY_SECONDS", "5s")))
                .hasMessage("invalid configuration: DRAIN_DELAY_SECONDS: 5s (expected: 0..300)");
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY_SECONDS", "301")))
                .hasMessage("invalid configuration: DRAIN_DELAY_SECONDS: 301 (expected: 0..300)");
    }

    @Test
    void takesBothSpellingsWhenTheyAgreeAndNamesBothWhenTheyDoNot() {
        assertThat(DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY", "2s", "DRAIN_DELAY_SECONDS", "2")).drainDelay())
                .isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY", "1500ms", "DRAIN_DELAY_SECONDS", "2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid configuration: DRAIN_DELAY: 1500ms and DRAIN_DELAY_SECONDS: 2 disagree"
                        + " (expected: DRAIN_DELAY alone; DRAIN_DELAY_SECONDS is its old spelling)");
    }

    @Test
    void rejectsADrainDelayThatIsNotADurationOrOver300Seconds() {
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid configuration: DRAIN_DELAY: 'soon' is not a duration (expected: ")
                .hasMessageContaining("a bare number is seconds");
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY", "301s")))
                .hasMessage("invalid configuration: DRAIN_DELAY: '301s' is out of range (expected: 0ms to 5m)");
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(Map.of("DRAIN_DELAY", "-1s")))
                .hasMessageStartingWith("invalid configuration: DRAIN_DELAY: '-1s' is not a duration");
    }
}
