package io.reporadar.lb.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reporadar.lb.Endpoint;
import io.reporadar.lb.EndpointStats;
import io.reporadar.lb.LoadBalancer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Micrometer meters for a {@link LoadBalancer}; they follow the membership as endpoints come and go.
 *
 * <table>
 *   <caption>Meters (tags {@code balancer}, {@code endpoint})</caption>
 *   <tr><td>{@code reporadar.lb.endpoint.inflight}</td><td>requests in flight</td></tr>
 *   <tr><td>{@code reporadar.lb.endpoint.available}</td><td>1 when health lets the endpoint take requests</td></tr>
 *   <tr><td>{@code reporadar.lb.endpoint.requests}</td><td>completed requests by {@code outcome} (success, failure)</td></tr>
 *   <tr><td>{@code reporadar.lb.endpoint.ejections}</td><td>ejections by {@code reason} (consecutive_failures)</td></tr>
 *   <tr><td>{@code reporadar.lb.endpoint.active.down}</td><td>1 while the active check holds the endpoint out</td></tr>
 *   <tr><td>{@code reporadar.lb.picks}</td><td>picks, tagged {@code strategy}</td></tr>
 * </table>
 *
 * <p>Thread-safe.
 */
public final class LoadBalancerMetrics implements MeterBinder {

    private final LoadBalancer balancer;
    private final String name;
    private final Map<Endpoint, List<Meter>> meters = new ConcurrentHashMap<>();

    /** @param name the balancer's name for the {@code balancer} tag (the service it calls) */
    public LoadBalancerMetrics(LoadBalancer balancer, String name) {
        this.balancer = balancer;
        this.name = name;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("reporadar.lb.picks", balancer, LoadBalancer::picks).description("Endpoints picked")
                .tags("balancer", name, "strategy", balancer.strategy().name()).register(registry);
        follow(registry);
        balancer.onMembershipChange(() -> follow(registry));
    }

    private synchronized void follow(MeterRegistry registry) {
        List<Endpoint> current = balancer.endpoints();
        for (Iterator<Map.Entry<Endpoint, List<Meter>>> it = meters.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Endpoint, List<Meter>> entry = it.next();
            if (!current.contains(entry.getKey())) {
                entry.getValue().forEach(registry::remove);
                it.remove();
            }
        }
        for (Endpoint endpoint : current) {
            meters.computeIfAbsent(endpoint, e -> register(registry, e));
        }
    }

    private List<Meter> register(MeterRegistry registry, Endpoint endpoint) {
        EndpointStats stats = balancer.stats(endpoint);
        if (stats == null) {
            // Gone since endpoints() was read: the membership listener's next follow() drops this entry.
            return List.of();
        }
        Tags tags = Tags.of("balancer", name, "endpoint", endpoint.address());
        List<Meter> list = new ArrayList<>();
        list.add(Gauge.builder("reporadar.lb.endpoint.inflight", stats, EndpointStats::inFlight)
                .description("Requests in flight").tags(tags).register(registry));
        list.add(Gauge.builder("reporadar.lb.endpoint.available", balancer, b -> b.isAvailable(endpoint) ? 1 : 0)
                .description("1 when health lets the endpoint take requests").tags(tags).register(registry));
        list.add(Gauge.builder("reporadar.lb.endpoint.active.down", stats, s -> s.activelyDown() ? 1 : 0)
                .description("1 while the active health check holds the endpoint out").tags(tags).register(registry));
        list.add(FunctionCounter.builder("reporadar.lb.endpoint.requests", stats, EndpointStats::successes)
                .description("Completed requests").tags(tags).tag("outcome", "success").register(registry));
        list.add(FunctionCounter.builder("reporadar.lb.endpoint.requests", stats, EndpointStats::failures)
                .description("Completed requests").tags(tags).tag("outcome", "failure").register(registry));
        list.add(FunctionCounter.builder("reporadar.lb.endpoint.ejections", stats, EndpointStats::ejections)
                .description("Ejections of the endpoint").tags(tags).tag("reason", "consecutive_failures").register(registry));
        return list;
    }
}
