package io.reporadar.lb;

import io.reporadar.lb.spi.Selector;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * nginx {@code least_conn}: a full scan for the fewest requests in flight relative to weight
 * ({@code a.inFlight × b.weight < b.inFlight × a.weight}); ties go to the first after a rotating start, so they
 * are spread round robin. nginx breaks ties by weighted round robin among the tied peers: for equal weights
 * the two agree.
 *
 * <p>Thread-safe, lock-free, allocation-free; counts read during the scan may move (a benign race).
 */
final class LeastConnectionsSelector implements Selector {

    private final Snapshot snapshot;
    private final AtomicInteger start = new AtomicInteger();

    LeastConnectionsSelector(Snapshot snapshot) {
        this.snapshot = snapshot;
    }

    @Override
    public int pick(@Nullable PickContext context, boolean ignoreHealth) {
        int n = snapshot.size();
        if (n == 0) {
            return -1;
        }
        int offset = Math.floorMod(start.getAndIncrement(), n);
        int best = -1;
        long bestLoad = 0;
        double bestWeight = 1;
        for (int k = 0; k < n; k++) {
            int i = offset + k < n ? offset + k : offset + k - n;
            if (!snapshot.usable(context, i, ignoreHealth)) {
                continue;
            }
            long load = snapshot.stats[i].inFlight();
            double weight = snapshot.effectiveWeight(i);
            if (best < 0 || load * bestWeight < bestLoad * weight) {
                best = i;
                bestLoad = load;
                bestWeight = weight;
            }
        }
        return best;
    }
}
