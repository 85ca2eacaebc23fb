package io.reporadar.lb;

import java.util.List;

/**
 * The endpoints a selector works on, as arrays: weights and stats at the same index as the endpoint, and
 * the health policy that decides which of them may be picked.
 *
 * <p>Immutable and thread-safe (the stats it points to are thread-safe).
 */
final class Snapshot {

    final Endpoint[] endpoints;
    final int[] weights;
    final EndpointStats[] stats;
    final int totalWeight;
    final PassiveHealth health;

    Snapshot(List<Endpoint> endpoints, List<EndpointStats> stats, PassiveHealth health) {
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

    int size() {
        return endpoints.length;
    }

    /** Whether endpoint {@code index} may be picked: not tried for this request and, unless ignored, available. */
    boolean usable(PickContext context, int index, long now, boolean ignoreHealth) {
        if (context != null && context.wasTried(index)) {
            return false;
        }
        return ignoreHealth || stats[index].available(now, health);
    }
}
