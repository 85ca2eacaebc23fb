package io.reporadar.spring.health;

import io.reporadar.core.DaemonThreads;
import io.reporadar.health.Health;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * The drain delay Boot lacks. At shutdown, before Boot's graceful shutdown stops the web server from taking
 * requests, readiness turns 503 (ours and Boot's {@code readinessState}) and the instance keeps serving for the drain
 * delay, so that the load balancer's probes take it out of rotation before it stops answering; then Boot's own
 * graceful shutdown finishes the requests in flight.
 *
 * <p>Stops in phase {@code DEFAULT_PHASE - 512}: after the application's default-phase beans, before the web server's
 * graceful shutdown ({@code DEFAULT_PHASE - 1024}). The delay runs off the caller's thread, as Spring expects of an
 * asynchronous {@link #stop(Runnable)}, within {@code spring.lifecycle.timeout-per-shutdown-phase}. A context without a
 * running web server (a batch job, a mock-environment test) drains without waiting.
 */
public final class DrainLifecycle implements SmartLifecycle {

    /** Before the web server's graceful shutdown ({@code WebServerGracefulShutdownLifecycle}, DEFAULT_PHASE - 1024). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;
    private static final Logger LOG = LoggerFactory.getLogger(DrainLifecycle.class);

    private final Health health;
    private final ApplicationEventPublisher events;
    private final Duration drainDelay;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean serving; // a web server took requests: only then is there anything to drain

    public DrainLifecycle(Health health, ApplicationEventPublisher events, Duration drainDelay) {
        this.health = health;
        this.events = events;
        this.drainDelay = drainDelay;
    }

    public Duration drainDelay() {
        return drainDelay;
    }

    /** A web server started taking requests (Boot's {@code WebServerInitializedEvent}): the drain has a purpose. */
    public void serving() {
        serving = true;
    }

    /** Not paused by {@code context.stop()} or a checkpoint: a drain is for the end of the process only. */
    @Override
    public boolean isPauseable() {
        return false;
    }

    @Override
    public void start() {
        running.set(true);
    }

    @Override
    public void stop() {
        drain();
    }

    @Override
    public void stop(Runnable callback) {
        if (!running.get() || !serving || drainDelay.isZero()) {
            drain();
            callback.run();
            return;
        }
        beginDrain();
        DaemonThreads.thread("drain", () -> {
            try {
                Thread.sleep(drainDelay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.set(false);
                callback.run();
            }
        }).start();
    }

    private void drain() {
        beginDrain();
        running.set(false);
    }

    private void beginDrain() {
        if (running.get()) {
            LOG.info("draining: readiness is 503, serving for {} ms more before the web server's graceful shutdown", drainDelay.toMillis());
        }
        health.beginDrain();
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
