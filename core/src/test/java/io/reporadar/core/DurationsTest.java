package io.reporadar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Test
    void aNumberWithItsUnitMeansWhatItSays() {
        assertThat(Durations.parse("X", "250ms", ChronoUnit.SECONDS)).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("X", "30s", ChronoUnit.MILLIS)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("X", "5m", ChronoUnit.MILLIS)).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("X", "1.5h", ChronoUnit.MILLIS)).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("X", "2d", ChronoUnit.MILLIS)).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse("X", " 30 S ", ChronoUnit.MILLIS)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("X", "PT1M30S", ChronoUnit.MILLIS)).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("X", "pt0.5s", ChronoUnit.MILLIS)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aBareNumberKeepsTheUnitTheVariableAlwaysHad() {
        assertThat(Durations.parse("SESSION_IDLE_TIMEOUT", "1800", ChronoUnit.SECONDS)).isEqualTo(Duration.ofMinutes(30));
        assertThat(Durations.parse("DB_POOL_CONNECTION_TIMEOUT", "5000", ChronoUnit.MILLIS)).isEqualTo(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "-5s", "5 minutes", "PT-5S", "5x", "1e3", "99999999999999999999d"})
    void anythingElseIsRefusedNamingTheVariableAndTheUnitOfABareNumber(String value) {
        assertThatThrownBy(() -> Durations.parse("DRAIN_DELAY", value, ChronoUnit.SECONDS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("DRAIN_DELAY: '" + value + "' is not a duration")
                .hasMessageContaining("30s")
                .hasMessageContaining("a bare number is seconds");
    }

    @Test
    void fromTheEnvironmentAnUnsetVariableGivesTheFallbackAndABadOneAProblem() {
        java.util.List<String> problems = new java.util.ArrayList<>();
        java.util.Map<String, String> env = java.util.Map.of("A", "5s", "B", " ", "C", "soon");
        assertThat(Durations.fromEnvironment(env, "A", Duration.ZERO, ChronoUnit.SECONDS, problems)).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.fromEnvironment(env, "B", Duration.ofMinutes(1), ChronoUnit.SECONDS, problems)).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.fromEnvironment(env, "MISSING", Duration.ofMinutes(2), ChronoUnit.SECONDS, problems)).isEqualTo(Duration.ofMinutes(2));
        assertThat(problems).isEmpty();
        assertThat(Durations.fromEnvironment(env, "C", Duration.ofMinutes(3), ChronoUnit.SECONDS, problems)).isEqualTo(Duration.ofMinutes(3));
        assertThat(problems).singleElement().asString().startsWith("C: 'soon' is not a duration");
    }

    @Test
    void formatWritesTheShortestSpellingThatParsesBack() {
        for (Duration d : new Duration[] {Duration.ZERO, Duration.ofMillis(250), Duration.ofSeconds(30),
                Duration.ofSeconds(90), Duration.ofMinutes(5), Duration.ofHours(24), Duration.ofMillis(1500)}) {
            assertThat(Durations.parse("X", Durations.format(d), ChronoUnit.SECONDS)).isEqualTo(d);
        }
        assertThat(Durations.format(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(Durations.format(Duration.ofMinutes(30))).isEqualTo("30m");
        assertThat(Durations.format(Duration.ofHours(24))).isEqualTo("24h");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void daemonThreadsAreDaemonsNamedForTheirPurpose() throws Exception {
        Thread one = DaemonThreads.thread("probe", () -> { });
        assertThat(one.isDaemon()).isTrue();
        assertThat(one.getName()).isEqualTo("reporadar-probe");
        var factory = DaemonThreads.factory("checks");
        assertThat(factory.newThread(() -> { }).getName()).isEqualTo("reporadar-checks-1");
        assertThat(factory.newThread(() -> { }).getName()).isEqualTo("reporadar-checks-2");
        var scheduler = DaemonThreads.scheduler("reporadar-guard");
        try {
            Thread ran = scheduler.submit(Thread::currentThread).get();
            assertThat(ran.isDaemon()).isTrue();
            assertThat(ran.getName()).isEqualTo("reporadar-guard");
        } finally {
            scheduler.shutdownNow();
        }
    }
}
