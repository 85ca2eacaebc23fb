package io.reporadar.lb;

/**
 * Picks from one immutable snapshot of endpoints. A new selector is made whenever membership changes, and
 * swapped in atomically by {@link LoadBalancer}.
 *
 * <p>Implementations are thread-safe, take no lock and allocate nothing per pick.
 */
interface Selector {

    /**
     * The index of the endpoint to use, skipping those {@code context} marks as tried and, unless
     * {@code ignoreHealth}, those that are unavailable; -1 when none is left.
     *
     * @param context the request's context, or {@code null} for strategies that need neither key nor address
     */
    int pick(PickContext context, boolean ignoreHealth);
}
