package io.reporadar.spring.balancing;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.reporadar.lb.micrometer.LoadBalancerMetrics;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Balanced HTTP clients: the services of {@code reporadar.balancing.services.*} as {@link BalancedServices}, a
 * {@link BalancingInterceptor} over them, added last to every {@code RestClient.Builder} and
 * {@code RestTemplateBuilder} Boot makes, a {@link BalancingExchangeFilter} added last to every
 * {@code WebClient.Builder}, and with Micrometer, the {@code reporadar.lb.*} meters of each service's balancer.
 * Off with {@code reporadar.balancing.enabled=false}; an application's own {@link BalancedServices} or
 * {@link BalancingInterceptor} or {@link BalancingExchangeFilter} bean replaces the auto-configured one.
 */
@AutoConfiguration
@ConditionalOnClass(RestClient.class)
@ConditionalOnBooleanProperty(name = "reporadar.balancing.enabled", matchIfMissing = true)
@EnableConfigurationProperties(BalancingProperties.class)
public class BalancingAutoConfiguration {

    /** The configured services; start-up fails, naming the property, on a value that cannot be used. */
    @Bean
    @ConditionalOnMissingBean
    public BalancedServices balancedServices(BalancingProperties properties) {
        return BalancedServices.from(properties);
    }

    @Bean
    @ConditionalOnMissingBean
    public BalancingInterceptor balancingInterceptor(BalancedServices services) {
        return new BalancingInterceptor(services);
    }

    /** Adds the interceptor to Boot's builders, after the application's own interceptors (closest to the wire). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RestClientCustomizer.class)
    static class BuilderCustomizers {

        @Bean
        @ConditionalOnMissingBean(name = "balancingRestClientCustomizer")
        @Order(Ordered.LOWEST_PRECEDENCE)
        RestClientCustomizer balancingRestClientCustomizer(BalancingInterceptor interceptor) {
            return builder -> builder.requestInterceptor(interceptor);
        }

        @Bean
        @ConditionalOnMissingBean(name = "balancingRestTemplateCustomizer")
        @Order(Ordered.LOWEST_PRECEDENCE)
        RestTemplateCustomizer balancingRestTemplateCustomizer(BalancingInterceptor interceptor) {
            return restTemplate -> restTemplate.getInterceptors().add(interceptor);
        }
    }

    /** The same balancing for every {@code WebClient.Builder} Boot makes, as the innermost filter. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({WebClient.class, WebClientCustomizer.class})
    static class WebClientBalancing {

        @Bean
        @ConditionalOnMissingBean
        BalancingExchangeFilter balancingExchangeFilter(BalancedServices services) {
            return new BalancingExchangeFilter(services);
        }

        @Bean
        @ConditionalOnMissingBean(name = "balancingWebClientCustomizer")
        @Order(Ordered.LOWEST_PRECEDENCE)
        WebClientCustomizer balancingWebClientCustomizer(BalancingExchangeFilter filter) {
            return builder -> builder.filter(filter);
        }
    }

    /** The meters of {@link LoadBalancerMetrics} for each service (tag {@code balancer} = the service's name). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean(name = "balancingMeterBinder")
        MeterBinder balancingMeterBinder(BalancedServices services) {
            return registry -> services.all()
                    .forEach(service -> new LoadBalancerMetrics(service.balancer(), service.name()).bindTo(registry));
        }
    }
}
