package io.reporadar.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTest {

    @Test
    void aGroupIsAsBadAsItsWorstMember() {
        assertThat(Status.worstOf(List.of(Status.UP, Status.WARN, Status.UP))).isEqualTo(Status.WARN);
        assertThat(Status.worstOf(List.of(Status.WARN, Status.DOWN))).isEqualTo(Status.DOWN);
        assertThat(Status.worstOf(List.of(Status.DOWN, Status.OUT_OF_SERVICE))).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(Status.worstOf(List.of(Status.WARN, Status.UNKNOWN))).isEqualTo(Status.UNKNOWN);
        assertThat(Status.worstOf(List.of(Status.UNKNOWN, Status.DOWN))).as("an unknown never hides a failure").isEqualTo(Status.DOWN);
    }

    @Test
    void anEmptyGroupIsUp() {
        assertThat(Status.worstOf(List.of())).isEqualTo(Status.UP);
    }

    @Test
    void onlyDownAndOutOfServiceAnswer503() {
        assertThat(Status.UP.httpStatus()).isEqualTo(200);
        assertThat(Status.WARN.httpStatus()).isEqualTo(200);
        assertThat(Status.DOWN.httpStatus()).isEqualTo(503);
        assertThat(Status.OUT_OF_SERVICE.httpStatus()).isEqualTo(503);
        assertThat(Status.UNKNOWN.httpStatus()).isEqualTo(200);
        assertThat(Status.WARN.acceptsTraffic()).isTrue();
        assertThat(Status.OUT_OF_SERVICE.acceptsTraffic()).isFalse();
    }
}
