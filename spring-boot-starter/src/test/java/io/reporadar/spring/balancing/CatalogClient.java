package io.reporadar.spring.balancing;

import io.reporadar.lb.LoadBalancer;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

// README example begins
@Component
class CatalogClient {

    private final RestClient catalog;
    private final LoadBalancer balancer;

    CatalogClient(RestClient.Builder builder, BalancedServices services) {
        this.catalog = builder.baseUrl("http://catalog").build(); // the service's name, not a host
        this.balancer = services.get("catalog").balancer();       // picks, requests in flight, health
    }

    @Nullable String item(String id) { // null for an empty body
        return catalog.get().uri("/api/items/{id}", id).retrieve().body(String.class);
    }

    long picks() {
        return balancer.picks();
    }
}
// README example ends
