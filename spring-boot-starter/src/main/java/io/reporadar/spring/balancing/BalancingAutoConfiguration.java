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
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.client.RestClient;

/**
 * Balanced RestClients: the services of {@code reporadar.balancing.services.*} as {@link BalancedServices}, a
 * {@link BalancingInterceptor} over them, added last to every {@code RestClient.Builder} and
 * {@code RestTemplateBuilder} Boot makes, and with Micrometer, the {@code reporadar.lb.*} meters of each service's
 * balancer. Off with {@code reporadar.balancing.enabled=false}; an application's own {@link BalancedServices} or
 * {@link BalancingInterceptor} bean replaces this one.
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
