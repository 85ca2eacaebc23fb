package io.reporadar.lb;

import io.reporadar.lb.spi.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Balances requests over a set of endpoints with one {@link Strategy}, skipping endpoints that passive or
 * active health took out. Membership changes build a new immutable snapshot and selector, published through
 * one volatile field: {@link #pick} takes no lock, and with the built-in strategies allocates nothing.
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.builder(Strategy.powerOfTwoChoices())
 *         .endpoints(List.of(a, b, c))
 *         .health(PassiveHealth.DEFAULT.withNginxSemantics(3, Duration.ofSeconds(10)))
 *         .build();
 * PickContext request = new PickContext();
 * Endpoint endpoint = lb.pick(request);        // null when none is left
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
    private final PassiveHealth health;
    private final LongSupplier ticker;
    private final long slowStartNanos;
    private boolean initialized;
    private final Map<Endpoint, EndpointStats> stats = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.LongAdder picks = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final List<Runnable> membershipListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
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

    private LoadBalancer(Builder builder) {
        this.strategy = builder.strategy;
        this.health = builder.health;
        this.ticker = builder.ticker;
        this.slowStartNanos = builder.slowStart.toNanos();
        update(builder.endpoints);
        initialized = true;
    }

    /** A balancer with {@link PassiveHealth#DEFAULT} health. */
    public static LoadBalancer of(Strategy strategy, Collection<Endpoint> endpoints) {
        return builder(strategy).endpoints(endpoints).build();
    }

    public static Builder builder(Strategy strategy) {
        return new Builder(strategy);
    }

    /**
     * Replaces the membership. Stats and health of endpoints that stay are kept; order matters to the hash
     * strategies, as in nginx's configuration.
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
            statsList.add(stats.computeIfAbsent(endpoint, e -> {
                EndpointStats fresh = new EndpointStats(inFlight);
                if (initialized && slowStartNanos > 0) {
                    // Added to a running balancer: let it warm up (the first membership has nothing to warm up against).
                    fresh.startWarming(ticker.getAsLong());
                }
                return fresh;
            }));
        }
        for (Map.Entry<Endpoint, EndpointStats> entry : stats.entrySet()) {
            if (!list.contains(entry.getKey())) {
                // Its requests in flight will complete unrecorded: take them out of the total now.
                inFlight.addAndGet(-entry.getValue().inFlight());
            }
        }
        stats.keySet().retainAll(list);
        Snapshot snapshot = new Snapshot(list, statsList, health, inFlight, ticker, slowStartNanos);
        state = new State(snapshot, strategy.newSelector(snapshot));
        membershipListeners.forEach(Runnable::run);
    }

    /** Runs {@code listener} after every membership change (metrics follow the endpoints as they come and go). */
    public void onMembershipChange(Runnable listener) {
        membershipListeners.add(listener);
    }

    /** Picks made so far. */
    public long picks() {
        return picks.sum();
    }

    /**
     * The endpoint for this request: never one the context marks as tried, and an unavailable one only when
     * every endpoint is unavailable and the policy is {@link PassiveHealth.AllDown#FAIL_OPEN}. The pick is recorded
     * in the context, so that a retry with the same context goes elsewhere.
     *
     * @param context the request's context; {@code null} is fine for strategies that use neither key nor address
     *     (nothing is then recorded, and a retry may get the same endpoint)
     * @return the endpoint, or {@code null} when none is left: no endpoints, every one tried for this request, or
     *     every one unavailable under {@link PassiveHealth.AllDown#FAIL_FAST}
     */
    public @Nullable Endpoint pick(@Nullable PickContext context) {
        State current = state;
        int index = current.selector.pick(context, false);
        if (index < 0 && health.allDown == PassiveHealth.AllDown.FAIL_OPEN) {
            index = current.selector.pick(context, true);
        }
        if (index == -1) {
            return null;
        }
        if (index < -1 || index >= current.snapshot.size()) {
            throw new IllegalStateException("strategy " + strategy.name() + " picked endpoint " + index + " of "
                    + current.snapshot.size() + " (expected: an index below the set's size, or -1)");
        }
        picks.increment();
        if (context != null) {
            context.markTried(index);
        }
        EndpointStats picked = current.snapshot.stats[index];
        if (health.maxFails > 0 && picked.hasFails()) {
            picked.picked(ticker.getAsLong(), health);
        }
        return current.snapshot.endpoints[index];
    }

    /** Records that a request to {@code endpoint} started: feeds least connections and power of two choices. */
    public void onStart(Endpoint endpoint) {
        EndpointStats s = stats.get(endpoint);
        if (s != null) {
            s.started();
        }
    }

    /**
     * Records that a request to {@code endpoint} ended: a failure counts towards nginx's {@code max_fails} and
     * towards ejection; a success clears them.
     *
     * @param latency how long the request took, or {@code null} when it was not measured (the latency estimate
     *     then stays as it is)
     */
    public void onComplete(Endpoint endpoint, boolean success, @Nullable Duration latency) {
        EndpointStats s = stats.get(endpoint);
        if (s == null) {
            return;
        }
        long now = ticker.getAsLong();
        boolean wasFailing = health.maxFails > 0 && s.fails() >= health.maxFails;
        int consecutive = s.completed(success, now, latency == null ? -1 : latency.toNanos());
        if (success && wasFailing && s.fails() == 0 && slowStartNanos > 0) {
            s.startWarming(now);
        }
        if (!success && health.consecutiveFailures > 0 && consecutive >= health.consecutiveFailures && mayEject(now)) {
            s.eject(now, health);
        }
    }

    /** Whether one more endpoint may be ejected: never the only one, never beyond maxEjectedPercent. */
    private boolean mayEject(long now) {
        EndpointStats[] all = state.snapshot.stats;
        if (all.length < 2) {
            return false;
        }
        int ejected = 0;
        for (EndpointStats s : all) {
            if (s.ejected(now)) {
                ejected++;
            }
        }
        return (ejected + 1) * 100 <= health.maxEjectedPercent * all.length;
    }

    /** Records an active health check's verdict (see {@link ActiveHealthCheck}); a recovery starts slow start. */
    void activeVerdict(Endpoint endpoint, boolean down) {
        EndpointStats s = stats.get(endpoint);
        if (s != null && s.activeVerdict(down) && slowStartNanos > 0) {
            s.startWarming(ticker.getAsLong());
        }
    }

    /** Whether the endpoint may take a request now, as far as health is concerned. */
    public boolean isAvailable(Endpoint endpoint) {
        EndpointStats s = stats.get(endpoint);
        return s != null && s.available(ticker, health);
    }

    /** The stats of an endpoint in the current membership, or {@code null} when it is not a member (any more). */
    public @Nullable EndpointStats stats(Endpoint endpoint) {
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

    /** Not thread-safe; {@link #build()} copies its state. */
    public static final class Builder {
        private final Strategy strategy;
        private final List<Endpoint> endpoints = new ArrayList<>();
        private PassiveHealth health = PassiveHealth.DEFAULT;
        private LongSupplier ticker = System::nanoTime;
        private Duration slowStart = Duration.ZERO;

        private Builder(Strategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
        }

        public Builder endpoints(Collection<Endpoint> endpoints) {
            this.endpoints.addAll(endpoints);
            return this;
        }

        public Builder health(PassiveHealth health) {
            this.health = Objects.requireNonNull(health, "health");
            return this;
        }

        /** The clock health timing runs on, in nanoseconds ({@code System::nanoTime}); tests pass their own. */
        public Builder ticker(LongSupplier ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Slow start: an endpoint added to a running balancer, or back from failure, gets 10 % of its weight,
         * growing linearly to all of it over {@code window}, with least connections, power of two choices and
         * peak EWMA (round robin and the hash strategies keep fixed shares). Zero (the default) turns it off.
         */
        public Builder slowStart(Duration window) {
            if (window == null || window.isNegative()) {
                throw new IllegalArgumentException("slowStart: " + window + " (expected: zero or a positive duration)");
            }
            this.slowStart = window;
            return this;
        }

        public LoadBalancer build() {
            return new LoadBalancer(this);
        }
    }
}
