package io.reporadar.lb;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices on requests in flight: two distinct endpoints at random, the less loaded relative to
 * weight wins. Drawing with replacement would degenerate to one choice for a share of the picks.
 *
 * <p>Thread-safe, lock-free, allocation-free.
 */
final class PowerOfTwoSelector implements Selector {

    private final Snapshot snapshot;
    private final LeastConnectionsSelector fallback;

    PowerOfTwoSelector(Snapshot snapshot) {
        this.snapshot = snapshot;
        this.fallback = new LeastConnectionsSelector(snapshot);
    }

    @Override
    public int pick(PickContext context, long now, boolean ignoreHealth) {
        int n = snapshot.size();
        if (n < 2 || (context != null && context.anyTried())) {
            // Retries exclude endpoints; a scan of what is left is exact and cheap at these sizes.
            return fallback.pick(context, now, ignoreHealth);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
            b++;
        }
        if (!snapshot.usable(context, a, now, ignoreHealth) || !snapshot.usable(context, b, now, ignoreHealth)) {
            return fallback.pick(context, now, ignoreHealth);
        }
        long loadA = snapshot.stats[a].inFlight() + 1L;
        long loadB = snapshot.stats[b].inFlight() + 1L;
        return loadA * snapshot.weights[b] <= loadB * snapshot.weights[a] ? a : b;
    }
}
