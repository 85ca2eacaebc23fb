package io.reporadar.spring.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.health.CheckSpec;
import io.reporadar.health.Result;
import io.reporadar.spring.sample.SampleApplication;
import io.reporadar.spring.sample.SampleApplicationIT;
import io.reporadar.testing.PostgresExtension;
import io.reporadar.testing.ReadmeExamples;
import io.reporadar.testing.RedisExtension;
import jakarta.servlet.http.HttpSession;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

class ReadmeExampleIT {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.freshDatabase();

    /** What the example's application asks of its search service. */
    interface SearchIndex {
        boolean ping();
    }

    @Test
    void theReadmeShowsTheExampleAndItRuns() throws Exception {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/spring/readme/ReadmeExampleIT.java"));
        Map<String, Object> properties = new HashMap<>(SampleApplicationIT.deployment(redis.uri(), pg.database().url()));
        properties.put("reporadar.health.drain-delay", "0s");
        try (ConfigurableApplicationContext app = SampleApplication.start(SearchConfiguration.class, properties)) {
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            HttpResponse<String> added = SampleApplicationIT.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/cart?item=book"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(added.body()).isEqualTo("added book");
            assertThat(SampleApplicationIT.sessionCookie(added)).startsWith("SESSION=");
            HttpResponse<String> health = SampleApplicationIT.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("\"search\"").contains("\"redis\"").contains("\"postgres\"");
        }
    }

    /** The example's application with the search service it needs. */
    @Configuration(proxyBeanMethods = false)
    @Import(CatalogApplication.class)
    static class SearchConfiguration {
        @Bean
        SearchIndex searchIndex() {
            return () -> true;
        }
    }

    // README example begins
    @SpringBootApplication
    static class CatalogApplication {

        @Bean   // one more background check: /actuator/health/reporadar/search, and in the readiness probe (critical)
        CheckSpec search(SearchIndex index) {
            return CheckSpec.dependency("search", () -> index.ping() ? Result.up() : Result.down("no answer")).critical();
        }

        @RestController
        static class CartController {
            @PostMapping("/cart")
            String add(@RequestParam String item, HttpSession session) {   // plain HttpSession, encrypted in Redis
                session.setAttribute("cart", item);   // only the attributes a request changed are written
                return "added " + item;
            }
        }
    }
    // README example ends
}
