package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reporadar.session.micrometer.SessionMetrics;
import io.reporadar.testing.RedisExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Micrometer binder on a store talking to real Redis: what an operator's dashboard shows. */
class SessionMetricsIT {

    private static final String OTHER_KEY = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SessionRedis connection = SessionRedis.connect(redis.uri(), Duration.ofSeconds(1), Duration.ofSeconds(1));

    @AfterEach
    void close() {
        connection.close();
        redis.server().flushAll();
    }

    private RedisSessionStore store(String key) {
        return RedisSessionStore.builder(connection.connection(),
                        SessionSecrets.of(RedisSessionStoreIT.SECRET, List.of(), SessionSecrets.CookieFormat.REPORADAR),
                        KeyRing.of(SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY", key), List.of()))
                .observer(new SessionMetrics(registry)).build();
    }

    @Test
    void loadsAndSavesAreTimedByOutcomeWithTheirRoundTripsAndSizes() {
        RedisSessionStore store = store(RedisSessionStoreIT.KEY_1);
        Session session = store.load(null);
        session.set("user", "ada");
        session.set("theme", "dark");
        store.save(session); // the first save on a fresh Redis also sends the script: 2 round trips
        String cookie = store.cookieValue(session);
        double loadTrips = roundTrips("load");
        double saveTrips = roundTrips("save");

        Session changing = store.load(cookie);
        changing.set("theme", "light");
        store.save(changing);
        Session readOnly = store.load(cookie);
        readOnly.get("user", String.class);
        store.save(readOnly);

        assertThat(roundTrips("load") - loadTrips).as("a load is one round trip").isEqualTo(2);
        assertThat(roundTrips("save") - saveTrips).as("a change is one round trip, a read-only request none").isEqualTo(1);
        assertThat(registry.get("reporadar.session.load").tag("outcome", "none").timer().count()).isEqualTo(1);
        assertThat(registry.get("reporadar.session.load").tag("outcome", "found").timer().count()).isEqualTo(2);
        assertThat(registry.get("reporadar.session.save").tag("outcome", "written").timer().count()).isEqualTo(2);
        assertThat(registry.get("reporadar.session.save").tag("outcome", "unchanged").timer().count()).isEqualTo(1);
        assertThat(registry.get("reporadar.session.attribute.size").summary().count()).as("only changed attributes").isEqualTo(3);
        assertThat(registry.get("reporadar.session.size").summary().count()).isEqualTo(2);
        assertThat(registry.get("reporadar.session.size").summary().max()).as("both attributes, not just the changed one")
                .isGreaterThan(registry.get("reporadar.session.attribute.size").summary().max());
    }

    private double roundTrips(String operation) {
        return registry.get("reporadar.session.redis.round.trips").tag("operation", operation).counter().count();
    }

    @Test
    void decryptFailuresAreCountedByKeyIdAndALogoutRaceAsAWriteConflict() {
        RedisSessionStore oldKey = store(RedisSessionStoreIT.KEY_1);
        String cookie = RedisSessionStoreIT.savedCookie(oldKey, "user", "ada");

        RedisSessionStore newKeyOnly = store(OTHER_KEY);
        assertThat(newKeyOnly.load(cookie).isNew()).isTrue();
        String oldKeyId = KeyRing.of(SessionEncryptionKey.fromHex("k", RedisSessionStoreIT.KEY_1), List.of()).primaryKeyId();
        assertThat(registry.get("reporadar.session.decrypt.failures").tag("key.id", oldKeyId).tag("reason", "unknown-key")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("reporadar.session.load").tag("outcome", "corrupt").timer().count()).isEqualTo(1);

        Session inFlight = oldKey.load(cookie);
        oldKey.invalidate(oldKey.load(cookie));
        inFlight.set("cart", "3 items");
        oldKey.save(inFlight);
        assertThat(registry.get("reporadar.session.write.conflicts").counter().count()).isEqualTo(1);
        assertThat(registry.get("reporadar.session.save").tag("outcome", "refused").timer().count()).isEqualTo(1);
        assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().toString()).doesNotContain(RedisSessionStoreIT.KEY_1));
    }
}
