package io.reporadar.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.reporadar.health.Health;
import io.reporadar.pooling.GuardedPool;
import io.reporadar.session.SessionStore;
import io.reporadar.spring.health.DrainLifecycle;
import io.reporadar.spring.health.InstanceHealthAutoConfiguration;
import io.reporadar.spring.pooling.PoolingAutoConfiguration;
import io.reporadar.spring.session.SessionStoreAutoConfiguration;
import io.reporadar.spring.session.SessionRequestFilter;
import io.reporadar.spring.session.StoreSessionRepository;
import io.reporadar.testing.RedisExtension;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.session.MapSessionRepository;
import org.springframework.session.SessionRepository;

/** Each part switches on by itself, off by property, and backs off before the application's own beans. */
class AutoConfigurationTest {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.shared();

    private WebApplicationContextRunner runner() {
        return new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class, PoolingAutoConfiguration.class,
                        InstanceHealthAutoConfiguration.class))
                .withPropertyValues("REDIS_URL=" + redis.uri(), "SESSION_SECRET=an-auto-configuration-secret-32-chars-long",
                        "SESSION_ENCRYPTION_KEY=" + "0123456789abcdef".repeat(4), "reporadar.health.drain-delay=0s");
    }

    /** The refusal in a start-up failure's causes, as Boot's failure analysis finds it. */
    static InvalidConfigurationException refusal(@Nullable Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidConfigurationException refusal) {
                return refusal;
            }
        }
        throw new AssertionError("no InvalidConfigurationException in " + failure, failure);
    }

    @Test
    void sessionsComeFromOurStoreAndHealthHasTheRedisCheck() {
        runner().run(context -> {
            assertThat(context).hasSingleBean(StoreSessionRepository.class).hasSingleBean(SessionStore.class)
                    .hasSingleBean(DrainLifecycle.class).doesNotHaveBean(GuardedPool.class); // no database configured
            assertThat(context.getBean(Health.class).checkNames()).containsExactly("redis");
        });
    }

    @Test
    void theApplicationsOwnRepositoryWins() {
        runner().withBean(SessionRepository.class, () -> new MapSessionRepository(new ConcurrentHashMap<String, org.springframework.session.Session>()))
                .run(context -> assertThat(context).doesNotHaveBean(StoreSessionRepository.class).hasSingleBean(SessionRepository.class)
                        .doesNotHaveBean(SessionStore.class).doesNotHaveBean(SessionRequestFilter.class)); // no Redis, no secrets needed
    }

    @Test
    void theApplicationsOwnDataSourceWinsOverAConfiguredDatabase() {
        runner().withPropertyValues("DATABASE_URL=postgresql://app@db.invalid:5432/app")
                .withBean(DataSource.class, HikariDataSource::new)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(GuardedPool.class).hasSingleBean(DataSource.class));
    }

    @Test
    void eachPartSwitchesOffByProperty() {
        runner().withPropertyValues("reporadar.session.enabled=false", "reporadar.health.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(SessionStore.class).doesNotHaveBean(Health.class)
                        .doesNotHaveBean(DrainLifecycle.class));
    }

    @Test
    void theDrainDelayMustEndWithinSpringsShutdownPhase() {
        runner().withPropertyValues("reporadar.health.drain-delay=40s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(refusal(context.getStartupFailure())).hasMessageContaining("reporadar.health.drain-delay (DRAIN_DELAY): 40s")
                    .hasMessageContaining("spring.lifecycle.timeout-per-shutdown-phase, 30s");
        });
        runner().withPropertyValues("reporadar.health.drain-delay=", "DRAIN_DELAY=40s", "spring.lifecycle.timeout-per-shutdown-phase=60s")
                .run(context -> assertThat(context.getBean(DrainLifecycle.class).drainDelay()).isEqualTo(Duration.ofSeconds(40)));
    }

    @Test
    void aPostgresJdbcUrlFromSpringDatasourceIsReadInLibpqForm() {
        runner().withPropertyValues("spring.datasource.url=jdbc:postgresql://db.invalid:5432/app?sslmode=prefer&bogus=1",
                "spring.datasource.username=app", "reporadar.pooling.max-connections=100").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(refusal(context.getStartupFailure())).hasMessageContaining("spring.datasource.url (DATABASE_URL)")
                            .hasMessageContaining("bogus");
                });
    }
}
