package io.reporadar.health;

/**
 * Where an instance is in its life, as readiness sees it: only {@link #READY} takes traffic.
 *
 * <p>STARTING → READY → DRAINING → STOPPED; draining may also begin while starting. Immutable and thread-safe.
 */
public enum Lifecycle {
    /** Warming up: readiness is OUT_OF_SERVICE, liveness UP. */
    STARTING,
    /** Serving: readiness follows the critical dependencies. */
    READY,
    /** Shutting down gracefully: readiness is OUT_OF_SERVICE at once, liveness stays UP, requests in flight finish. */
    DRAINING,
    /** Done: nothing is served any more. */
    STOPPED
}
