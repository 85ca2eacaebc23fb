package io.reporadar.lb.spi;

import io.reporadar.lb.Endpoint;
import io.reporadar.lb.EndpointStats;
import io.reporadar.lb.PickContext;
import org.jspecify.annotations.Nullable;

/**
 * The endpoints a {@link Selector} picks from, by index (0 to {@code size() - 1}, in the order the balancer
 * was given them), with their live statistics and the health policy's verdict. The membership is fixed for the
 * set's lifetime; the statistics move as requests start and end.
 *
 * <p>Thread-safe; read-only.
 */
public interface EndpointSet {

    int size();

    Endpoint endpoint(int index);

    /** The configured weight ({@link Endpoint#weight()}). */
    int weight(int index);

    int totalWeight();

    /** The weight to balance load with now: the configured one, reduced while the endpoint warms up after joining. */
    double effectiveWeight(int index);

    /** Requests in flight, successes, failures and the latency estimate of the endpoint at {@code index}. */
    EndpointStats stats(int index);

    /**
     * Whether the endpoint at {@code index} may be picked for this request: not tried for it already and, unless
     * {@code ignoreHealth}, available to the health policy (not failed past {@code max_fails}, ejected, or
     * down to an active check).
     *
     * @param context the request's context, or {@code null} for a request that tried nothing yet
     */
    boolean usable(@Nullable PickContext context, int index, boolean ignoreHealth);

    /** Requests in flight over every endpoint of the balancer (never below zero). */
    int inFlight();

    /** The balancer's clock ({@code System.nanoTime()} unless a test gave it another), for time-aware selectors. */
    long nanoTime();
}
