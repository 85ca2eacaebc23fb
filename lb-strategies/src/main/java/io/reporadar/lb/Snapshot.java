package io.reporadar.lb;

import java.util.List;

/**
 * The endpoints a selector works on, as arrays: weights and stats at the same index as the endpoint.
 *
 * <p>Immutable and thread-safe (the stats it points to are thread-safe).
 */
final class Snapshot {

    final Endpoint[] endpoints;
    final int[] weights;
    final EndpointStats[] stats;
    final int totalWeight;

    Snapshot(List<Endpoint> endpoints, List<EndpointStats> stats) {
        this.endpoints = endpoints.toArray(Endpoint[]::new);
        this.stats = stats.toArray(EndpointStats[]::new);
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

    static boolean tried(PickContext context, int index) {
        return context != null && context.wasTried(index);
    }
}
