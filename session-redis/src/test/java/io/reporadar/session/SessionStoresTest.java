package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start-up configuration: every problem named by its variable, no secret echoed, and the in-memory choice. */
class SessionStoresTest {

    private static final String SECRET = RedisSessionStoreIT.SECRET;

    @Test
    void everyProblemIsReportedAtOnceByVariableName() {
        Map<String, String> env = Map.of("USE_REDIS_SESSIONS", "yes", "SESSION_SECRET", "short-secret-value",
                "SESSION_ENCRYPTION_KEY", "abc", "SESSION_IDLE_TIMEOUT", "soon", "SESSION_ABSOLUTE_TIMEOUT", "0", "SESSION_DURABILITY", "disk",
                "REDIS_PROMOTION_GUARD", "maybe");
        assertThatThrownBy(() -> SessionStores.fromEnvironment(env, SessionCodec.allowing()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("USE_REDIS_SESSIONS: yes (expected: true or false)")
                .hasMessageContaining("SESSION_SECRET: 18 characters")
                .hasMessageContaining("SESSION_ENCRYPTION_KEY: 3 characters")
                .hasMessageContaining("SESSION_IDLE_TIMEOUT: 'soon' is not a duration")
                .hasMessageContaining("SESSION_ABSOLUTE_TIMEOUT: 0")
                .hasMessageContaining("REDIS_URL: missing")
                .hasMessageContaining("SESSION_DURABILITY: disk (expected: master, replica or replica-required)")
                .hasMessageContaining("REDIS_PROMOTION_GUARD: maybe (expected: true or false)")
                .message().doesNotContain("short-secret-value");
    }

    @Test
    void timeoutsTakeAUnitAndABareNumberIsStillSeconds() {
        for (String idle : new String[] {"15m", "900", "900s", "PT15M"}) {
            try (SessionStores.Opened opened = SessionStores.fromEnvironment(Map.of("USE_REDIS_SESSIONS", "false",
                    "SESSION_SECRET", SECRET, "SESSION_IDLE_TIMEOUT", idle, "SESSION_ABSOLUTE_TIMEOUT", "2h"), SessionCodec.allowing())) {
                assertThat(opened.store().idleTimeout()).as(idle).isEqualTo(java.time.Duration.ofMinutes(15));
                assertThat(opened.store().absoluteTimeout()).isEqualTo(java.time.Duration.ofHours(2));
            }
        }
        assertThatThrownBy(() -> SessionStores.fromEnvironment(Map.of("USE_REDIS_SESSIONS", "false", "SESSION_SECRET", SECRET,
                "SESSION_IDLE_TIMEOUT", "2h", "SESSION_ABSOLUTE_TIMEOUT", "1h"), SessionCodec.allowing()))
                .hasMessageContaining("SESSION_ABSOLUTE_TIMEOUT: 1h (expected: at least SESSION_IDLE_TIMEOUT, 2h)");
    }

    @Test
    void withoutRedisTheStoreLivesInMemoryAndNeedsNoEncryptionKey() {
        try (SessionStores.Opened opened = SessionStores.fromEnvironment(
                Map.of("USE_REDIS_SESSIONS", "false", "SESSION_SECRET", SECRET), SessionCodec.allowing())) {
            SessionStore store = opened.store();
            assertThat(store).isInstanceOf(InMemorySessionStore.class);
            assertThat(opened.redis()).isNull();

            Session session = store.create();
            session.set("user", "ada");
            store.save(session);
            String cookie = store.cookieValue(session);
            assertThat(store.load(cookie).get("user", String.class)).isEqualTo("ada");

            store.changeId(session);
            store.save(session);
            assertThat(store.load(store.cookieValue(session)).get("user", String.class)).isEqualTo("ada");

            store.invalidate(session);
            assertThat(store.load(store.cookieValue(session)).isNew()).isTrue();
            assertThat(store.load("forged.cookie").isNew()).isTrue();
        }
    }

    /** CI: Lettuce reported one Sentinel's refusal as "Connection closed prematurely"; another's said WRONGPASS. */
    @Test
    void aSentinelsRefusalIsNamedWhereverAmongTheFailuresItIs() {
        io.lettuce.core.RedisException disagreement = new io.lettuce.core.RedisException(
                "the Sentinels do not agree on the master of master (most of the 3 must name it): named {}, 3 did not answer",
                new io.lettuce.core.RedisConnectionException("Unable to connect", new io.lettuce.core.RedisConnectionException("Connection closed prematurely")));
        disagreement.addSuppressed(new io.lettuce.core.RedisConnectionException("Unable to connect",
                new io.lettuce.core.RedisCommandExecutionException("WRONGPASS invalid username-password pair or user is disabled.")));
        SessionStoreUnavailableException failure = new SessionStoreUnavailableException("sentinel-master", disagreement);

        assertThat(ConnectFailures.refusedPassword(failure, true, true))
                .isEqualTo("REDIS_SENTINEL_PASSWORD: the Sentinels refused it (expected: their requirepass)");
        assertThat(ConnectFailures.refusedPassword(failure, true, false))
                .isEqualTo("REDIS_SENTINEL_PASSWORD: the Sentinels refused to answer without it (expected: their requirepass)");
        assertThat(ConnectFailures.refusedPassword(java.util.Objects.requireNonNull(disagreement.getCause()), true, true)).as("no refusal among them").isNull();
    }
}
