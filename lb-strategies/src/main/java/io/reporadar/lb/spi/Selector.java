package io.reporadar.lb.spi;

import io.reporadar.lb.PickContext;
import org.jspecify.annotations.Nullable;

/**
 * Picks from one immutable {@link EndpointSet}. The balancer asks its strategy for a new selector whenever
 * membership changes and swaps it in atomically, so a selector may precompute whatever it likes from its set.
 *
 * <p>Implementations must be thread-safe: many threads pick at once. The built-in ones take no lock and allocate
 * nothing per pick.
 */
public interface Selector {

    /**
     * The index of the endpoint to use, skipping those {@code context} marks as tried and, unless
     * {@code ignoreHealth}, those that are unavailable ({@link EndpointSet#usable} says both); -1 when none is
     * left. The balancer calls it again with {@code ignoreHealth} when every endpoint is unavailable and its
     * policy is to fail open.
     *
     * @param context the request's context, or {@code null} for requests that carry neither key nor address
     */
    int pick(@Nullable PickContext context, boolean ignoreHealth);
}
