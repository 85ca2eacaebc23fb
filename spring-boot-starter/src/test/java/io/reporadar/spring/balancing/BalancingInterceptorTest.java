package io.reporadar.spring.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import io.reporadar.lb.Strategy;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.MediaType;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/** The interceptor's picks and retries, through a RestClient built from Boot's builder, against real servers. */
class BalancingInterceptorTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RestClientAutoConfiguration.class, BalancingAutoConfiguration.class));

    @RegisterExtension
    final TestInstances servers = TestInstances.of(3);

    @Test
    void spreadsRequestsOverTheInstancesKeepingPathAndQuery() {
        withCatalog(List.of(servers.get(0).url(), servers.get(1).url(), servers.get(2).url()), "round_robin", rest -> {
            for (int i = 0; i < 30; i++) {
                assertThat(rest.get().uri("http://catalog/api/items?page={p}", i).retrieve().body(String.class))
                        .endsWith("GET /api/items?page=" + i);
            }
            assertThat(servers.instances).allSatisfy(instance -> assertThat(instance.received).hasSize(10));
        });
    }

    @Test
    void leastConnectionsByDefaultAndTheStatsShowTheRequests() {
        withCatalog(List.of(servers.get(0).url(), servers.get(1).url()), null, rest -> {
            for (int i = 0; i < 10; i++) {
                rest.get().uri("http://catalog/").retrieve().toBodilessEntity();
            }
            assertThat(servers.get(0).received).hasSize(5);
            assertThat(servers.get(1).received).hasSize(5);
        });
        runner.withPropertyValues("reporadar.balancing.services.catalog.instances=" + servers.get(0).url())
                .run(context -> {
                    BalancedService catalog = context.getBean(BalancedServices.class).get("catalog");
                    assertThat(catalog.balancer().strategy()).isEqualTo(Strategy.leastConnections());
                    context.getBean(RestClient.Builder.class).build().get().uri("http://CATALOG/x").retrieve().toBodilessEntity();
                    LoadBalancer balancer = catalog.balancer();
                    assertThat(balancer.picks()).isEqualTo(1);
                    assertThat(Objects.requireNonNull(balancer.stats(balancer.endpoints().get(0))).successes()).isEqualTo(1);
                });
    }

    @Test
    void retriesAnIdempotentRequestOnAnotherInstanceWhenOneIsDown() throws IOException {
        withOneDown((rest, key) -> {
            assertThat(rest.get().uri("http://catalog/a").attribute(BalancingInterceptor.HASH_KEY, key).retrieve().body(String.class))
                    .isEqualTo("instance-1 GET /a");
            assertThat(rest.put().uri("http://catalog/b").attribute(BalancingInterceptor.HASH_KEY, key)
                    .contentType(MediaType.TEXT_PLAIN).body("put body").retrieve().body(String.class))
                    .isEqualTo("instance-1 PUT /b put body");
        });
    }

    @Test
    void neverRepeatsAPostThatMetAnInstanceDown() throws IOException {
        withOneDown((rest, key) -> {
            assertThatThrownBy(() -> rest.post().uri("http://catalog/orders").attribute(BalancingInterceptor.HASH_KEY, key)
                    .contentType(MediaType.TEXT_PLAIN).body("order").retrieve().toBodilessEntity())
                    .isInstanceOf(ResourceAccessException.class);
            assertThat(servers.get(0).received).isEmpty();
        });
    }

    @Test
    void retriesAGetThatMetA503AndReturnsThe503OfAPost() {
        servers.get(0).status = 503;
        List<String> urls = List.of(servers.get(0).url(), servers.get(1).url());
        String key = TestInstances.keyPicking(servers.get(0).url(), urls);
        withCatalog(urls, "hash_consistent", rest -> {
            assertThat(rest.get().uri("http://catalog/a").attribute(BalancingInterceptor.HASH_KEY, key).retrieve().body(String.class))
                    .isEqualTo("instance-2 GET /a");
            assertThat(servers.get(0).received).containsExactly("GET /a");
            assertThat(servers.get(1).received).containsExactly("GET /a");
        });
        // A fresh balancer: the 503 above took instance-1 out for nginx's fail_timeout.
        withCatalog(urls, "hash_consistent", rest -> {
            int status = rest.post().uri("http://catalog/b").attribute(BalancingInterceptor.HASH_KEY, key)
                    .contentType(MediaType.TEXT_PLAIN).body("x").exchange((request, response) -> response.getStatusCode().value());
            assertThat(status).isEqualTo(503);
            assertThat(servers.get(0).received).containsExactly("GET /a", "POST /b x");
            assertThat(servers.get(1).received).containsExactly("GET /a");
        });
    }

    @Test
    void answersTheLast503WhenEveryAttemptMetOne() {
        servers.get(0).status = 503;
        servers.get(1).status = 503;
        withCatalog(List.of(servers.get(0).url(), servers.get(1).url()), "round_robin", rest -> {
            int status = rest.get().uri("http://catalog/a").exchange((request, response) -> response.getStatusCode().value());
            assertThat(status).isEqualTo(503);
            assertThat(servers.get(0).received.size() + servers.get(1).received.size()).isEqualTo(2);
        });
    }

    @Test
    void sendsOnceWhenMaxAttemptsIsOne() throws IOException {
        withOneDown((rest, key) -> assertThatThrownBy(() -> rest.get().uri("http://catalog/a")
                .attribute(BalancingInterceptor.HASH_KEY, key).retrieve().toBodilessEntity())
                .isInstanceOf(ResourceAccessException.class), "reporadar.balancing.services.catalog.max-attempts=1");
    }

    @Test
    void leavesOtherHostsAlone() {
        withCatalog(List.of(servers.get(1).url()), "round_robin", rest -> {
            assertThat(rest.get().uri(servers.get(0).url() + "/direct?q=1").retrieve().body(String.class))
                    .isEqualTo("instance-1 GET /direct?q=1");
            assertThat(servers.get(1).received).isEmpty();
        });
    }

    @Test
    void rewritesSchemeHostAndPortOnly() {
        BalancedService service = BalancedServices.from(properties("catalog", List.of("https://10.0.0.1:8443"))).get("catalog");
        Endpoint endpoint = service.instances().get(0);
        assertThat(service.uriOn(endpoint, URI.create("http://catalog/api/a%20b?x=1&y=%2F")))
                .isEqualTo(URI.create("https://10.0.0.1:8443/api/a%20b?x=1&y=%2F"));
        assertThat(service.uriOn(endpoint, URI.create("http://catalog"))).isEqualTo(URI.create("https://10.0.0.1:8443/"));
    }

    static BalancingProperties properties(String name, List<String> instances) {
        BalancingProperties properties = new BalancingProperties();
        BalancingProperties.Service service = new BalancingProperties.Service();
        service.setInstances(instances);
        properties.getServices().put(name, service);
        return properties;
    }

    private void withCatalog(List<String> urls, @Nullable String strategy, Consumer<RestClient> test, String... more) {
        runner.withPropertyValues(catalog(urls, strategy)).withPropertyValues(more).run(context -> {
            assertThat(context).hasNotFailed();
            test.accept(context.getBean(RestClient.Builder.class).build());
        });
    }

    /** Runs {@code test} with the catalog on a port nothing listens on and instance-1, and a hash key that picks the one down. */
    private void withOneDown(BiConsumer<RestClient, String> test, String... more) throws IOException {
        String down = TestInstances.downUrl();
        List<String> urls = List.of(down, servers.get(0).url());
        String key = TestInstances.keyPicking(down, urls);
        withCatalog(urls, "hash_consistent", rest -> test.accept(rest, key), more);
    }

    private static String[] catalog(List<String> urls, @Nullable String strategy) {
        List<String> values = new ArrayList<>();
        values.add("reporadar.balancing.services.catalog.instances=" + String.join(",", urls));
        if (strategy != null) {
            values.add("reporadar.balancing.services.catalog.strategy=" + strategy);
        }
        return values.toArray(String[]::new);
    }
}
