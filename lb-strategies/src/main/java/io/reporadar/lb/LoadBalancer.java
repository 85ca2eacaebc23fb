package io.reporadar.lb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Balances requests over a set of endpoints with one {@link Strategy}. Membership changes build a new
 * immutable snapshot and selector, published through one volatile field: {@link #pick} takes no lock and
 * allocates nothing.
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.of(Strategy.powerOfTwoChoices(), List.of(a, b, c));
 * PickContext request = new PickContext();
 * Endpoint endpoint = lb.pick(request);
 * lb.onStart(endpoint);
 * ... call it ...
 * lb.onComplete(endpoint, success, latency);
 * Endpoint retry = lb.pick(request);            // never the one already tried
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class LoadBalancer {

    private final Strategy strategy;
    private final Map<Endpoint, EndpointStats> stats = new ConcurrentHashMap<>();
    private volatile State state;

    /** A selector with the snapshot it was made from. */
    private static final class State {
        final Snapshot snapshot;
        final Selector selector;

        State(Snapshot snapshot, Selector selector) {
            this.snapshot = snapshot;
            this.selector = selector;
        }
    }

    private LoadBalancer(Strategy strategy, Collection<Endpoint> endpoints) {
        this.strategy = strategy;
        update(endpoints);
    }

    public static LoadBalancer of(Strategy strategy, Collection<Endpoint> endpoints) {
        return new LoadBalancer(java.util.Objects.requireNonNull(strategy, "strategy"), endpoints);
    }

    /**
     * Replaces the membership. Stats of endpoints that stay are kept; order matters to the hash strategies,
     * as in nginx's configuration.
     *
     * @throws IllegalArgumentException for a duplicate endpoint
     */
    public synchronized void update(Collection<Endpoint> endpoints) {
        List<Endpoint> list = new ArrayList<>(new LinkedHashSet<>(endpoints));
        if (list.size() != endpoints.size()) {
            throw new IllegalArgumentException("endpoints: " + endpoints + " (expected: no endpoint twice)");
        }
        List<EndpointStats> statsList = new ArrayList<>(list.size());
        for (Endpoint endpoint : list) {
            statsList.add(stats.computeIfAbsent(endpoint, e -> new EndpointStats()));
        }
        stats.keySet().retainAll(list);
        Snapshot snapshot = new Snapshot(list, statsList);
        state = new State(snapshot, strategy.newSelector(snapshot));
    }

    /**
     * The endpoint for this request, never one the context marks as tried; {@code null} when none is left.
     * The pick is recorded in the context, so that a retry with the same context goes elsewhere.
     *
     * @param context the request's context; {@code null} is fine for strategies that use neither key nor address
     */
    public Endpoint pick(PickContext context) {
        State current = state;
        int index = current.selector.pick(context);
        if (index < 0) {
            return null;
        }
        if (context != null) {
            context.markTried(index);
        }
        return current.snapshot.endpoints[index];
    }

    /** Records that a request to {@code endpoint} started: feeds least-connections and power of two choices. */
    public void onStart(Endpoint endpoint) {
        EndpointStats s = stats.get(endpoint);
        if (s != null) {
            s.started();
        }
    }

    /** Records that a request to {@code endpoint} ended. */
    public void onComplete(Endpoint endpoint, boolean success, Duration latency) {
        EndpointStats s = stats.get(endpoint);
        if (s != null) {
            s.completed(success);
        }
    }

    /** The stats of an endpoint in the current membership, or {@code null}. */
    public EndpointStats stats(Endpoint endpoint) {
        return stats.get(endpoint);
    }

    public List<Endpoint> endpoints() {
        return List.of(state.snapshot.endpoints);
    }

    public Strategy strategy() {
        return strategy;
    }

    @Override
    public String toString() {
        return "LoadBalancer[" + strategy + ", " + endpoints() + "]";
    }
}
