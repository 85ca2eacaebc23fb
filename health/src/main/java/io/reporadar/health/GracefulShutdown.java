package io.reporadar.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shutdown sequence that drops no request: readiness turns OUT_OF_SERVICE at once (liveness stays UP)
 * and the instance keeps serving for the drain delay, long enough for the load balancer to notice; then it
 * stops accepting new connections, and every request that begins from then on is answered with
 * {@code Connection: close}. It waits
 * {@link #ACCEPTED_GRACE} for requests on connections accepted just before (their bytes may not have been read
 * yet, so they are not counted in flight), then until no request is in flight and none has begun or ended for the
 * balancer's keep-alive timeout ({@link Builder#balancerKeepAlive}), up to the drain timeout; then it closes the
 * pools last and reports STOPPED. By then the balancer has closed every connection it kept: each one was either
 * used once more and closed by its response, or left idle until the balancer's timeout. Closing a kept-alive
 * connection from the server's side instead meets, now and then, a request the balancer has just sent on it,
 * and a balancer cannot resend a POST it already sent (nginx answers 502).
 *
 * <p>The drain delay keeps connections alive on purpose: asking clients to close them while the listener is
 * still open makes a balancer that does not watch readiness (nginx without active checks) open a new connection
 * for every request, and the closing listener resets the ones it has not accepted yet, with their requests.
 *
 * <pre>{@code
 * GracefulShutdown.builder(health)
 *         .drainDelay(Duration.ofSeconds(10))
 *         .drainTimeout(Duration.ofSeconds(20))
 *         .stopAccepting(jettyConnector::close)     // the listener only: open connections keep being served
 *         .inFlight(inFlight)
 *         .balancerKeepAlive(Duration.ofMillis(1500)) // nginx: keepalive_timeout 1s in the upstream block
 *         .closeLast(pool, redisClient)
 *         .build()
 *         .runOnSigterm();
 * }</pre>
 *
 * <p>Defaults: drain delay 10 s, drain timeout 20 s; together below the 30 s Docker and Kubernetes give
 * before SIGKILL. Thread-safe; the sequence runs once.
 */
public final class GracefulShutdown {

