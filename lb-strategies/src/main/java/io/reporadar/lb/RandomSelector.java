package io.reporadar.lb;

import io.reporadar.lb.spi.Selector;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A random endpoint, weighted: a binary search over cumulative weights.
 *
 * <p>Thread-safe, lock-free, allocation-free.
 */
final class RandomSelector implements Selector {

    private final Snapshot snapshot;
    private final int[] cumulative;

    RandomSelector(Snapshot snapshot) {
        this.snapshot = snapshot;
        this.cumulative = new int[snapshot.size()];
        int sum = 0;
        for (int i = 0; i < cumulative.length; i++) {
            sum += snapshot.weights[i];
            cumulative[i] = sum;
        }
    }

    @Override
    public int pick(@Nullable PickContext context, boolean ignoreHealth) {
        int n = snapshot.size();
        for (int attempt = 0; attempt < 2 * n; attempt++) {
            int r = ThreadLocalRandom.current().nextInt(snapshot.totalWeight);
            int found = Arrays.binarySearch(cumulative, r + 1);
            int index = found >= 0 ? found : -found - 1;
            if (snapshot.usable(context, index, ignoreHealth)) {
                return index;
            }
        }
        for (int i = 0; i < n; i++) {
            if (snapshot.usable(context, i, ignoreHealth)) {
                return i;
            }
        }
        return -1;
    }
}
