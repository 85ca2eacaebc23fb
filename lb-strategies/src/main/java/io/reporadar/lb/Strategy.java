package io.reporadar.lb;

/**
 * A balancing strategy: makes a selector over each snapshot of endpoints. Strategies are immutable values;
 * the state lives in the selectors (swapped on every membership change) and in the shared
 * {@link EndpointStats}.
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.of(Strategy.leastConnections(), endpoints);
 * LoadBalancer sticky = LoadBalancer.of(Strategy.maglev().withBoundedLoad(1.25), endpoints);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Strategy {

    private enum Kind {
        ROUND_ROBIN("round_robin", false),
        LEAST_CONNECTIONS("least_conn", false),
        POWER_OF_TWO("p2c", false),
        PEAK_EWMA("peak_ewma", false),
        RANDOM("random", false),
        IP_HASH("ip_hash", false),
        IP_HASH_FULL("ip_hash_full", false),
        CONSISTENT_HASH("hash_consistent", true),
        MAGLEV("maglev", true);

        final String name;
        final boolean boundable;

        Kind(String name, boolean boundable) {
            this.name = name;
            this.boundable = boundable;
        }
    }

    private final Kind kind;
    private final double loadFactor;

    private Strategy(Kind kind, double loadFactor) {
        this.kind = kind;
        this.loadFactor = loadFactor;
    }

    /**
     * Round robin from a random starting point; with unequal weights, nginx's smooth weighted sequence
     * (for weights 5, 1, 1: a a b a c a a).
     */
    public static Strategy roundRobin() {
        return new Strategy(Kind.ROUND_ROBIN, 0);
    }

    /**
     * The fewest requests in flight relative to weight, scanning every endpoint as nginx {@code least_conn}
     * does; ties go round robin.
     */
    public static Strategy leastConnections() {
        return new Strategy(Kind.LEAST_CONNECTIONS, 0);
    }

    /** Two distinct endpoints drawn at random; the one with fewer requests in flight relative to weight wins. */
    public static Strategy powerOfTwoChoices() {
        return new Strategy(Kind.POWER_OF_TWO, 0);
    }

    /**
     * Power of two choices on peak EWMA latency × (requests in flight + 1): a latency spike counts at once, a
     * recovery decays in over 10 s, so a slow endpoint sheds load before it times out.
     */
    public static Strategy peakEwma() {
        return new Strategy(Kind.PEAK_EWMA, 0);
    }

    /** A random endpoint, weighted. */
    public static Strategy random() {
        return new Strategy(Kind.RANDOM, 0);
    }

    /**
     * nginx {@code ip_hash}: the client's first three IPv4 octets (or whole IPv6 address) pick the endpoint, so
     * a Java client and nginx send the same client to the same instance. Not consistent: adding an endpoint
     * moves most clients.
     */
    public static Strategy ipHash() {
        return new Strategy(Kind.IP_HASH, 0);
    }

    /** Like {@link #ipHash()} but over all four IPv4 octets, for clients that share a /24 (behind one NAT, say). */
    public static Strategy ipHashFullAddress() {
        return new Strategy(Kind.IP_HASH_FULL, 0);
    }

    /**
     * nginx {@code hash $key consistent} (ketama: CRC32, 160 points per unit of weight): a key goes to the
     * endpoint nginx would send it to, and removing one of N endpoints moves about 1/N of the keys.
     */
    public static Strategy consistentHash() {
        return new Strategy(Kind.CONSISTENT_HASH, 0);
    }

    /**
     * Maglev (Google, NSDI 2016): a lookup table of 65,537 entries (or more for large sets) filled from each
     * endpoint's permutation; near-perfect balance and one array read per pick. No nginx equivalent.
     */
    public static Strategy maglev() {
        return new Strategy(Kind.MAGLEV, 0);
    }

    /**
     * This hash strategy with bounded loads (Mirrokni, Thorup, Zadimoghaddam): no endpoint takes more than
     * {@code ceil(c × average)} requests in flight; a key whose endpoint is full walks on to the next.
     *
     * @param c at least 1; 1.25 is a common choice
     */
    public Strategy withBoundedLoad(double c) {
        if (!kind.boundable) {
            throw new IllegalArgumentException("strategy " + kind.name + ": bounded load (expected: a consistent hash or maglev)");
        }
        if (!(c >= 1.0) || Double.isInfinite(c)) {
            throw new IllegalArgumentException("boundedLoad: " + c + " (expected: >= 1.0)");
        }
        return new Strategy(kind, c);
    }

    /**
     * A short stable name: {@code round_robin}, {@code least_conn}, {@code p2c}, {@code peak_ewma}, {@code random},
     * {@code ip_hash}, {@code ip_hash_full}, {@code hash_consistent}, {@code maglev}; bounded variants add
     * {@code _bounded}.
     */
    public String name() {
        return loadFactor > 0 ? kind.name + "_bounded" : kind.name;
    }

    /** The bound of {@link #withBoundedLoad}, 0 when loads are not bounded. */
    public double loadFactor() {
        return loadFactor;
    }

    Selector newSelector(Snapshot snapshot) {
        return switch (kind) {
            case ROUND_ROBIN -> new RoundRobinSelector(snapshot);
            case LEAST_CONNECTIONS -> new LeastConnectionsSelector(snapshot);
            case POWER_OF_TWO -> new PowerOfTwoSelector(snapshot, false);
            case PEAK_EWMA -> new PowerOfTwoSelector(snapshot, true);
            case RANDOM -> new RandomSelector(snapshot);
            case IP_HASH -> new IpHashSelector(snapshot, 3);
            case IP_HASH_FULL -> new IpHashSelector(snapshot, 4);
            case CONSISTENT_HASH -> new ConsistentHashSelector(snapshot, loadFactor);
            case MAGLEV -> new MaglevSelector(snapshot, loadFactor);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Strategy other && kind == other.kind && loadFactor == other.loadFactor;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Double.hashCode(loadFactor);
    }

    @Override
    public String toString() {
        return loadFactor > 0 ? name() + "(c=" + loadFactor + ")" : name();
    }
}