    public static final Duration DEFAULT_DRAIN_DELAY = Duration.ofSeconds(10);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(20);
    /** How long requests on connections accepted just before the listener closed have to be read and counted. */
    public static final Duration ACCEPTED_GRACE = Duration.ofMillis(500);

    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);

    private final Health health;
    private final Duration drainDelay;
    private final Duration drainTimeout;
    private final Duration balancerKeepAlive;
    private final Runnable onDrainStart;
    private final Runnable stopAccepting;
    private final @Nullable InFlightRequests inFlight; // null: no requests counted, none waited for
    private final List<AutoCloseable> closeLast;
    private final AtomicBoolean ran = new AtomicBoolean();

    private GracefulShutdown(Builder b) {
        this.health = b.health;
        this.drainDelay = b.drainDelay;
        this.drainTimeout = b.drainTimeout;
        this.balancerKeepAlive = b.balancerKeepAlive;
        this.onDrainStart = b.onDrainStart;
        this.stopAccepting = b.stopAccepting;
        this.inFlight = b.inFlight;
        this.closeLast = List.copyOf(b.closeLast);
    }

    public static Builder builder(Health health) {
        return new Builder(health);
    }

    /** Runs the sequence when the JVM is asked to stop (SIGTERM, SIGINT), from a shutdown hook. */
    public GracefulShutdown runOnSigterm() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::run, "reporadar-graceful-shutdown"));
        return this;
    }

    /** Runs the sequence now, blocking until it is done; later calls return at once. */
    public void run() {
        if (!ran.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        health.beginDrain();
        LOG.info("draining: readiness is OUT_OF_SERVICE, serving on for {} ms", drainDelay.toMillis());
        try {
            onDrainStart.run();
        } catch (RuntimeException e) {
            LOG.warn("starting the drain of background work failed: {}", e.toString());
        }
        try {
            Thread.sleep(drainDelay.toMillis());
            stopAccepting.run();
            if (inFlight != null) {
                inFlight.closeConnections();
            }
            Thread.sleep(ACCEPTED_GRACE.toMillis());
            if (inFlight != null && !inFlight.awaitQuiet(balancerKeepAlive, drainTimeout)) {
                LOG.warn("drain timeout {} ms reached with {} requests still in flight (or requests still arriving)", drainTimeout.toMillis(),
                        inFlight.count());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("draining interrupted; closing now");
        } finally {
            for (AutoCloseable resource : closeLast) {
                try {
                    resource.close();
                } catch (Exception e) {
                    LOG.warn("closing {} failed: {}", resource.getClass().getSimpleName(), e.toString());
                }
            }
            health.close();
            LOG.info("stopped after {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
        }
    }

    /** Not thread-safe; {@link #build()} copies its state. */
    public static final class Builder {
        private final Health health;
        private Duration drainDelay = DEFAULT_DRAIN_DELAY;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration balancerKeepAlive = Duration.ZERO;
        private Runnable onDrainStart = () -> { };
        private Runnable stopAccepting = () -> { };
        private @Nullable InFlightRequests inFlight;
        private final List<AutoCloseable> closeLast = new ArrayList<>();

        private Builder(Health health) {
            this.health = java.util.Objects.requireNonNull(health, "health");
        }

        /** How long to keep serving after readiness turns OUT_OF_SERVICE: at least the balancer's detection time. */
        public Builder drainDelay(Duration drainDelay) {
            this.drainDelay = notNegative("drainDelay", drainDelay);
            return this;
        }

        /** How long requests in flight may take to finish once new connections are refused. */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = notNegative("drainTimeout", drainTimeout);
            return this;
        }

        /**
         * How long the load balancer keeps an idle connection to an instance open (nginx: {@code keepalive_timeout}
         * in the {@code upstream} block, plus a margin for its timer; default 0, for a balancer that keeps none).
         * Once the listener is closed, the shutdown waits until no request has begun or ended for this long (within
         * the drain timeout), so that the balancer has closed its idle connections before the server does. Only
         * for a server whose {@link #stopAccepting} closes the listener alone (Jetty's {@code ServerConnector.close()});
         * one that closes every connection there (the JDK's {@code HttpServer.stop}) gains nothing from it.
         */
        public Builder balancerKeepAlive(Duration balancerKeepAlive) {
            this.balancerKeepAlive = notNegative("balancerKeepAlive", balancerKeepAlive);
            return this;
        }

        /**
         * Runs as the drain begins, right after readiness turns OUT_OF_SERVICE: start draining background work there
         * (a job worker stops taking jobs and finishes or hands back its own, on a thread of its own), so that it
         * drains alongside the requests. It must not block; an exception is logged. Default: nothing.
         */
        public Builder onDrainStart(Runnable onDrainStart) {
            this.onDrainStart = java.util.Objects.requireNonNull(onDrainStart, "onDrainStart");
            return this;
        }

        /** Stops the server from accepting connections (without waiting for the requests in flight). */
        public Builder stopAccepting(Runnable stopAccepting) {
            this.stopAccepting = java.util.Objects.requireNonNull(stopAccepting, "stopAccepting");
            return this;
        }

        /**
         * The requests to wait for once the listener is closed; without it (the default), the shutdown waits the
         * drain delay and {@link GracefulShutdown#ACCEPTED_GRACE} only.
         */
        public Builder inFlight(InFlightRequests inFlight) {
            this.inFlight = inFlight;
            return this;
        }

        /** Resources closed at the very end, in this order: connection pools, clients. */
        public Builder closeLast(AutoCloseable... resources) {
            closeLast.addAll(List.of(resources));
            return this;
        }

        public GracefulShutdown build() {
            return new GracefulShutdown(this);
        }

        private static Duration notNegative(String name, Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: zero or a positive duration)");
            }
            return value;
        }
    }
}
