package io.reporadar.session;

import io.reporadar.session.spi.SessionStoreConformance;
import io.reporadar.testing.ReadmeExamples;
import io.reporadar.testing.RedisExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Both stores keep the contract of {@link SessionStoreConformance}, with their defaults and with short timeouts. */
class SessionStoreConformanceIT {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();

    private static final SessionSecrets SECRETS = SessionSecrets.of(RedisSessionStoreIT.SECRET, List.of(),
            SessionSecrets.CookieFormat.REPORADAR);
    private static final KeyRing KEYS = KeyRing.of(SessionEncryptionKey.fromHex("k", RedisSessionStoreIT.KEY_1), List.of());

    @Test
    void theRedisStoreKeepsTheContract() {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/session/SessionStoreConformanceIT.java"));
        SessionSecrets secrets = SECRETS;
        KeyRing keys = KEYS;
        try (SessionRedis connection = SessionRedis.connect(redis.uri(), Duration.ofSeconds(1), Duration.ofSeconds(2))) {
            // README example begins
            SessionStoreConformance.of(clock -> RedisSessionStore.builder(connection, secrets, keys).clock(clock).build()).verify();
            // README example ends
            SessionStoreConformance.of(clock -> RedisSessionStore.builder(connection, SECRETS, KEYS).clock(clock)
                    .idleTimeout(Duration.ofMinutes(5)).absoluteTimeout(Duration.ofHours(1)).build()).verify();
        }
    }

    @Test
    void theInMemoryStoreKeepsTheContract() {
        SessionStoreConformance.of(clock -> InMemorySessionStore.builder(SECRETS).clock(clock).build()).verify();
        SessionStoreConformance.of(clock -> InMemorySessionStore.builder(SECRETS).clock(clock)
                .idleTimeout(Duration.ofMinutes(5)).absoluteTimeout(Duration.ofHours(1)).build()).verify();
    }
}
