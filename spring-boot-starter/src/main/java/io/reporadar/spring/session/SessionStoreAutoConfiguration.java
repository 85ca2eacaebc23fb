package io.reporadar.spring.session;

import io.micrometer.core.instrument.MeterRegistry;
import io.reporadar.session.SessionCodec;
import io.reporadar.session.SessionObserver;
import io.reporadar.session.SessionStore;
import io.reporadar.session.SessionStores;
import io.reporadar.session.micrometer.SessionMetrics;
import io.reporadar.spring.DeploymentVariables;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.session.autoconfigure.DefaultCookieSerializerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.session.SessionRepository;
import org.springframework.session.config.annotation.web.http.SpringHttpSessionConfiguration;
import org.springframework.session.web.http.SessionRepositoryFilter;

/**
 * Spring Session on our encrypted store: a {@link StoreSessionRepository} for servlet applications, configured from
 * {@code reporadar.session.*} or the deployment's variables ({@link SessionProperties}). Runs before Boot's Spring
 * Session configurations, so it replaces Spring Session Data Redis when both are on the classpath. An application's
 * own {@link SessionRepository} turns the whole part off (no store, no Redis connection, no cookie change); its own
 * {@link SessionStore} is used by the repository.
 */
@AutoConfiguration(beforeName = {"org.springframework.boot.session.autoconfigure.SessionAutoConfiguration",
        "org.springframework.boot.session.data.redis.autoconfigure.SessionDataRedisAutoConfiguration"})
@ConditionalOnClass({SessionRepository.class, SessionStore.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBooleanProperty(name = "reporadar.session.enabled", matchIfMissing = true)
@ConditionalOnMissingBean(SessionRepository.class)
@EnableConfigurationProperties(SessionProperties.class)
public class SessionStoreAutoConfiguration {

    /** The store the properties and variables ask for; closed (with its Redis connections) at shutdown. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean({SessionStore.class, SessionStores.Opened.class})
    public SessionStores.Opened reporadarSessionStores(SessionProperties properties, Environment environment,
            ObjectProvider<SessionObserver> observer) {
        DeploymentVariables variables = variables(properties, environment);
        List<Class<?>> types = new ArrayList<>(List.of(Locale.class)); // SessionLocaleResolver's attribute
        types.addAll(properties.getAllowedTypes());
        SessionCodec codec = SessionCodec.allowing(types.toArray(Class<?>[]::new));
        return variables.read("session", env -> SessionStores.fromEnvironment(env, codec, observer.getIfAvailable(() -> SessionObserver.NONE)));
    }

    @Bean
    @ConditionalOnMissingBean
    public SessionStore reporadarSessionStore(SessionStores.Opened opened) {
        return opened.store();
    }

    @Bean
    @ConditionalOnMissingBean(SessionRepository.class)
    public StoreSessionRepository sessionRepository(SessionStore store) {
        return new StoreSessionRepository(store);
    }

    @Bean
    @ConditionalOnMissingBean
    public SessionRequestFilter reporadarSessionRequestFilter(Environment environment) {
        // Just outside Spring Session's filter, wherever spring.session.servlet.filter-order put it.
        int sessionFilterOrder = environment.getProperty("spring.session.servlet.filter-order", Integer.class, SessionRepositoryFilter.DEFAULT_ORDER);
        return new SessionRequestFilter(sessionFilterOrder - 1);
    }

    /** Which property or variable each setting of the session store comes from. */
    static DeploymentVariables variables(SessionProperties p, Environment environment) {
        return new DeploymentVariables(environment)
                .put("USE_REDIS_SESSIONS", "reporadar.session.use-redis", p.getUseRedis())
                .put("REDIS_URL", "reporadar.session.redis-url", p.getRedisUrl(), "spring.data.redis.url")
                .put("REDIS_SENTINEL_PASSWORD", "reporadar.session.sentinel-password", p.getSentinelPassword())
                .put("SESSION_SECRET", "reporadar.session.secret", p.getSecret())
                .put("SESSION_SECRET_PREVIOUS", "reporadar.session.secret-previous", p.getSecretPrevious())
                .put("SESSION_COOKIE_FORMAT", "reporadar.session.cookie-format", p.getCookieFormat())
                .put("SESSION_ENCRYPTION_KEY", "reporadar.session.encryption-key", p.getEncryptionKey())
                .put("SESSION_ENCRYPTION_KEY_PREVIOUS", "reporadar.session.encryption-key-previous", p.getEncryptionKeyPrevious())
                .put("SESSION_IDLE_TIMEOUT", "reporadar.session.idle-timeout", p.getIdleTimeout(), "spring.session.timeout",
                        "server.servlet.session.timeout")
                .put("SESSION_ABSOLUTE_TIMEOUT", "reporadar.session.absolute-timeout", p.getAbsoluteTimeout())
                .put("SESSION_DURABILITY", "reporadar.session.durability", p.getDurability())
                .put("REDIS_PROMOTION_GUARD", "reporadar.session.promotion-guard", p.getPromotionGuard());
    }

    /** Spring Session's filter, when the application did not enable it itself. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(SessionRepositoryFilter.class)
    @Import(SpringHttpSessionConfiguration.class)
    static class FilterConfiguration {
    }

    /**
     * The cookie carries the signed value as it is (no Base64 around it), the same cookie our servlet filter and
     * express-session write: Boot, plain-servlet and Node instances can share sessions.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(DefaultCookieSerializerCustomizer.class)
    static class CookieConfiguration {
        @Bean
        DefaultCookieSerializerCustomizer reporadarSignedCookieValue() {
            return serializer -> serializer.setUseBase64Encoding(false);
        }
    }

    /** The store's meters in the application's registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class MetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean(SessionObserver.class)
        SessionObserver reporadarSessionMetrics(ObjectProvider<MeterRegistry> registry) {
            MeterRegistry meters = registry.getIfAvailable();
            return meters == null ? SessionObserver.NONE : new SessionMetrics(meters);
        }
    }
}
