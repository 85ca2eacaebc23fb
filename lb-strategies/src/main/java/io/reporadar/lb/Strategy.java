package io.reporadar.lb;

/**
 * A balancing strategy: makes a selector over each snapshot of endpoints. Strategies are stateless values;
 * the state lives in the selectors (swapped on every membership change) and in the shared
 * {@link EndpointStats}.
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.of(Strategy.leastConnections(), endpoints);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public abstract class Strategy {

    private final String name;

    Strategy(String name) {
        this.name = name;
    }

    /**
     * Round robin from a random starting point; with unequal weights, nginx's smooth weighted sequence
     * (for weights 5, 1, 1: a a b a c a a).
     */
    public static Strategy roundRobin() {
        return new Strategy("round_robin") {
            @Override
            Selector newSelector(Snapshot snapshot) {
                return new RoundRobinSelector(snapshot);
            }
        };
    }

    /**
     * The fewest requests in flight relative to weight, scanning every endpoint as nginx {@code least_conn}
     * does; ties go round robin.
     */
    public static Strategy leastConnections() {
        return new Strategy("least_conn") {
            @Override
            Selector newSelector(Snapshot snapshot) {
                return new LeastConnectionsSelector(snapshot);
            }
        };
    }

    /** Two distinct endpoints drawn at random; the one with fewer requests in flight relative to weight wins. */
    public static Strategy powerOfTwoChoices() {
        return new Strategy("p2c") {
            @Override
            Selector newSelector(Snapshot snapshot) {
                return new PowerOfTwoSelector(snapshot);
            }
        };
    }

    /** A random endpoint, weighted. */
    public static Strategy random() {
        return new Strategy("random") {
            @Override
            Selector newSelector(Snapshot snapshot) {
                return new RandomSelector(snapshot);
            }
        };
    }

    /**
     * nginx {@code ip_hash}: the client's first three IPv4 octets (or whole IPv6 address) pick the endpoint, so
     * a Java client and nginx send the same client to the same instance. Not consistent: adding an endpoint
     * moves most clients.
     */
    public static Strategy ipHash() {
        return new Strategy("ip_hash") {
            @Override
            Selector newSelector(Snapshot snapshot) {
                return new IpHashSelector(snapshot, 3);
            }
        };
    }

    /** Like {@link #ipHash()} but over all four IPv4 octets, for clients that share a /24 (behind one NAT, say). */
    public static Strategy ipHashFullAddress() {
        return new Strategy("ip_hash_full") {
            @Override
            Selector newSelector(Snapshot snapshot) {
                return new IpHashSelector(snapshot, 4);
            }
        };
    }

    /**
     * nginx {@code hash $key consistent} (ketama: CRC32, 160 points per unit of weight): a key goes to the
     * endpoint nginx would send it to, and removing one of N endpoints moves about 1/N of the keys.
     */
    public static Strategy consistentHash() {
        return new Strategy("hash_consistent") {
            @Override
            Selector newSelector(Snapshot snapshot) {
                return new ConsistentHashSelector(snapshot);
            }
        };
    }

    public final String name() {
        return name;
    }

    abstract Selector newSelector(Snapshot snapshot);

    @Override
    public String toString() {
        return name;
    }
}
