package io.reporadar.lb;

import io.reporadar.lb.spi.Selector;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Power of two choices: two distinct endpoints at random, the cheaper wins. The cost is requests in flight
 * relative to weight, or with peak EWMA the decayed latency estimate × (in flight + 1); while either endpoint
 * has no latency sample yet, requests in flight decide. Drawing with replacement would degenerate to one
 * choice for a share of the picks.
 *
 * <p>Thread-safe, lock-free, allocation-free.
 */
final class PowerOfTwoSelector implements Selector {

    private final Snapshot snapshot;
    private final boolean ewma;
    private final LeastConnectionsSelector fallback;

    PowerOfTwoSelector(Snapshot snapshot, boolean ewma) {
        this.snapshot = snapshot;
        this.ewma = ewma;
        this.fallback = new LeastConnectionsSelector(snapshot);
    }

    @Override
    public int pick(@Nullable PickContext context, boolean ignoreHealth) {
        int n = snapshot.size();
        if (n < 2 || (context != null && context.anyTried())) {
            // Retries exclude endpoints; a scan of what is left is exact and cheap at these sizes.
            return fallback.pick(context, ignoreHealth);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
            b++;
        }
        if (!snapshot.usable(context, a, ignoreHealth) || !snapshot.usable(context, b, ignoreHealth)) {
            return fallback.pick(context, ignoreHealth);
        }
        EndpointStats statsA = snapshot.stats[a];
        EndpointStats statsB = snapshot.stats[b];
        double weightA = snapshot.effectiveWeight(a);
        double weightB = snapshot.effectiveWeight(b);
        if (ewma && statsA.hasLatency() && statsB.hasLatency()) {
            long now = snapshot.ticker.getAsLong();
            return statsA.cost(now) / weightA <= statsB.cost(now) / weightB ? a : b;
        }
        long loadA = statsA.inFlight() + 1L;
        long loadB = statsB.inFlight() + 1L;
        return loadA * weightB <= loadB * weightA ? a : b;
    }
}
