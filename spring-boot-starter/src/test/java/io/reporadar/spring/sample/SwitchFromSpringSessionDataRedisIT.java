package io.reporadar.spring.sample;

import static io.reporadar.spring.sample.SampleApplicationIT.send;
import static io.reporadar.spring.sample.SampleApplicationIT.sessionCookie;
import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.spring.session.StoreSessionRepository;
import io.reporadar.testing.PostgresExtension;
import io.reporadar.testing.RedisExtension;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.session.SessionRepository;
import org.springframework.session.data.redis.RedisSessionRepository;

/**
 * The switch the README promises: the same application, unchanged, on Spring Session Data Redis and then on the
 * starter, by properties alone (both on the classpath; the starter's repository wins unless
 * {@code reporadar.session.enabled=false}). Both share sessions between instances; only the starter keeps the
 * session's contents unreadable in Redis.
 */
class SwitchFromSpringSessionDataRedisIT {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.freshDatabase();

    @BeforeEach
    void empty() {
        redis.server().flushAll();
    }

    /** Before the switch: Boot's own Spring Session Data Redis and DataSource (every part of the starter off). */
    static Map<String, Object> springSessionDataRedis() {
        Map<String, Object> properties = new HashMap<>(common());
        properties.put("reporadar.session.enabled", "false");
        properties.put("reporadar.pooling.enabled", "false");
        properties.put("reporadar.health.enabled", "false");
        return properties;
    }

    /** The application's own properties, kept across the switch. */
    static Map<String, Object> common() {
        return Map.of("spring.data.redis.url", redis.uri(), "spring.datasource.url", pg.database().jdbcUrl(),
                "spring.datasource.username", pg.database().user(), "reporadar.health.drain-delay", "0s");
    }

    /** After: the starter's parts on, and the two secrets the encrypted store needs. */
    static Map<String, Object> starter() {
        Map<String, Object> properties = new HashMap<>(common());
        properties.put("SESSION_SECRET", "a-sample-secret-of-at-least-32-characters");
        properties.put("SESSION_ENCRYPTION_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        return properties; // REDIS_URL is read from spring.data.redis.url, DATABASE_URL from spring.datasource.*
    }

    @Test
    void onSpringSessionDataRedisTheSessionIsSharedButReadableInRedis() throws Exception {
        try (ConfigurableApplicationContext a = SampleApplication.start(springSessionDataRedis());
             ConfigurableApplicationContext b = SampleApplication.start(springSessionDataRedis())) {
            assertThat(a.getBean(SessionRepository.class)).isInstanceOf(RedisSessionRepository.class);
            String cookie = loggedInOnBoth(a, b);
            assertThat(redisHolds("ada-lovelace")).isTrue(); // the attribute, in Java serialization, in plain sight
            loggedOutOnBoth(a, b, cookie);
        }
    }

    @Test
    void onTheStarterTheSameApplicationSharesSessionsAndRedisHoldsNothingReadable() throws Exception {
        try (ConfigurableApplicationContext a = SampleApplication.start(starter());
             ConfigurableApplicationContext b = SampleApplication.start(starter())) {
            assertThat(a.getBean(SessionRepository.class)).isInstanceOf(StoreSessionRepository.class);
            String cookie = loggedInOnBoth(a, b);
            assertThat(redisHolds("ada-lovelace")).isFalse();
            loggedOutOnBoth(a, b, cookie);
        }
    }

    /** Logs in on one instance and uses the session on both; the session cookie. */
    private static String loggedInOnBoth(ConfigurableApplicationContext a, ConfigurableApplicationContext b) throws Exception {
        String cookie = sessionCookie(send(a, "POST", "/login?user=ada-lovelace", null));
        assertThat(send(b, "GET", "/me", cookie).body()).isEqualTo("ada-lovelace");
        assertThat(send(a, "POST", "/visit", cookie).body()).isEqualTo("1");
        assertThat(send(b, "POST", "/visit", cookie).body()).isEqualTo("2");
        return cookie;
    }

    private static void loggedOutOnBoth(ConfigurableApplicationContext a, ConfigurableApplicationContext b, String cookie) throws Exception {
        send(b, "POST", "/logout", cookie);
        assertThat(send(a, "GET", "/me", cookie).statusCode()).isEqualTo(401);
    }

    /** Whether any value in Redis contains the text, as a dump of the server would show it. */
    private static boolean redisHolds(String text) {
        for (Object key : (List<?>) redis.server().call("KEYS", "*")) {
            String name = key instanceof byte[] bytes ? new String(bytes, StandardCharsets.ISO_8859_1) : String.valueOf(key);
            Object type = redis.server().call("TYPE", name);
            Object value = "hash".equals(String.valueOf(type)) ? redis.server().call("HGETALL", name)
                    : "string".equals(String.valueOf(type)) ? redis.server().call("GET", name) : null;
            if (value != null && flatten(value).contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static String flatten(Object value) {
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        if (value instanceof List<?> list) {
            StringBuilder all = new StringBuilder();
            list.forEach(v -> all.append(flatten(v)).append('\n'));
            return all.toString();
        }
        return String.valueOf(value);
    }
}
