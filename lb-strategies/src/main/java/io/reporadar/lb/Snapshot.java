package io.reporadar.lb;

import io.reporadar.lb.spi.EndpointSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The endpoints a selector works on, as arrays: weights and stats at the same index as the endpoint, and
 * the health policy that decides which of them may be picked. The built-in selectors read its arrays directly.
 *
 * <p>Immutable and thread-safe (the stats it points to are thread-safe).
 */
final class Snapshot implements EndpointSet {

    final Endpoint[] endpoints;
    final int[] weights;
    final EndpointStats[] stats;
    final int totalWeight;
    final PassiveHealth health;
    final java.util.concurrent.atomic.AtomicInteger groupInFlight;
    final java.util.function.LongSupplier ticker;
    final long slowStartNanos;

    Snapshot(List<Endpoint> endpoints, List<EndpointStats> stats, PassiveHealth health,
            java.util.concurrent.atomic.AtomicInteger groupInFlight, java.util.function.LongSupplier ticker, long slowStartNanos) {
        this.groupInFlight = groupInFlight;
        this.ticker = ticker;
        this.slowStartNanos = slowStartNanos;
        this.endpoints = endpoints.toArray(Endpoint[]::new);
        this.stats = stats.toArray(EndpointStats[]::new);
        this.health = health;
        this.weights = new int[this.endpoints.length];
        int total = 0;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = this.endpoints[i].weight();
            total += weights[i];
        }
        this.totalWeight = total;
    }

    @Override
    public int size() {
        return endpoints.length;
    }

    @Override
    public Endpoint endpoint(int index) {
        return endpoints[index];
    }

    @Override
    public int weight(int index) {
        return weights[index];
    }

    @Override
    public int totalWeight() {
        return totalWeight;
    }

    @Override
    public EndpointStats stats(int index) {
        return stats[index];
    }

    @Override
    public int inFlight() {
        return Math.max(0, groupInFlight.get());
    }

    @Override
    public long nanoTime() {
        return ticker.getAsLong();
    }

    @Override
    public boolean usable(@Nullable PickContext context, int index, boolean ignoreHealth) {
        if (context != null && context.wasTried(index)) {
            return false;
        }
        return ignoreHealth || stats[index].available(ticker, health);
    }

    @Override
    public double effectiveWeight(int index) {
        return weights[index] * stats[index].weightFactor(ticker, slowStartNanos);
    }

    /** Bounded loads: whether endpoint {@code index} has room under {@code ceil(c × (total + 1) / n)}. */
    boolean underBound(int index, double c) {
        if (c <= 0) {
            return true;
        }
        long bound = (long) Math.ceil(c * (groupInFlight.get() + 1) / endpoints.length);
        return stats[index].inFlight() < bound;
    }
}
