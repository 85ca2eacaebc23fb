package io.reporadar.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a graceful shutdown waits for: no request in flight, and none begun or ended for the quiet period. */
class InFlightRequestsTest {

    @Test
    void quietMeansNoRequestInFlightAndNoneBegunOrEndedForThePeriod() throws Exception {
        InFlightRequests inFlight = new InFlightRequests();
        inFlight.begin();
        assertThat(inFlight.awaitQuiet(Duration.ZERO, Duration.ofMillis(20))).as("one in flight").isFalse();
        inFlight.end();
        assertThat(inFlight.awaitIdle(Duration.ZERO)).isTrue();
        assertThat(inFlight.awaitQuiet(Duration.ofSeconds(30), Duration.ofMillis(20))).as("one just ended").isFalse();
        assertThat(inFlight.awaitQuiet(Duration.ofMillis(100), Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void connectionsAreAskedToCloseOnlyOnceTheShutdownSaysSo() {
        InFlightRequests inFlight = new InFlightRequests();
        assertThat(inFlight.closingConnections()).isFalse();
        inFlight.closeConnections();
        assertThat(inFlight.closingConnections()).isTrue();
    }
}
