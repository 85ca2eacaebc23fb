package io.reporadar.spring.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reporadar.lb.Strategy;
import io.reporadar.testing.ReadmeExamples;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/** When the balancing part switches on, what it makes, and how a bad property stops start-up. */
class BalancingAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(RestClientAutoConfiguration.class, RestTemplateAutoConfiguration.class, BalancingAutoConfiguration.class));

    @RegisterExtension
    final TestInstances servers = TestInstances.of(2);

    private String instances() {
        return "reporadar.balancing.services.catalog.instances=" + servers.get(0).url() + "," + servers.get(1).url();
    }

    @Test
    void readmeExampleCallsTheServiceByName() {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/spring/balancing/CatalogClient.java"));
        runner.withPropertyValues(instances()).withUserConfiguration(CatalogClient.class).run(context -> {
            CatalogClient client = context.getBean(CatalogClient.class);
            assertThat(client.item("42")).endsWith(" GET /api/items/42");
            assertThat(client.item("43")).endsWith(" GET /api/items/43");
            assertThat(client.picks()).isEqualTo(2);
            assertThat(servers.get(0).received).hasSize(1);
            assertThat(servers.get(1).received).hasSize(1);
        });
    }

    @Test
    void balancesRestTemplatesFromBootsBuilderToo() {
        runner.withPropertyValues(instances()).run(context -> {
            String answer = context.getBean(RestTemplateBuilder.class).build().getForObject("http://catalog/t", String.class);
            assertThat(answer).endsWith(" GET /t");
        });
    }

    @Test
    void strategyAndWeightsFromTheProperties() {
        runner.withPropertyValues("reporadar.balancing.services.catalog.instances=http://10.0.0.1:8080,https://10.0.0.2 weight=3",
                "reporadar.balancing.services.catalog.strategy=power-of-two-choices").run(context -> {
                    BalancedService catalog = context.getBean(BalancedServices.class).get("catalog");
                    assertThat(catalog.balancer().strategy()).isEqualTo(Strategy.powerOfTwoChoices());
                    assertThat(catalog.instances()).hasToString("[10.0.0.1:8080, 10.0.0.2:443 weight=3]");
                    assertThat(catalog.maxAttempts()).isEqualTo(2);
                });
    }

    @Test
    void aBadInstanceStopsStartUpNamingTheProperty() {
        assertStartUpFails("reporadar.balancing.services.catalog.instances=http://10.0.0.1:8080,ftp://x",
                "reporadar.balancing.services.catalog.instances[1]: ftp://x (expected: an http or https URL");
        assertStartUpFails("reporadar.balancing.services.catalog.instances=http://10.0.0.1:8080/api",
                "reporadar.balancing.services.catalog.instances[0]: http://10.0.0.1:8080/api (expected: an http or https URL");
        assertStartUpFails("reporadar.balancing.services.catalog.instances=http://10.0.0.1:8080 weight=0",
                "reporadar.balancing.services.catalog.instances[0]: http://10.0.0.1:8080 weight=0 (weight: 0 (expected: >= 1))");
        assertStartUpFails("reporadar.balancing.services.catalog.instances=http://10.0.0.1:8080,http://10.0.0.1:8080",
                "reporadar.balancing.services.catalog.instances[1]: http://10.0.0.1:8080 (expected: each instance once)");
    }

    @Test
    void otherBadValuesStopStartUpNamingTheProperty() {
        assertStartUpFails(List.of("reporadar.balancing.services.catalog.instances=http://10.0.0.1:8080",
                "reporadar.balancing.services.catalog.strategy=fastest"),
                "reporadar.balancing.services.catalog.strategy: fastest (expected: one of [round_robin, least_conn, p2c");
        assertStartUpFails(List.of("reporadar.balancing.services.catalog.instances=http://10.0.0.1:8080",
                "reporadar.balancing.services.catalog.max-attempts=0"),
                "reporadar.balancing.services.catalog.max-attempts: 0 (expected: >= 1)");
        assertStartUpFails("reporadar.balancing.services.catalog.strategy=random",
                "reporadar.balancing.services.catalog.instances: [] (expected: at least one http or https URL)");
        assertStartUpFails(List.of("reporadar.balancing.services.catalog.instances=https://10.0.0.1:8443",
                "reporadar.balancing.services.catalog.health-check.enabled=true"),
                "reporadar.balancing.services.catalog.health-check.enabled: true (expected: false when instances speak https");
        assertStartUpFails(List.of("reporadar.balancing.services.catalog.instances=http://10.0.0.1:8080",
                "reporadar.balancing.services.catalog.health-check.enabled=true",
                "reporadar.balancing.services.catalog.health-check.path=health"),
                "reporadar.balancing.services.catalog.health-check.path: health (expected: an absolute path");
    }

    @Test
    void activeHealthChecksPollEachInstanceUntilTheContextCloses() throws InterruptedException {
        runner.withPropertyValues(instances(), "reporadar.balancing.services.catalog.health-check.enabled=true",
                "reporadar.balancing.services.catalog.health-check.interval=100ms").run(context -> {
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while ((servers.get(0).received.isEmpty() || servers.get(1).received.isEmpty()) && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertThat(servers.get(0).received).first().isEqualTo("GET /health/ready");
                    assertThat(servers.get(1).received).first().isEqualTo("GET /health/ready");
                });
        Thread.sleep(300); // a check sent just before the close may still land
        int polled = servers.get(0).received.size();
        Thread.sleep(500);
        assertThat(servers.get(0).received).hasSize(polled);
    }

    @Test
    void bindsTheBalancersMetersToTheRegistry() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class)).withPropertyValues(instances()).run(context -> {
                    context.getBean(RestClient.Builder.class).build().get().uri("http://catalog/m").retrieve().toBodilessEntity();
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.get("reporadar.lb.picks").tag("balancer", "catalog").tag("strategy", "least_conn")
                            .functionCounter().count()).isEqualTo(1.0);
                    assertThat(registry.get("reporadar.lb.endpoint.requests").tag("balancer", "catalog").tag("outcome", "success")
                            .functionCounters()).hasSize(2);
                });
    }

    @Test
    void anApplicationsOwnServicesReplaceTheConfiguredOnes() {
        runner.withPropertyValues(instances()).withUserConfiguration(OwnServices.class).run(context -> {
            assertThat(context).hasSingleBean(BalancedServices.class);
            BalancedServices services = context.getBean(BalancedServices.class);
            assertThat(services.forHost("catalog")).isNull();
            assertThat(services.get("search").instances()).hasToString("[127.0.0.1:1]");
            assertThat(context).hasSingleBean(BalancingInterceptor.class);
        });
    }

    @Test
    void offWhenDisabledOrWithoutRestClient() {
        runner.withPropertyValues(instances(), "reporadar.balancing.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(BalancedServices.class).doesNotHaveBean(BalancingInterceptor.class)
                    .doesNotHaveBean("balancingRestClientCustomizer");
        });
        runner.withPropertyValues(instances()).withClassLoader(new FilteredClassLoader(RestClient.class))
                .run(context -> assertThat(context).doesNotHaveBean(BalancedServices.class));
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BalancingAutoConfiguration.class))
                .withPropertyValues(instances())
                .withClassLoader(new FilteredClassLoader(RestClientCustomizer.class, WebClient.class, MeterBinder.class))
                .run(context -> assertThat(context).hasSingleBean(BalancingInterceptor.class)
                        .doesNotHaveBean("balancingRestClientCustomizer").doesNotHaveBean(BalancingExchangeFilter.class)
                        .doesNotHaveBean("balancingMeterBinder"));
    }

    private void assertStartUpFails(String property, String message) {
        assertStartUpFails(List.of(property), message);
    }

    private void assertStartUpFails(List<String> properties, String message) {
        runner.withPropertyValues(properties.toArray(String[]::new)).run((AssertableApplicationContext context) -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            while (failure != null && !(failure instanceof IllegalArgumentException)) {
                failure = failure.getCause();
            }
            assertThat(failure).as("the IllegalArgumentException among the causes of %s", context.getStartupFailure())
                    .isNotNull().message().startsWith(message);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnServices {
        @Bean
        BalancedServices ownServices() {
            return BalancedServices.from(BalancingInterceptorTest.properties("search", List.of("http://127.0.0.1:1")));
        }
    }
}
