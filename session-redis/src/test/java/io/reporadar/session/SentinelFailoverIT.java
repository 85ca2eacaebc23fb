package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.RedisServer;
import io.reporadar.testing.RedisSentinelTopology;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Sessions through {@code redis-sentinel://}: a user stays logged in when the master dies and a replica takes over. */
class SentinelFailoverIT {

    @Test
    void aSessionSurvivesTheMastersDeathAndTheStoreFollowsThePromotedReplica() {
        try (RedisSentinelTopology redis = RedisSentinelTopology.builder().downAfter(Duration.ofSeconds(1))
                .failoverTimeout(Duration.ofSeconds(3)).start();
             SessionStores.Opened opened = SessionStores.fromEnvironment(Map.of("REDIS_URL", redis.sentinelUri(),
                     "SESSION_SECRET", RedisSessionStoreIT.SECRET, "SESSION_ENCRYPTION_KEY", RedisSessionStoreIT.KEY_1),
                     SessionCodec.allowing())) {
            SessionStore store = opened.store();
            Session login = store.create();
            login.set("user", "ada");
            store.save(login);
            String cookie = store.cookieValue(login);
            Awaitility.await("the session replicated").atMost(10, TimeUnit.SECONDS)
                    .until(() -> ((Number) redis.replica().call("DBSIZE")).longValue() == 1);

            redis.master().kill();
            long killed = System.nanoTime();
            RedisServer promoted = redis.awaitFailover(Duration.ofSeconds(30));
            assertThat(promoted).isSameAs(redis.replica());

            Awaitility.await("the store to read from the promoted replica").atMost(30, TimeUnit.SECONDS)
                    .pollInterval(Duration.ofMillis(100)).ignoreException(SessionStoreUnavailableException.class)
                    .until(() -> "ada".equals(store.load(cookie).get("user", String.class)));
            long recoveredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);

            Session later = store.load(cookie);
            later.set("cart", "3 items");
            store.save(later);
            assertThat(store.load(cookie).get("cart", String.class)).isEqualTo("3 items");
            System.out.println("session store recovered " + recoveredMillis + " ms after the master was killed");
        }
    }
}
