package io.reporadar.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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

    /** The shutdown's order: listener closed, then Connection: close, then quiet for the balancer's keep-alive. */
    @Test
    void aGracefulShutdownAsksToCloseOnlyOnceTheListenerIsClosedAndWaitsUntilQuiet() throws Exception {
        Health health = Health.builder().build().start();
        InFlightRequests inFlight = new InFlightRequests();
        AtomicBoolean closingWhenListenerClosed = new AtomicBoolean(true);
        AtomicLong listenerClosedAt = new AtomicLong();
        GracefulShutdown shutdown = GracefulShutdown.builder(health).drainDelay(Duration.ZERO).drainTimeout(Duration.ofSeconds(30))
                .stopAccepting(() -> {
                    closingWhenListenerClosed.set(inFlight.closingConnections());
                    listenerClosedAt.set(System.nanoTime());
                })
                .inFlight(inFlight).balancerKeepAlive(Duration.ofMillis(800)).build();
        inFlight.begin(); // a request that ends after the listener closed
        Thread ender = new Thread(() -> {
            while (listenerClosedAt.get() == 0) {
                Thread.onSpinWait();
            }
            inFlight.end();
        });
        ender.start();
        shutdown.run();
        long stoppedAfterListenerClosed = System.nanoTime() - listenerClosedAt.get();
        ender.join();

        assertThat(closingWhenListenerClosed).as("Connection: close while the listener was open").isFalse();
        assertThat(inFlight.closingConnections()).isTrue();
        assertThat(Duration.ofNanos(stoppedAfterListenerClosed)).as("quiet for the balancer's keep-alive after the last request")
                .isGreaterThanOrEqualTo(Duration.ofMillis(800));
        assertThat(health.lifecycle()).isEqualTo(Lifecycle.STOPPED);
    }
}
