package io.reporadar.spring.balancing;

import io.reporadar.lb.ActiveHealthCheck;
import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One configured service: its name (the host that requests use, {@code http://catalog/...}), the
 * {@link LoadBalancer} over its instances, the scheme each instance speaks, and how many attempts a request
 * may take. Read {@link #balancer()} for picks, requests in flight and health per instance.
 *
 * <p>Thread-safe.
 */
public final class BalancedService implements AutoCloseable {

    private final String name;
    private final LoadBalancer balancer;
    private final Map<Endpoint, String> schemes;
    private final int maxAttempts;
    private final @Nullable ActiveHealthCheck healthCheck;

    /**
     * @param schemes {@code http} or {@code https} for each of the balancer's endpoints
     * @param healthCheck the active check polling the endpoints, closed with this service; {@code null} for none
     */
    public BalancedService(String name, LoadBalancer balancer, Map<Endpoint, String> schemes, int maxAttempts,
            @Nullable ActiveHealthCheck healthCheck) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
        }
        this.name = name;
        this.balancer = balancer;
        this.schemes = Map.copyOf(schemes);
        this.maxAttempts = maxAttempts;
        this.healthCheck = healthCheck;
    }

    /** The service's name, as requests spell their host. */
    public String name() {
        return name;
    }

    /** The balancer over the service's instances: its stats are the service's. */
    public LoadBalancer balancer() {
        return balancer;
    }

    /** Attempts a request may take, the first included (retries go to other instances, idempotent requests only). */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The instances, as the balancer holds them now. */
    public List<Endpoint> instances() {
        return balancer.endpoints();
    }

    /**
     * The URI of {@code request} on {@code endpoint}: the endpoint's scheme, host and port, the request's path and
     * query (fragment and user info dropped, as an HTTP request line has neither).
     */
    public URI uriOn(Endpoint endpoint, URI request) {
        String scheme = schemes.getOrDefault(endpoint, request.getScheme());
        String path = request.getRawPath() == null || request.getRawPath().isEmpty() ? "/" : request.getRawPath();
        String query = request.getRawQuery() == null ? "" : "?" + request.getRawQuery();
        return URI.create(scheme + "://" + endpoint.address() + path + query);
    }

    /** Stops the active health check, if any. */
    @Override
    public void close() {
        if (healthCheck != null) {
            healthCheck.close();
        }
    }

    @Override
    public String toString() {
        return "BalancedService[" + name + ", " + balancer + ", maxAttempts=" + maxAttempts + "]";
    }
}
