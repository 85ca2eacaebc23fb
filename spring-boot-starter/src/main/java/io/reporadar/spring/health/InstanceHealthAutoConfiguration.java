package io.reporadar.spring.health;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.reporadar.core.Durations;
import io.reporadar.health.CheckSpec;
import io.reporadar.health.Checks;
import io.reporadar.health.GracefulShutdown;
import io.reporadar.health.Health;
import io.reporadar.health.micrometer.HealthMetrics;
import io.reporadar.session.SessionRedis;
import io.reporadar.session.SessionStores;
import io.reporadar.spring.DeploymentVariables;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Our {@link Health} in a Boot application: the application's {@link CheckSpec} beans plus, where the application
 * has them, {@code redis} (the session store's connection) and {@code postgres} (its {@link DataSource}), both critical
 * dependencies; run in the background, contributed to Actuator as {@code reporadar/<check>} and mapped into the
 * liveness and readiness probe groups; readiness follows the application's life (ready at
 * {@link ApplicationReadyEvent}, draining at shutdown, {@link DrainLifecycle}).
 */
@AutoConfiguration(afterName = {"io.reporadar.spring.session.SessionStoreAutoConfiguration",
        "io.reporadar.spring.pooling.PoolingAutoConfiguration"})
@ConditionalOnClass(Health.class)
@ConditionalOnBooleanProperty(name = "reporadar.health.enabled", matchIfMissing = true)
@EnableConfigurationProperties(InstanceHealthProperties.class)
public class InstanceHealthAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Health reporadarHealth(ObjectProvider<CheckSpec> checks, ObjectProvider<SessionStores.Opened> sessions,
            ObjectProvider<DataSource> dataSources) {
        Health.Builder health = Health.builder();
        checks.orderedStream().forEach(health::check);
        SessionStores.Opened opened = sessions.getIfUnique();
        SessionRedis redis = opened == null ? null : opened.redis();
        if (redis != null) {
            health.check(CheckSpec.dependency("redis", Checks.redis(redis::connection, Duration.ofMillis(500))).critical());
        }
        DataSource dataSource = dataSources.getIfUnique();
        if (dataSource != null) {
            health.check(CheckSpec.dependency("postgres", Checks.postgres(dataSource, Duration.ofSeconds(1))).critical());
        }
        return health.build().start();
    }

    /** Readiness follows the dependencies once the application is ready. */
    @Bean
    public ApplicationListener<ApplicationReadyEvent> reporadarHealthReady(Health health) {
        return event -> health.markReady();
    }

    @Bean
    @ConditionalOnMissingBean
    public DrainLifecycle reporadarDrain(Health health, ApplicationEventPublisher events, InstanceHealthProperties properties,
            Environment environment) {
        DeploymentVariables variables = new DeploymentVariables(environment)
                .put("DRAIN_DELAY", "reporadar.health.drain-delay", properties.getDrainDelay());
        Duration phaseTimeout = Objects.requireNonNull(Binder.get(environment)
                .bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class).orElse(Duration.ofSeconds(30)));
        Duration delay = variables.read("health", env -> {
            List<String> problems = new ArrayList<>();
            Duration d = Durations.fromEnvironment(env, "DRAIN_DELAY", GracefulShutdown.DEFAULT_DRAIN_DELAY, ChronoUnit.SECONDS, problems);
            if (problems.isEmpty() && d.compareTo(phaseTimeout) >= 0) {
                problems.add("DRAIN_DELAY: " + Durations.format(d) + " (expected: shorter than spring.lifecycle.timeout-per-shutdown-phase, "
                        + Durations.format(phaseTimeout) + ", or Spring ends the drain early)");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            return d;
        });
        return new DrainLifecycle(health, events, delay);
    }

    /** The drain waits only where a web server took requests. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(WebServerInitializedEvent.class)
    static class WebServerConfiguration {
        @Bean
        ApplicationListener<WebServerInitializedEvent> reporadarDrainServing(DrainLifecycle drain) {
            return event -> drain.serving();
        }
    }

    /** Our checks in Actuator, and in its probe groups. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({CompositeHealthContributor.class, HealthEndpointGroupsPostProcessor.class})
    static class ActuatorConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = CheckIndicators.NAME)
        CompositeHealthContributor reporadar(Health health) {
            return CheckIndicators.of(health);
        }

        @Bean
        HealthEndpointGroupsPostProcessor reporadarProbeGroups(Health health, Environment environment) {
            return new ProbeGroups(health, environment.getProperty("management.endpoint.health.probes.enabled", Boolean.class, true));
        }
    }

    /** Each check's status, runs and transitions as meters ({@code HealthMetrics}), bound by Boot to its registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class MetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean
        HealthMetrics reporadarHealthMetrics(Health health) {
            return new HealthMetrics(health);
        }
    }
}
