package io.reporadar.health;

/**
 * The state a check or a group of checks reports, from healthy to unknown, and what a load balancer
 * should make of it.
 *
 * <p>The declaration order is the severity order used to aggregate: a group is as bad as its worst member.
 * {@link #UNKNOWN} (no result yet, or a result too old to trust) ranks between WARN and DOWN: it outweighs a
 * degradation but never hides a failure, and, like WARN, it answers 200 (probes turn an instance away only
 * on DOWN and OUT_OF_SERVICE). Immutable and thread-safe.
 */
public enum Status {
    /** Working as intended. */
    UP(200),
    /** Working, but degraded (a non-critical dependency failed, a pool is saturated): keep routing, alert. */
    WARN(200),
    /** No trustworthy result yet, or one too old to trust. */
    UNKNOWN(200),
    /** Not working: take the instance out of rotation. */
    DOWN(503),
    /** Working but deliberately not taking traffic (starting, draining). */
    OUT_OF_SERVICE(503);

    private final int httpStatus;

    Status(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The HTTP status a probe endpoint answers with: 503 for DOWN and OUT_OF_SERVICE, 200 otherwise. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Whether a load balancer should send traffic to an instance in this state. */
    public boolean acceptsTraffic() {
        return httpStatus == 200;
    }

    /** The more severe of the two (the later in declaration order). */
    public Status worse(Status other) {
        return other.compareTo(this) > 0 ? other : this;
    }

    /** The most severe of the given statuses, {@link #UP} for none. */
    public static Status worstOf(Iterable<Status> statuses) {
        Status worst = UP;
        for (Status status : statuses) {
            worst = worst.worse(status);
        }
        return worst;
    }
}
