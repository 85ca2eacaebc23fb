package io.reporadar.spring.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/** The same rules through a WebClient built from Boot's builder, against real servers. */
class BalancingExchangeFilterTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(WebClientAutoConfiguration.class, BalancingAutoConfiguration.class));

    @RegisterExtension
    final TestInstances servers = TestInstances.of(2);

    @Test
    void spreadsRequestsAndLeavesOtherHostsAlone() {
        withCatalog(List.of(servers.get(0).url(), servers.get(1).url()), "round_robin", web -> {
            for (int i = 0; i < 4; i++) {
                assertThat(get(web, "http://catalog/items?page=" + i, null)).endsWith("GET /items?page=" + i);
            }
            assertThat(servers.get(0).received).hasSize(2);
            assertThat(servers.get(1).received).hasSize(2);
            assertThat(get(web, servers.get(0).url() + "/direct", null)).isEqualTo("instance-1 GET /direct");
        });
    }

    @Test
    void retriesAGetButNotAPostWhenAnInstanceIsDown() throws IOException {
        String down = TestInstances.downUrl();
        List<String> urls = List.of(down, servers.get(0).url());
        String key = TestInstances.keyPicking(down, urls);
        withCatalog(urls, "hash_consistent", web -> {
            assertThat(get(web, "http://catalog/a", key)).isEqualTo("instance-1 GET /a");
            // A fresh context for the POST: the failure above took the instance that is down out for 10 s.
        });
        withCatalog(urls, "hash_consistent", web -> {
            assertThatThrownBy(() -> web.post().uri("http://catalog/orders").attribute(BalancingInterceptor.HASH_KEY, key)
                    .bodyValue("order").retrieve().toBodilessEntity().block(WAIT))
                    .isInstanceOf(WebClientRequestException.class);
            assertThat(servers.get(0).received).containsExactly("GET /a");
        });
    }

    @Test
    void retriesAGetThatMetA503() {
        servers.get(0).status = 503;
        List<String> urls = List.of(servers.get(0).url(), servers.get(1).url());
        String key = TestInstances.keyPicking(servers.get(0).url(), urls);
        withCatalog(urls, "hash_consistent", web -> {
            assertThat(get(web, "http://catalog/a", key)).isEqualTo("instance-2 GET /a");
            assertThat(servers.get(0).received).containsExactly("GET /a");
        });
    }

    private static String get(WebClient web, String uri, @Nullable String key) {
        WebClient.RequestHeadersSpec<?> request = web.get().uri(uri);
        if (key != null) {
            request = request.attribute(BalancingInterceptor.HASH_KEY, key);
        }
        return String.valueOf(request.retrieve().bodyToMono(String.class).block(WAIT));
    }

    private void withCatalog(List<String> urls, String strategy, Consumer<WebClient> test) {
        runner.withPropertyValues("reporadar.balancing.services.catalog.instances=" + String.join(",", urls),
                "reporadar.balancing.services.catalog.strategy=" + strategy).run(context -> {
                    assertThat(context).hasNotFailed();
                    test.accept(context.getBean(WebClient.Builder.class).build());
                });
    }
}
