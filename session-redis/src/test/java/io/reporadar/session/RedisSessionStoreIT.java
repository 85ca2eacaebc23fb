package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reporadar.testing.ManualClock;
import io.reporadar.testing.RedisExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisSessionStoreIT {

    static final String KEY_1 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    static final String KEY_2 = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
    static final String SECRET = "a-session-secret-of-at-least-32-characters";

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();

    private final List<SessionRedis> connections = new ArrayList<>();

    @AfterEach
    void close() {
        connections.forEach(SessionRedis::close);
        connections.clear();
        redis.server().flushAll();
    }

    private RedisSessionStore.Builder store(KeyRing keys) {
        SessionRedis connection = SessionRedis.connect(redis.uri(), Duration.ofMillis(500), Duration.ofSeconds(1));
        connections.add(connection);
        return RedisSessionStore.builder(connection.connection(),
                SessionSecrets.of(SECRET, List.of(), SessionSecrets.CookieFormat.REPORADAR), keys);
    }

    private static KeyRing ring(String primary, String... previous) {
        List<SessionEncryptionKey> old = new ArrayList<>();
        for (String p : previous) {
            old.add(SessionEncryptionKey.fromHex("previous", p));
        }
        return KeyRing.of(SessionEncryptionKey.fromHex("primary", primary), old);
    }

    @Test
    void aSaveAnsweredReadOnlyByADemotedMasterReconnectsAndIsSentOnceMoreToTheMaster() {
        try (io.reporadar.testing.RedisServer replica = io.reporadar.testing.RedisServer.start(
                     "replicaof " + redis.server().host() + " " + redis.server().port());
             SessionRedis toReplica = SessionRedis.connect(replica.uri(), Duration.ofMillis(500), Duration.ofSeconds(1));
             SessionRedis toMaster = SessionRedis.connect(redis.uri(), Duration.ofMillis(500), Duration.ofSeconds(1))) {
            java.util.concurrent.atomic.AtomicReference<SessionRedis> current = new java.util.concurrent.atomic.AtomicReference<>(toReplica);
            java.util.concurrent.atomic.AtomicInteger reconnects = new java.util.concurrent.atomic.AtomicInteger();
            SessionSecrets secrets = SessionSecrets.of(SECRET, List.of(), SessionSecrets.CookieFormat.REPORADAR);
            RedisSessionStore store = RedisSessionStore.builder(nodes(() -> java.util.Objects.requireNonNull(current.get()).connection(), List::of, () -> {
                reconnects.incrementAndGet();
                current.set(toMaster);
            }), secrets, ring(KEY_1)).build();

            Session session = store.create();
            session.set("user", "ada");
            store.save(session); // the replica answers READONLY; the store reconnects and the master takes it

            assertThat(reconnects).hasValue(1);
            assertThat(store(ring(KEY_1)).build().load(store.cookieValue(session)).get("user", String.class)).isEqualTo("ada");
        }
    }

    @Test
    void aSaveHeldUpInTheNetworkPastItsDeadlineIsRefusedWhenItArrivesAndUndoesNoNewerWrite() throws Exception {
        assertALateSaveUndoesNoNewerWrite(Duration.ofMillis(2_500)); // far past the 500 ms command timeout
    }

    /**
     * The fault campaign (seeds 3 and 7): a save queued behind a {@code WAIT} on the shared connection timed out,
     * the user's next request saved newer values through another instance, and the queued save then landed and
     * undid them; the deadline was twice the command timeout. A save now expires with its command timeout.
     */
    @Test
    void aSaveThatArrivesAfterItsCommandTimedOutIsRefusedAndUndoesNoNewerWrite() throws Exception {
        assertALateSaveUndoesNoNewerWrite(Duration.ofMillis(800)); // past the 500 ms timeout, within twice it
    }

    /** A save delayed by {@code latency} on its way to Redis (command timeout 500 ms) fails, and never lands over a newer one. */
    private void assertALateSaveUndoesNoNewerWrite(Duration latency) throws Exception {
        RedisSessionStore direct = store(ring(KEY_1)).build();
        try (io.reporadar.testing.FaultProxy proxy = io.reporadar.testing.FaultProxy.to(redis.server().host(), redis.server().port());
             SessionRedis slow = SessionRedis.connect("redis://127.0.0.1:" + proxy.port(), Duration.ofMillis(500), Duration.ofSeconds(1))) {
            RedisSessionStore viaProxy = RedisSessionStore.builder(slow, SessionSecrets.of(SECRET, List.of(),
                    SessionSecrets.CookieFormat.REPORADAR), ring(KEY_1)).build();
            Session session = direct.create();
            session.set("n", 1L);
            direct.save(session);
            String cookie = direct.cookieValue(session);

            Session stale = viaProxy.load(cookie);
            stale.set("n", 2L);
            proxy.latency(latency);
            assertThatThrownBy(() -> viaProxy.save(stale)).isInstanceOf(SessionStoreUnavailableException.class);
            Session newer = direct.load(cookie);
            newer.set("n", 3L);
            direct.save(newer);

            Thread.sleep(latency.toMillis() + 500); // the held-up save reaches Redis now
            assertThat(direct.load(cookie).get("n", Long.class)).as("the late save was refused").isEqualTo(3L);
        }
    }

    @Test
    void attributesSurviveASaveAndALoadAndAnEmptyNewSessionIsNeverWritten() {
        RedisSessionStore store = store(ring(KEY_1)).build();
        Session empty = store.create();
        store.save(empty);
        assertThat(redis.server().call("DBSIZE")).isEqualTo(0L);

        Session session = store.create();
        session.set("user", "ada");
        session.set("visits", 3);
        store.save(session);

        Session loaded = store.load(store.cookieValue(session));
        assertThat(loaded.isNew()).isFalse();
        assertThat(loaded.get("user", String.class)).isEqualTo("ada");
        assertThat(loaded.get("visits", Integer.class)).isEqualTo(3);
        assertThat(redis.server().call("DBSIZE")).isEqualTo(1L);
    }

    @Test
    void aReadOnlyRequestIsOneRoundTripAndASaveIsOne() {
        RedisSessionStore store = store(ring(KEY_1)).build();
        String cookie = savedCookie(store, "user", "ada");

        redis.server().call("CONFIG", "RESETSTAT");
        Session loaded = store.load(cookie);
        store.save(loaded);
        String stats = String.valueOf(redis.server().call("INFO", "commandstats"));
        assertThat(stats).contains("cmdstat_hgetall:calls=1,").doesNotContain("cmdstat_evalsha").doesNotContain("cmdstat_hset");

        redis.server().call("CONFIG", "RESETSTAT");
        loaded.set("visits", 1);
        store.save(loaded);
        stats = String.valueOf(redis.server().call("INFO", "commandstats"));
        assertThat(stats).contains("cmdstat_evalsha:calls=1,").doesNotContain("cmdstat_hgetall");
    }

    @Test
    void tamperingOfAnyKindGivesAFreshSession() {
        RedisSessionStore store = store(ring(KEY_1)).build();
        Session a = store.create();
        a.set("user", "ada");
        store.save(a);
        Session b = store.create();
        b.set("user", "bob");
        store.save(b);
        String cookieA = store.cookieValue(a);

        // A forged signature.
        String forged = cookieA.substring(0, cookieA.length() - 2) + (cookieA.endsWith("A") ? "BB" : "AA");
        assertThat(store.load(forged).isNew()).isTrue();

        // A ciphertext with one bit flipped.
        String keyA = keyOf(a);
        String field = fields(keyA).get(0);
        byte[] value = hget(keyA, field);
        value[value.length - 1] ^= 1;
        hset(keyA, field, value);
        assertThat(store.load(cookieA).isNew()).isTrue();

        // A ciphertext copied from another session into this one.
        Session c = store.create();
        c.set("user", "carol");
        store.save(c);
        String keyB = keyOf(b);
        String keyC = keyOf(c);
        hset(keyC, fields(keyC).get(0), hget(keyB, fields(keyB).get(0)));
        assertThat(store.load(store.cookieValue(c)).get("user", String.class)).isNull();

        assertThat(store.counts()).containsKeys("load-cookie-invalid", "load-corrupt", "unreadable-tampered");
        assertThat(store.load(store.cookieValue(b)).get("user", String.class)).isEqualTo("bob");
    }

    record Watch(String repository) {
    }

    @Test
    void aValueOfATypeNoLongerAllowedIsReportedWithItsReasonAndKeyAndDroppedWhenAsked() {
        RedisSessionStore before = store(ring(KEY_1)).codec(SessionCodec.allowing(Watch.class)).build();
        Session session = before.create();
        session.set("user", "ada");
        session.set("watch", new Watch("reporadar/scale-kit"));
        before.save(session);
        String cookie = before.cookieValue(session);

        List<String> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        SessionObserver observer = new SessionObserver() {
            @Override
            public void unreadable(String keyId, SessionObserver.Unreadable reason) {
                reports.add(keyId + " " + reason.tag());
            }
        };
        RedisSessionStore strict = store(ring(KEY_1)).observer(observer).build();
        assertThat(strict.load(cookie).isNew()).as("a fresh session by default").isTrue();
        RedisSessionStore lenient = store(ring(KEY_1)).onCorruption(RedisSessionStore.OnCorruption.DROP_ATTRIBUTE).build();
        Session kept = lenient.load(cookie);
        assertThat(kept.get("user", String.class)).isEqualTo("ada");
        assertThat(kept.names()).containsExactly("user");

        String keyId = KeyRing.of(SessionEncryptionKey.fromHex("k", KEY_1), List.of()).primaryKeyId();
        assertThat(reports).containsExactly(keyId + " type");
        assertThat(strict.counts()).containsEntry("unreadable-type", 1L).containsEntry("load-corrupt", 1L);
        assertThat(lenient.counts()).containsEntry("unreadable-type", 1L).containsEntry("attribute-dropped", 1L);
    }

    @Test
    void dataUnderAKeyTheRingDoesNotKnowGivesAFreshSessionWithTheReason() {
        RedisSessionStore old = store(ring(KEY_1)).build();
        Session session = old.create();
        session.set("user", "ada");
        old.save(session);

        RedisSessionStore rotatedAway = store(ring(KEY_2)).build();
        assertThat(rotatedAway.load(old.cookieValue(session)).isNew()).isTrue();
        assertThat(rotatedAway.counts()).containsEntry("unreadable-unknown-key", 1L);
    }

    @Test
    void rotatedKeysStillReadOldDataAndRewriteItUnderTheNewKey() {
        RedisSessionStore before = store(ring(KEY_1)).build();
        Session session = before.create();
        session.set("user", "ada");
        session.set("theme", "dark");
        before.save(session);
        String cookie = before.cookieValue(session);

        RedisSessionStore during = store(ring(KEY_2, KEY_1)).build();
        Session loaded = during.load(cookie);
        assertThat(loaded.get("user", String.class)).isEqualTo("ada");
        loaded.set("visits", 1);
        during.save(loaded);

        RedisSessionStore after = store(ring(KEY_2)).build();
        Session rewritten = after.load(cookie);
        assertThat(rewritten.isNew()).isFalse();
        assertThat(rewritten.get("user", String.class)).isEqualTo("ada");
        assertThat(rewritten.get("theme", String.class)).isEqualTo("dark");
    }

    @Test
    void aRedisDumpShowsNoSessionIdNoAttributeNameAndNoValue() {
        RedisSessionStore store = store(ring(KEY_1)).build();
        Session session = store.create();
        session.set("creditCardNumber", "4111-1111-1111-1111");
        store.save(session);
        String id = session.id();

        StringBuilder dump = new StringBuilder();
        for (Object key : (List<?>) java.util.Objects.requireNonNull(redis.server().call("KEYS", "*"))) {
            dump.append(key).append('\n');
            for (Object item : (List<?>) java.util.Objects.requireNonNull(redis.server().call("HGETALL", String.valueOf(key)))) {
                dump.append(item).append('\n');
            }
        }
        assertThat(dump.toString()).doesNotContain(id).doesNotContain("4111").doesNotContain("creditCardNumber")
                .doesNotContain(id.substring(0, 12));
    }

    @Test
    void parallelRequestsChangingDifferentAttributesNeverLoseEachOthersWrites() throws Exception {
        RedisSessionStore first = store(ring(KEY_1)).build();
        String cookie = savedCookie(first, "seed", true);

        int threads = 6;
        int rounds = 40;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            RedisSessionStore own = store(ring(KEY_1)).build();
            String attribute = "counter-" + t;
            Thread worker = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 1; i <= rounds; i++) {
                        Session s = own.load(cookie);
                        s.set(attribute, i);
                        own.save(s);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            worker.start();
            workers.add(worker);
        }
        go.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertThat(failure.get()).isNull();
        Session result = first.load(cookie);
        for (int t = 0; t < threads; t++) {
            assertThat(result.get("counter-" + t, Integer.class)).as("counter-" + t).isEqualTo(rounds);
        }
    }

    @Test
    void aLogoutRacingASaveInFlightStaysLoggedOut() {
        RedisSessionStore store = store(ring(KEY_1)).build();
        String cookie = savedCookie(store, "user", "ada");

        Session inFlight = store.load(cookie);
        Session logout = store.load(cookie);
        store.invalidate(logout);
        inFlight.set("lastPage", "/repos");
        store.save(inFlight);

        assertThat(redis.server().call("DBSIZE")).isEqualTo(0L);
        assertThat(store.load(cookie).isNew()).isTrue();
        assertThat(store.counts()).containsEntry("save-refused", 1L);
    }

    @Test
    void idleAndAbsoluteTimeoutsAreEnforcedOnRead() {
        ManualClock clock = new ManualClock();
        RedisSessionStore store = store(ring(KEY_1)).clock(clock)
                .idleTimeout(Duration.ofMinutes(30)).absoluteTimeout(Duration.ofHours(2)).touchInterval(Duration.ofMinutes(1)).build();
        String cookie = savedCookie(store, "user", "ada");

        clock.advance(Duration.ofMinutes(29));
        Session active = store.load(cookie);
        assertThat(active.isNew()).isFalse();
        store.save(active);   // a read-only request past the touch interval refreshes the last access

        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(29));
            Session again = store.load(cookie);
            assertThat(again.isNew()).as("active within the idle timeout").isFalse();
            store.save(again);
        }
        clock.advance(Duration.ofMinutes(29));
        assertThat(store.load(cookie).isNew()).as("older than the absolute timeout").isTrue();

        Session idle = store.create();
        idle.set("user", "bob");
        store.save(idle);
        clock.advance(Duration.ofMinutes(31));
        assertThat(store.load(store.cookieValue(idle)).isNew()).as("idle too long").isTrue();
    }

    @Test
    void changingTheIdKeepsTheOldOneValidForTheGracePeriodOnly() throws Exception {
        RedisSessionStore store = store(ring(KEY_1)).idChangeGrace(Duration.ofMillis(600)).build();
        Session session = store.create();
        session.set("cart", 2);
        store.save(session);
        String oldCookie = store.cookieValue(session);

        store.changeId(session);
        session.set("user", "ada");
        store.save(session);
        String newCookie = store.cookieValue(session);

        assertThat(newCookie).isNotEqualTo(oldCookie);
        assertThat(store.load(newCookie).get("cart", Integer.class)).isEqualTo(2);
        assertThat(store.load(newCookie).get("user", String.class)).isEqualTo("ada");
        Session inFlight = store.load(oldCookie);
        assertThat(inFlight.get("cart", Integer.class)).as("a request in flight with the old cookie").isEqualTo(2);
        inFlight.set("cart", 3);
        store.save(inFlight); // before the old key was retired, this gave it a whole idle timeout again
        assertThat(store.counts()).containsEntry("save-retired", 1L);
        assertThat(store.load(oldCookie).get("cart", Integer.class)).as("the old key takes no writes").isEqualTo(2);
        assertThat(store.load(newCookie).get("cart", Integer.class)).isEqualTo(2);
        Thread.sleep(900);
        assertThat(store.load(oldCookie).isNew()).as("the old id after its grace").isTrue();
        assertThat(store.load(newCookie).get("user", String.class)).isEqualTo("ada");
    }

    @Test
    void aLoadThatTheOldMasterAnswersAfterTheStoreFollowedAFailoverIsAskedOfTheNewMaster() throws Exception {
        // The old master is frozen with the session at version 1; its replica is promoted and takes version 2; the
        // old master thaws while a load it was asked before the switch still waits for it (the only replica the
        // store reads from answers without the session), and answers version 1.
        try (io.reporadar.testing.RedisServer promoted = io.reporadar.testing.RedisServer.start(
                     "replicaof " + redis.server().host() + " " + redis.server().port());
             io.reporadar.testing.RedisServer empty = io.reporadar.testing.RedisServer.start();
             SessionRedis toOld = SessionRedis.connect(redis.uri(), Duration.ofSeconds(1), Duration.ofSeconds(1));
             SessionRedis toPromoted = SessionRedis.connect(promoted.uri(), Duration.ofSeconds(1), Duration.ofSeconds(1));
             SessionRedis toEmpty = SessionRedis.connect(empty.uri(), Duration.ofSeconds(1), Duration.ofSeconds(1))) {
            AtomicReference<SessionRedis> master = new AtomicReference<>(toOld);
            RedisSessionStore store = RedisSessionStore.builder(nodes(() -> java.util.Objects.requireNonNull(master.get()).connection(), () -> List.of(toEmpty.connection()),
                    () -> { }), SessionSecrets.of(SECRET, List.of(), SessionSecrets.CookieFormat.REPORADAR), ring(KEY_1)).build();
            Session session = store.create();
            session.set("n", 1);
            store.save(session);
            String cookie = store.cookieValue(session);
            org.awaitility.Awaitility.await("the replica has the session").atMost(Duration.ofSeconds(10))
                    .until(() -> Long.valueOf(1).equals(promoted.call("EXISTS", keyOf(session))));

            redis.server().freeze();
            try {
                java.util.concurrent.CompletableFuture<Session> load = java.util.concurrent.CompletableFuture.supplyAsync(() -> store.load(cookie));
                Thread.sleep(400); // past the 250 ms after which the replicas are asked: the load now waits for the old master
                promoted.call("REPLICAOF", "NO", "ONE");
                master.set(toPromoted);
                session.set("n", 2);
                store.save(session);
                redis.server().thaw();
                assertThat(load.get(5, java.util.concurrent.TimeUnit.SECONDS).get("n", Integer.class))
                        .as("the load the old master answered late").isEqualTo(2);
                assertThat(store.counts()).containsEntry("load-from-deposed-master", 1L);
            } finally {
                redis.server().thaw();
            }
        }
    }

    @Test
    void aSecretRotationAndAKeyRotationKeepEverySessionAcrossTwoInstancesInAdjacentPhases() {
        // The documented rotation, one rolling restart per phase: add the new value as a previous one everywhere,
        // then make it current (the old one previous), then drop the old one. Instances of adjacent phases run side by side.
        String secretA = SECRET;
        String secretB = "another-session-secret-of-32-characters!";
        List<RedisSessionStore> phases = List.of(
                rotating(secretA, List.of(), ring(KEY_1)),
                rotating(secretA, List.of(secretB), ring(KEY_1, KEY_2)),
                rotating(secretB, List.of(secretA), ring(KEY_2, KEY_1)),
                rotating(secretB, List.of(), ring(KEY_2)));
        for (int phase = 0; phase + 1 < phases.size(); phase++) {
            for (boolean loginOnOlder : new boolean[] {true, false}) {
                RedisSessionStore login = phases.get(loginOnOlder ? phase : phase + 1);
                RedisSessionStore other = phases.get(loginOnOlder ? phase + 1 : phase);
                String where = "phases " + phase + " and " + (phase + 1) + ", login on the " + (loginOnOlder ? "older" : "newer");
                Session session = login.create();
                session.set("user", "ada");
                login.save(session);
                login.changeId(session);
                login.save(session);
                String cookie = login.cookieValue(session);
                assertThat(other.load(cookie).get("user", String.class)).as(where + ": read on the other").isEqualTo("ada");
                Session visit = other.load(cookie);
                visit.set("visits", 1);
                other.save(visit);
                assertThat(login.load(cookie).get("visits", Integer.class)).as(where + ": a write on the other, read back").isEqualTo(1);
                other.invalidate(other.load(cookie));
                assertThat(login.load(cookie).isNew()).as(where + ": logged out on the other, gone on both").isTrue();
                assertThat(other.load(cookie).isNew()).isTrue();
            }
        }
        String beforeRotation = RedisSessionStoreIT.savedCookie(phases.get(0), "user", "grace");
        assertThat(phases.get(2).load(beforeRotation).get("user", String.class)).as("a cookie from before the rotation, mid rotation")
                .isEqualTo("grace");
    }

    private RedisSessionStore rotating(String secret, List<String> previous, KeyRing keys) {
        SessionRedis connection = SessionRedis.connect(redis.uri(), Duration.ofMillis(500), Duration.ofSeconds(1));
        connections.add(connection);
        return RedisSessionStore.builder(connection.connection(), SessionSecrets.of(secret, previous, SessionSecrets.CookieFormat.REPORADAR),
                keys).build();
    }

    @Test
    void aFrozenOrStoppedRedisFailsWithinTheTimeoutAndRecovers() {
        RedisSessionStore store = store(ring(KEY_1)).build();
        Session session = store.create();
        session.set("user", "ada");
        store.save(session);
        String cookie = store.cookieValue(session);

        redis.server().freeze();
        try {
            long started = System.nanoTime();
            assertThatThrownBy(() -> store.load(cookie)).isInstanceOf(SessionStoreUnavailableException.class)
                    .hasMessageStartingWith("session store unavailable during load");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        } finally {
            redis.server().thaw();
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> "ada".equals(store.load(cookie).get("user", String.class)));
    }

    /** A session holding one attribute, saved: the cookie a logged-in browser would send. */
    static String savedCookie(SessionStore store, String attribute, Object value) {
        Session session = store.create();
        session.set(attribute, value);
        store.save(session);
        return store.cookieValue(session);
    }

    private static String keyOf(Session session) {
        return session.redisKey();
    }

    private List<String> fields(String key) {
        List<String> fields = new ArrayList<>();
        List<?> all = (List<?>) java.util.Objects.requireNonNull(redis.server().call("HKEYS", key));
        for (Object f : all) {
            String name = String.valueOf(f);
            if (!name.startsWith("~")) {
                fields.add(name);
            }
        }
        return fields;
    }

    private byte[] hget(String key, String field) {
        try (var client = io.lettuce.core.RedisClient.create(redis.uri());
                var c = client.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE)) {
            return c.sync().hget(key.getBytes(StandardCharsets.US_ASCII), field.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private void hset(String key, String field, byte[] value) {
        try (var client = io.lettuce.core.RedisClient.create(redis.uri());
                var c = client.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE)) {
            c.sync().hset(key.getBytes(StandardCharsets.US_ASCII), field.getBytes(StandardCharsets.US_ASCII), value);
        }
    }

    /** Nodes the test controls: the master from {@code master}, readable replicas from {@code replicas}. */
    static RedisNodes nodes(java.util.function.Supplier<io.lettuce.core.api.StatefulRedisConnection<byte[], byte[]>> master,
            java.util.function.Supplier<List<io.lettuce.core.api.StatefulRedisConnection<byte[], byte[]>>> replicas, Runnable onReadOnly) {
        return new RedisNodes() {
            @Override
            public io.lettuce.core.api.StatefulRedisConnection<byte[], byte[]> master() {
                return master.get();
            }

            @Override
            public List<io.lettuce.core.api.StatefulRedisConnection<byte[], byte[]>> replicas() {
                return replicas.get();
            }

            @Override
            public void masterRefusedWrite() {
                onReadOnly.run();
            }
        };
    }
}
