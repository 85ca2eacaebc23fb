package io.reporadar.spring.pooling;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reporadar.health.CheckSpec;
import io.reporadar.pooling.ConnectionBudgetException;
import io.reporadar.pooling.GuardedPool;
import io.reporadar.pooling.PoolSettings;
import io.reporadar.pooling.health.BudgetHealthCheck;
import io.reporadar.pooling.micrometer.PoolBudgetMetrics;
import io.reporadar.spring.DeploymentVariables;
import io.reporadar.spring.InvalidConfigurationException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The application's {@link DataSource} as a {@link GuardedPool}: HikariCP, sized from {@code reporadar.pooling.*}, the
 * deployment's variables or Boot's {@code spring.datasource.*}, and refused at start-up, with the arithmetic, when
 * {@code max x instances} would not fit the PostgreSQL server; checked again against the server every 30 s, and
 * shared between the live instances in the adaptive mode. Active when a PostgreSQL database is configured
 * ({@code DATABASE_URL} in libpq form, or a {@code jdbc:postgresql:} {@code spring.datasource.url}); runs before
 * Boot's DataSource configuration, which then backs off; an application's own DataSource wins.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass({HikariDataSource.class, GuardedPool.class})
@ConditionalOnBooleanProperty(name = "reporadar.pooling.enabled", matchIfMissing = true)
@Conditional(PoolingAutoConfiguration.PostgresConfigured.class)
@EnableConfigurationProperties(PoolingProperties.class)
public class PoolingAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PoolingAutoConfiguration.class);
    private static final String HIKARI = "spring.datasource.hikari.";

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean({DataSource.class, GuardedPool.class})
    public GuardedPool reporadarPool(PoolingProperties properties, Environment environment) throws SQLException {
        DeploymentVariables variables = variables(properties, environment);
        PoolSettings settings = variables.read("pooling", PoolSettings::fromEnvironment);
        List<String> ignored = ignoredHikariSettings(environment);
        if (!ignored.isEmpty()) {
            LOG.warn("ignored, the guarded pool does not read them: {} (set reporadar.pooling.enabled=false to keep Boot's own pool)", ignored);
        }
        try {
            return GuardedPool.open(settings);
        } catch (ConnectionBudgetException e) {
            throw new InvalidConfigurationException("pooling", List.of(variables.rename(String.valueOf(e.getMessage()))), e);
        }
    }

    @Bean
    @ConditionalOnMissingBean(DataSource.class)
    public DataSource dataSource(GuardedPool pool) {
        return pool.dataSource();
    }

    /** Boot's {@code spring.datasource.hikari.*} settings other than the four the pool reads. */
    static List<String> ignoredHikariSettings(Environment environment) {
        Set<String> read = Set.of("minimum-idle", "maximum-pool-size", "connection-timeout", "idle-timeout");
        Set<String> ignored = new TreeSet<>();
        if (environment instanceof ConfigurableEnvironment configurable) {
            for (PropertySource<?> source : configurable.getPropertySources()) {
                if (source instanceof EnumerablePropertySource<?> names) {
                    for (String name : names.getPropertyNames()) {
                        String canonical = name.toLowerCase(Locale.ROOT).replace('_', '.');
                        if (canonical.startsWith(HIKARI) && !read.contains(name.substring(HIKARI.length()))) {
                            ignored.add(name);
                        }
                    }
                }
            }
        }
        return List.copyOf(ignored);
    }

    /** Which property or variable each setting of the pool comes from. */
    static DeploymentVariables variables(PoolingProperties p, Environment environment) {
        String urlProperty = "reporadar.pooling.database-url";
        String url = p.getDatabaseUrl();
        if (url == null && environment.getProperty("DATABASE_URL") == null) {
            url = fromJdbc(environment);
            urlProperty = "spring.datasource.url";
        }
        return new DeploymentVariables(environment)
                .put("DATABASE_URL", urlProperty, url)
                .put("DB_POOL_MIN", "reporadar.pooling.min", p.getMin(), "spring.datasource.hikari.minimum-idle")
                .put("DB_POOL_MAX", "reporadar.pooling.max", p.getMax(), "spring.datasource.hikari.maximum-pool-size")
                .put("INSTANCE_COUNT", "reporadar.pooling.instances", p.getInstances())
                .put("INSTANCE_SURGE", "reporadar.pooling.surge", p.getSurge())
                .put("DB_OTHER_POOLS", "reporadar.pooling.other-pools", p.getOtherPools())
                .put("DB_RESERVED_CONNECTIONS", "reporadar.pooling.reserved-connections", p.getReservedConnections())
                .put("DB_MAX_CONNECTIONS", "reporadar.pooling.max-connections", p.getMaxConnections())
                .put("DB_POOL_POLICY", "reporadar.pooling.policy", p.getPolicy())
                .put("DB_POOL_CONNECTION_TIMEOUT", "reporadar.pooling.connection-timeout", p.getConnectionTimeout(),
                        "spring.datasource.hikari.connection-timeout")
                .put("DB_POOL_IDLE_TIMEOUT", "reporadar.pooling.idle-timeout", p.getIdleTimeout(), "spring.datasource.hikari.idle-timeout")
                .put("DB_POOL_ADAPTIVE", "reporadar.pooling.adaptive", p.getAdaptive())
                .put("DB_POOL_HEARTBEAT", "reporadar.pooling.heartbeat", p.getHeartbeat())
                .put("SERVICE_NAME", "reporadar.pooling.service-name", p.getServiceName(), "spring.application.name")
                .put("INSTANCE_ID", "reporadar.pooling.instance-id", p.getInstanceId())
                .passThrough("HOSTNAME");
    }

    /**
     * Boot's {@code spring.datasource.url} ({@code jdbc:postgresql://host:5432/db?sslmode=require}) with its username
     * and password, in libpq's form; {@code null} when it is not a PostgreSQL URL with a host.
     */
    static @Nullable String fromJdbc(Environment environment) {
        String jdbc = environment.getProperty("spring.datasource.url");
        String prefix = "jdbc:postgresql://";
        if (jdbc == null || !jdbc.strip().toLowerCase(Locale.ROOT).startsWith(prefix)) {
            return jdbc == null ? null : jdbc.strip();
        }
        String rest = jdbc.strip().substring(prefix.length());
        String user = environment.getProperty("spring.datasource.username");
        String password = environment.getProperty("spring.datasource.password");
        String credentials = "";
        if (user != null && !user.isBlank()) {
            credentials = encode(user) + (password == null || password.isEmpty() ? "" : ":" + encode(password)) + "@";
        }
        return "postgresql://" + credentials + rest;
    }

    private static String encode(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A PostgreSQL database is configured: {@code DATABASE_URL} (or its property), or a PostgreSQL JDBC URL. */
    static final class PostgresConfigured implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Environment env = context.getEnvironment();
            String jdbc = env.getProperty("spring.datasource.url", "");
            String url = env.getProperty("reporadar.pooling.database-url", env.getProperty("DATABASE_URL", ""));
            String scheme = url.strip().toLowerCase(Locale.ROOT);
            return scheme.startsWith("postgres://") || scheme.startsWith("postgresql://")
                    || jdbc.strip().toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:");
        }
    }

    /** The budget as a non-critical health check ({@code connection-budget}): a WARN, not a reason to leave rotation. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(CheckSpec.class)
    @ConditionalOnMissingBean(DataSource.class) // evaluated before this class's beans: only the application's count
    static class HealthConfiguration {
        @Bean
        CheckSpec reporadarConnectionBudgetCheck(GuardedPool pool) {
            return CheckSpec.dependency("connection-budget", BudgetHealthCheck.of(pool));
        }
    }

    /** The budget's meters ({@code PoolBudgetMetrics}), bound by Boot to its registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    @ConditionalOnMissingBean(DataSource.class)
    static class MetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean
        PoolBudgetMetrics reporadarPoolBudgetMetrics(GuardedPool pool) {
            return new PoolBudgetMetrics(pool);
        }
    }
}
