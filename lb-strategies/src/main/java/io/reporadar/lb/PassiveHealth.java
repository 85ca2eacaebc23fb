package io.reporadar.lb;

import java.time.Duration;

/**
 * How the balancer learns from the requests it tracks that an endpoint is failing, and what it does when
 * every endpoint is.
 *
 * <ul>
 *   <li><b>nginx semantics</b>: {@code maxFails} failures make an endpoint unavailable for {@code failTimeout};
 *       then one request may try it; a success makes it available again, a failure starts another
 *       {@code failTimeout}. {@code maxFails} 0 turns this off.</li>
 *   <li><b>Ejection</b>: {@code consecutiveFailures} failures in a row eject an endpoint for
 *       {@code baseEjection} × (times ejected), at most {@code maxEjection}; never more than
 *       {@code maxEjectedPercent} of the endpoints at once. 0 turns it off.</li>
 *   <li><b>When nothing is left</b>: {@link AllDown#FAIL_OPEN} ignores health and picks among all endpoints
 *       (better a chance than a certain error); {@link AllDown#FAIL_FAST} picks none.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class PassiveHealth {

    /** What to do when no endpoint is available. */
    public enum AllDown {
        FAIL_OPEN,
        FAIL_FAST
    }

    /** nginx's defaults: max_fails=1, fail_timeout=10s; ejection after 5 in a row for 30 s and up to 5 min; half ejected at most. */
    public static final PassiveHealth DEFAULT = new PassiveHealth(1, Duration.ofSeconds(10), 5, Duration.ofSeconds(30),
            Duration.ofMinutes(5), 50, AllDown.FAIL_OPEN);

    /** Health ignored: every endpoint is always available. */
    public static final PassiveHealth OFF = new PassiveHealth(0, Duration.ofSeconds(10), 0, Duration.ofSeconds(30),
            Duration.ofMinutes(5), 0, AllDown.FAIL_OPEN);

    final int maxFails;
    final long failTimeoutNanos;
    final int consecutiveFailures;
    final long baseEjectionNanos;
    final long maxEjectionNanos;
    final int maxEjectedPercent;
    final AllDown allDown;

    private PassiveHealth(int maxFails, Duration failTimeout, int consecutiveFailures, Duration baseEjection, Duration maxEjection,
            int maxEjectedPercent, AllDown allDown) {
        this.maxFails = maxFails;
        this.failTimeoutNanos = failTimeout.toNanos();
        this.consecutiveFailures = consecutiveFailures;
        this.baseEjectionNanos = baseEjection.toNanos();
        this.maxEjectionNanos = maxEjection.toNanos();
        this.maxEjectedPercent = maxEjectedPercent;
        this.allDown = allDown;
    }

    /** nginx's {@code max_fails} and {@code fail_timeout}. */
    public PassiveHealth withNginxSemantics(int maxFails, Duration failTimeout) {
        require(maxFails >= 0, "maxFails", maxFails, ">= 0");
        require(failTimeout != null && !failTimeout.isNegative() && !failTimeout.isZero(), "failTimeout", failTimeout, "a positive duration");
        return new PassiveHealth(maxFails, failTimeout, consecutiveFailures, Duration.ofNanos(baseEjectionNanos),
                Duration.ofNanos(maxEjectionNanos), maxEjectedPercent, allDown);
    }

    /** Ejection after {@code consecutiveFailures} in a row, backing off from {@code base} to {@code max}. */
    public PassiveHealth withEjection(int consecutiveFailures, Duration base, Duration max, int maxEjectedPercent) {
        require(consecutiveFailures >= 0, "consecutiveFailures", consecutiveFailures, ">= 0");
        require(base != null && !base.isNegative() && !base.isZero(), "baseEjection", base, "a positive duration");
        require(max != null && max.compareTo(base) >= 0, "maxEjection", max, "at least baseEjection " + base);
        require(maxEjectedPercent >= 0 && maxEjectedPercent <= 100, "maxEjectedPercent", maxEjectedPercent, "0..100");
        return new PassiveHealth(maxFails, Duration.ofNanos(failTimeoutNanos), consecutiveFailures, base, max, maxEjectedPercent, allDown);
    }

    public PassiveHealth whenAllDown(AllDown policy) {
        return new PassiveHealth(maxFails, Duration.ofNanos(failTimeoutNanos), consecutiveFailures, Duration.ofNanos(baseEjectionNanos),
                Duration.ofNanos(maxEjectionNanos), maxEjectedPercent, java.util.Objects.requireNonNull(policy, "policy"));
    }

    @Override
    public String toString() {
        return "PassiveHealth[maxFails=" + maxFails + ", failTimeout=" + Duration.ofNanos(failTimeoutNanos)
                + ", consecutiveFailures=" + consecutiveFailures + ", ejection=" + Duration.ofNanos(baseEjectionNanos) + ".."
                + Duration.ofNanos(maxEjectionNanos) + ", maxEjectedPercent=" + maxEjectedPercent + ", allDown=" + allDown + "]";
    }

    private static void require(boolean ok, String name, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
        }
    }
}
