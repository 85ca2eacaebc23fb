package io.reporadar.lb;

import io.reporadar.lb.spi.EndpointSet;
import io.reporadar.lb.spi.NginxRenderable;
import io.reporadar.lb.spi.Selector;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The strategies {@link Strategy}'s factories make: a kind and, for the hash strategies, a load bound. Their
 * selectors read the balancer's own {@link Snapshot} directly.
 *
 * <p>Immutable and thread-safe.
 */
final class BuiltInStrategy implements Strategy, NginxRenderable {

    enum Kind {
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

    BuiltInStrategy(Kind kind, double loadFactor) {
        this.kind = kind;
        this.loadFactor = loadFactor;
    }

    @Override
    public Strategy withBoundedLoad(double c) {
        if (!kind.boundable) {
            return Strategy.super.withBoundedLoad(c);
        }
        if (!(c >= 1.0) || Double.isInfinite(c)) {
            throw new IllegalArgumentException("boundedLoad: " + c + " (expected: >= 1.0)");
        }
        return new BuiltInStrategy(kind, c);
    }

    @Override
    public String name() {
        return loadFactor > 0 ? kind.name + "_bounded" : kind.name;
    }

    @Override
    public Selector newSelector(EndpointSet endpoints) {
        if (!(endpoints instanceof Snapshot snapshot)) {
            throw new IllegalArgumentException("strategy " + name() + ": picks from a LoadBalancer's own endpoints (expected: the set "
                    + "LoadBalancer passes, not " + endpoints.getClass().getName() + ")");
        }
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
    public List<String> nginxLines(@Nullable String hashKey) {
        return switch (kind) {
            case ROUND_ROBIN -> List.of("# nginx's smooth weighted round robin; the Java one starts at a random offset.");
            case LEAST_CONNECTIONS -> List.of("# nginx counts connections per worker process (no shared zone here); the Java",
                    "# strategy counts the requests in flight that its own client started.", "least_conn;");
            case POWER_OF_TWO -> List.of("# nginx draws two servers and takes the one with fewer active connections; the Java",
                    "# power of two choices compares requests in flight relative to weight.", "random two least_conn;");
            case PEAK_EWMA -> List.of("# nginx (open source) has no latency-aware balancing (least_time is NGINX Plus);",
                    "# least_conn is the closest.", "least_conn;");
            case RANDOM -> List.of("random;");
            case IP_HASH -> List.of("# Same client address, same server, in nginx and in the Java ip_hash.", "ip_hash;");
            case IP_HASH_FULL -> List.of("# nginx's ip_hash only reads three IPv4 octets; hashing the whole address is the",
                    "# closest nginx can do, and it maps clients differently from the Java ip_hash_full.", "hash $remote_addr consistent;");
            case CONSISTENT_HASH -> loadFactor > 0
                    ? List.of("# Same ring as the Java consistent hash, but nginx has no bounded loads: when the Java",
                            "# strategy walks past a full endpoint, nginx does not.", "hash " + hashKey + " consistent;")
                    : List.of("# Same key, same server, in nginx and in the Java consistent hash.", "hash " + hashKey + " consistent;");
            case MAGLEV -> List.of("# nginx has no Maglev; its consistent hash keeps keys as sticky, but maps them",
                    "# differently from the Java strategy.", "hash " + hashKey + " consistent;");
        };
    }

    @Override
    public boolean nginxNeedsHashKey() {
        return kind == Kind.CONSISTENT_HASH || kind == Kind.MAGLEV;
    }

    @Override
    public boolean nginxAllowsBackup() {
        return switch (kind) {
            case ROUND_ROBIN, LEAST_CONNECTIONS, PEAK_EWMA -> true;
            default -> false;
        };
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof BuiltInStrategy other && kind == other.kind && loadFactor == other.loadFactor;
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
