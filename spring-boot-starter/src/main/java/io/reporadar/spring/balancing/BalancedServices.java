package io.reporadar.spring.balancing;

import io.reporadar.lb.ActiveHealthCheck;
import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import io.reporadar.lb.Strategy;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The services a balanced client calls by name, each with its {@link LoadBalancer}: the registry
 * {@link BalancingInterceptor} looks hosts up in, and where an application reads the balancers' stats.
 *
 * <pre>{@code
 * LoadBalancer catalog = services.get("catalog").balancer();
 * long picks = catalog.picks();
 * }</pre>
 *
 * <p>Thread-safe. Closing it stops the services' active health checks.
 */
public final class BalancedServices implements AutoCloseable {

    private static final String PREFIX = "reporadar.balancing.services.";

    /** A name that can be a URI's host (no underscore: {@link URI#getHost()} would not see it). */
    private static final Pattern SERVICE_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");

    private static final Map<String, Strategy> STRATEGIES = strategies();

    private final Map<String, BalancedService> services;

    /** A registry of these services; names are matched with a request's host regardless of case. */
    public BalancedServices(Collection<BalancedService> services) {
        Map<String, BalancedService> byName = new LinkedHashMap<>();
        for (BalancedService service : services) {
            if (byName.put(service.name().toLowerCase(Locale.ROOT), service) != null) {
                throw new IllegalArgumentException("service " + service.name() + " (expected: each name once, regardless of case)");
            }
        }
        this.services = byName;
    }

    /**
     * The services {@code reporadar.balancing.services.*} configures, with their health checks started.
     *
     * @throws IllegalArgumentException naming the property, for a value that cannot be used
     */
    public static BalancedServices from(BalancingProperties properties) {
        List<BalancedService> built = new ArrayList<>();
        try {
            properties.getServices().forEach((name, service) -> built.add(build(name, service)));
        } catch (RuntimeException e) {
            built.forEach(BalancedService::close);
            throw e;
        }
        return new BalancedServices(built);
    }

    /** The service a request's host names, or {@code null} when the host is no service (the request is left alone). */
    public @Nullable BalancedService forHost(@Nullable String host) {
        return host == null ? null : services.get(host.toLowerCase(Locale.ROOT));
    }

    /**
     * The service of that name.
     *
     * @throws IllegalArgumentException when none is configured
     */
    public BalancedService get(String name) {
        BalancedService service = forHost(name);
        if (service == null) {
            throw new IllegalArgumentException("service: " + name + " (expected: one of " + services.keySet() + ")");
        }
        return service;
    }

    /** Every service, in configuration order. */
    public Collection<BalancedService> all() {
        return List.copyOf(services.values());
    }

    @Override
    public void close() {
        services.values().forEach(BalancedService::close);
    }

    @Override
    public String toString() {
        return "BalancedServices" + services.values();
    }

    private static BalancedService build(String name, BalancingProperties.Service service) {
        String property = PREFIX + name;
        if (!SERVICE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(property + ": " + name
                    + " (expected: a service name usable as a host: letters, digits, hyphens and dots)");
        }
        if (service.getInstances().isEmpty()) {
            throw new IllegalArgumentException(property + ".instances: [] (expected: at least one http or https URL)");
        }
        if (service.getMaxAttempts() < 1) {
            throw new IllegalArgumentException(property + ".max-attempts: " + service.getMaxAttempts() + " (expected: >= 1)");
        }
        Map<Endpoint, String> schemes = new LinkedHashMap<>();
        List<String> instances = service.getInstances();
        for (int i = 0; i < instances.size(); i++) {
            String instanceProperty = property + ".instances[" + i + "]";
            String spec = instances.get(i);
            int space = spec.trim().indexOf(' ');
            String url = space < 0 ? spec.trim() : spec.trim().substring(0, space);
            String weight = space < 0 ? "" : spec.trim().substring(space);
            URI uri = instanceUri(instanceProperty, spec, url);
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            Endpoint endpoint;
            try {
                endpoint = Endpoint.parse(uri.getHost() + ":" + port + weight);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(instanceProperty + ": " + spec + " (" + e.getMessage() + ")", e);
            }
            if (schemes.put(endpoint, scheme) != null) {
                throw new IllegalArgumentException(instanceProperty + ": " + spec + " (expected: each instance once)");
            }
        }
        LoadBalancer balancer = LoadBalancer.of(strategy(property + ".strategy", service.getStrategy()), schemes.keySet());
        return new BalancedService(name, balancer, schemes, service.getMaxAttempts(),
                healthCheck(property + ".health-check", service.getHealthCheck(), balancer, schemes));
    }

    private static URI instanceUri(String property, String spec, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(property + ": " + spec + expectedUrl(""), e);
        }
        String scheme = uri.getScheme();
        boolean http = scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"));
        boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
        if (!http || uri.getHost() == null || !bare) {
            throw new IllegalArgumentException(property + ": " + spec + expectedUrl(bare ? "" : " with no path, query or user info"));
        }
        return uri;
    }

    private static String expectedUrl(String detail) {
        return " (expected: an http or https URL such as http://10.0.0.1:8080" + detail + ", optionally followed by weight=N)";
    }

    private static @Nullable ActiveHealthCheck healthCheck(String property, BalancingProperties.HealthCheck check,
            LoadBalancer balancer, Map<Endpoint, String> schemes) {
        if (!check.isEnabled()) {
            return null;
        }
        if (schemes.containsValue("https")) {
            throw new IllegalArgumentException(property + ".enabled: true (expected: false when instances speak https; "
                    + "the active check speaks plain http)");
        }
        try {
            return ActiveHealthCheck.builder(balancer).path(check.getPath()).interval(check.getInterval())
                    .timeout(check.getTimeout()).start();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + "." + e.getMessage(), e);
        }
    }

    /** The strategy of that name: a strategy's own name ({@code least_conn}) or its factory's ({@code least-connections}). */
    static Strategy strategy(String property, String name) {
        Strategy strategy = STRATEGIES.get(name.trim().toLowerCase(Locale.ROOT).replace('-', '_'));
        if (strategy == null) {
            throw new IllegalArgumentException(property + ": " + name + " (expected: one of " + STRATEGIES.keySet() + ")");
        }
        return strategy;
    }

    private static Map<String, Strategy> strategies() {
        Map<String, Strategy> byName = new LinkedHashMap<>();
        for (Strategy strategy : List.of(Strategy.roundRobin(), Strategy.leastConnections(), Strategy.powerOfTwoChoices(),
                Strategy.peakEwma(), Strategy.random(), Strategy.ipHash(), Strategy.ipHashFullAddress(),
                Strategy.consistentHash(), Strategy.maglev())) {
            byName.put(strategy.name(), strategy);
        }
        // The factories' names too, as a reader of Strategy's javadoc would write them.
        byName.put("least_connections", Strategy.leastConnections());
        byName.put("power_of_two_choices", Strategy.powerOfTwoChoices());
        byName.put("ip_hash_full_address", Strategy.ipHashFullAddress());
        byName.put("consistent_hash", Strategy.consistentHash());
        return byName;
    }
}
