package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.ReadmeExamples;
import io.reporadar.testing.RedisExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReadmeExampleIT {

    @RegisterExtension
    static final RedisExtension redisServer = RedisExtension.shared();

    @Test
    void theReadmeShowsTheExampleBelowAndItRuns() {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/session/ReadmeExampleIT.java"));
        Map<String, String> env = Map.of("REDIS_URL", redisServer.uri(),
                "SESSION_SECRET", "a-session-secret-of-at-least-32-characters",
                "SESSION_ENCRYPTION_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        String cookieFromRequest = null;
        String setCookie;

        // README example begins
        SessionSecrets secrets = SessionSecrets.fromEnvironment(env);   // SESSION_SECRET(_PREVIOUS), SESSION_COOKIE_FORMAT
        KeyRing keys = KeyRing.fromEnvironment(env);                       // SESSION_ENCRYPTION_KEY(_PREVIOUS)
        try (SessionRedis redis = SessionRedis.connect(env.get("REDIS_URL"), Duration.ofSeconds(1), Duration.ofSeconds(2))) {
            RedisSessionStore store = RedisSessionStore.builder(redis, secrets, keys).build();

            Session session = store.load(cookieFromRequest);   // a fresh session when there is none
            session.set("user", "ada");
            store.changeId(session);                           // after login: no session fixation
            store.save(session);                               // one round trip, changed attributes only
            setCookie = store.cookieValue(session);            // send it back
        }
        // README example ends
        try (SessionRedis redis = SessionRedis.connect(env.get("REDIS_URL"), Duration.ofSeconds(1), Duration.ofSeconds(2))) {
            RedisSessionStore store = RedisSessionStore.builder(redis, secrets, keys).build();
            assertThat(store.load(setCookie).get("user", String.class)).isEqualTo("ada");
        }
    }
}
