package io.reporadar.lb;

import io.reporadar.lb.spi.EndpointSet;
import io.reporadar.lb.spi.NginxRenderable;
import io.reporadar.lb.spi.Selector;

/**
 * A balancing strategy: makes a {@link Selector} over each set of endpoints the balancer is given (a new one on
 * every membership change). Strategies are immutable values; the state lives in the selectors and in each
 * endpoint's {@link EndpointStats}.
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.of(Strategy.leastConnections(), endpoints);
 * LoadBalancer sticky = LoadBalancer.of(Strategy.maglev().withBoundedLoad(1.25), endpoints);
 * }</pre>
 *
 * <p>To write one, implement {@link #name()} and {@link #newSelector}, check it with
 * {@link io.reporadar.lb.spi.StrategyConformance}, and implement {@link NginxRenderable} as well if nginx can do
 * the same (the module's README has an example). Implementations must be immutable and thread-safe.
 */
public interface Strategy {

    /**
     * A short stable name, for metrics and logs: {@code round_robin}, {@code least_conn}, {@code p2c},
     * {@code peak_ewma}, {@code random}, {@code ip_hash}, {@code ip_hash_full}, {@code hash_consistent},
     * {@code maglev} for the built-in ones; bounded variants add {@code _bounded}.
     */
    String name();

    /**
     * A selector over {@code endpoints}; called under the balancer's membership lock, never concurrently for one
     * balancer. The built-in strategies pick only from the set a {@link LoadBalancer} passes (they read its
     * internals), so they cannot be given a set of your own.
     */
    Selector newSelector(EndpointSet endpoints);

    /**
     * This hash strategy with bounded loads (Mirrokni, Thorup, Zadimoghaddam): no endpoint takes more than
     * {@code ceil(c × average)} requests in flight; a key whose endpoint is full walks on to the next.
     *
     * @param c at least 1; 1.25 is a common choice
     * @throws IllegalArgumentException for a strategy other than {@link #consistentHash()} and {@link #maglev()}
     */
    default Strategy withBoundedLoad(double c) {
        throw new IllegalArgumentException("strategy " + name() + ": bounded load (expected: a consistent hash or maglev)");
    }

    /**
     * Round robin from a random starting point; with unequal weights, nginx's smooth weighted sequence
     * (for weights 5, 1, 1: a a b a c a a).
     */
    static Strategy roundRobin() {
        return new BuiltInStrategy(BuiltInStrategy.Kind.ROUND_ROBIN, 0);
    }

    /**
     * The fewest requests in flight relative to weight, scanning every endpoint as nginx {@code least_conn}
     * does; ties go round robin.
     */
    static Strategy leastConnections() {
        return new BuiltInStrategy(BuiltInStrategy.Kind.LEAST_CONNECTIONS, 0);
    }

    /** Two distinct endpoints drawn at random; the one with fewer requests in flight relative to weight wins. */
    static Strategy powerOfTwoChoices() {
        return new BuiltInStrategy(BuiltInStrategy.Kind.POWER_OF_TWO, 0);
    }

    /**
     * Power of two choices on peak EWMA latency × (requests in flight + 1): a latency spike counts at once, a
     * recovery decays in over 10 s, so a slow endpoint sheds load before it times out.
     */
    static Strategy peakEwma() {
        return new BuiltInStrategy(BuiltInStrategy.Kind.PEAK_EWMA, 0);
    }

    /** A random endpoint, weighted. */
    static Strategy random() {
        return new BuiltInStrategy(BuiltInStrategy.Kind.RANDOM, 0);
    }

    /**
     * nginx {@code ip_hash}: the client's first three IPv4 octets (or whole IPv6 address) pick the endpoint, so
     * a Java client and nginx send the same client to the same instance. Not consistent: adding an endpoint
     * moves most clients.
     */
    static Strategy ipHash() {
        return new BuiltInStrategy(BuiltInStrategy.Kind.IP_HASH, 0);
    }

    /** Like {@link #ipHash()} but over all four IPv4 octets, for clients that share a /24 (behind one NAT, say). */
    static Strategy ipHashFullAddress() {
        return new BuiltInStrategy(BuiltInStrategy.Kind.IP_HASH_FULL, 0);
    }

    /**
     * nginx {@code hash $key consistent} (ketama: CRC32, 160 points per unit of weight): a key goes to the
     * endpoint nginx would send it to, and removing one of N endpoints moves about 1/N of the keys.
     */
    static Strategy consistentHash() {
        return new BuiltInStrategy(BuiltInStrategy.Kind.CONSISTENT_HASH, 0);
    }

    /**
     * Maglev (Google, NSDI 2016): a lookup table of 65,537 entries (or more for large sets) filled from each
     * endpoint's permutation; near-perfect balance and one array read per pick. No nginx equivalent.
     */
    static Strategy maglev() {
        return new BuiltInStrategy(BuiltInStrategy.Kind.MAGLEV, 0);
    }
}
