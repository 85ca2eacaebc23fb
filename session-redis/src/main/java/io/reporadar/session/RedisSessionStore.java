package io.reporadar.session;

import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.reporadar.session.SessionObserver.Event;
import io.reporadar.session.SessionObserver.LoadOutcome;
import io.reporadar.session.SessionObserver.SaveOutcome;
import io.reporadar.session.internal.SessionCipher;
import io.reporadar.session.internal.SessionDataException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Sessions in Redis, one hash per session, encrypted field by field.
 *
 * <pre>{@code
 * RedisSessionStore store = RedisSessionStore.builder(redis, secrets, keys).build();   // redis: a SessionRedis
 * Session session = store.load(cookieValueOrNull);    // one round trip, or none without a cookie
 * session.set("user", "ada");
 * store.save(session);                                 // one round trip; nothing when nothing changed
 * String cookie = store.cookieValue(session);
 * }</pre>
 *
 * <ul>
 *   <li>Layout: the Redis key is a SHA-256 of the session id; each attribute is one field, named by a SHA-256 of
 *       the id and the attribute name, holding XAES-256-GCM ciphertext of name and value bound to key and field.</li>
 *   <li>A save is one Lua script: set the changed fields, delete the removed ones, bump the version, refresh the
 *       idle expiry; it refuses to recreate a session that was invalidated (deleted) meanwhile, so a logout is
 *       never undone by a request still in flight. Requests that change different attributes never lose each
 *       other's writes.</li>
 *   <li>A read-only request costs one round trip; the idle expiry is refreshed at most once per touch
 *       interval. A session created and never written costs nothing.</li>
 *   <li>Changing the id (after login) writes the session under the new key and leaves the old key readable for
 *       a short grace period, without RENAME, so it works on Redis Cluster.</li>
 *   <li>Durability (optional): with {@link Builder#requireReplicas} a save or a logout succeeds only once every
 *       replica that streams from the master acknowledged it ({@code WAIT}, pipelined behind the write: still one
 *       round trip), so a failover to whichever replica Sentinel picks loses no acknowledged write, and it is
 *       refused before anything is written while no replica streams; {@link Builder#awaitReplicas} acknowledges
 *       alone then. {@code WAIT} holds the shared connection until the replicas answer, which caps the saves
 *       per second per connection at one over the replication round trip.</li>
 *   <li>Reads through a failover: with a {@link SessionRedis} on Sentinels, a load the master has not answered
 *       within {@link Builder#readFromReplicasAfter} asks the replicas too and takes the newest version of the
 *       session they hold.</li>
 *   <li>Redis 7.0 or later (the id change's retirement uses {@code PEXPIRE ... LT}).</li>
 *   <li>Every save carries a deadline, the command timeout from now; Redis refuses one that arrives later (held
 *       up in a partition, or queued behind slow commands), so a request that already failed never overwrites
 *       newer writes.</li>
 *   <li>A tampered cookie, an unknown or expired id, or data that does not decrypt gives a fresh session
 *       (or, with {@link OnCorruption#DROP_ATTRIBUTE}, loses only the bad attribute) and is counted.</li>
 * </ul>
 *
 * <p>Thread-safe: share one store (and one connection) across requests.
 */
public final class RedisSessionStore extends SessionStore {

    /** What to do with a stored attribute that fails to decrypt or decode. */
    public enum OnCorruption {
        /** Discard the whole session: the request starts over with a fresh one. */
        FRESH_SESSION,
        /** Drop the bad attribute and keep the rest. */
        DROP_ATTRIBUTE
    }

    private final RedisNodes nodes;
    private final RedisLayout layout;
    private final RedisReads reads;
    private final RedisWrites writes;
    private final SaveScript script;
    private final KeyRing keys;
    private final Duration touchInterval;
    private final Duration idChangeGrace;
    private final OnCorruption onCorruption;
    private final String keyPrefix;

    private RedisSessionStore(Builder b) {
        super(b);
        this.nodes = b.nodes;
        this.keys = b.keys;
        this.layout = new RedisLayout(SessionCipher.of(b.keys), observer);
        this.reads = new RedisReads(b.nodes, b.readFromReplicasAfter, b.replicaTimeout, b.replicasRequired, observer);
        ReplicaTracker replicas = b.awaitReplicas > 0 ? new ReplicaTracker(b.awaitReplicas, b.replicasRequired, observer) : null;
        this.writes = new RedisWrites(b.nodes, replicas, b.replicaTimeout, observer);
        this.script = new SaveScript(b.nodes, writes, layout, secrets, idleTimeout, observer);
        b.nodes.onMasterChange(() -> observer.event(Event.MASTER_CHANGED));
        Duration touch = b.touchInterval;
        this.touchInterval = touch != null ? touch : Collections.min(List.of(idleTimeout.dividedBy(4), Duration.ofMinutes(1)));
        this.idChangeGrace = b.idChangeGrace;
        this.onCorruption = b.onCorruption;
        this.keyPrefix = b.keyPrefix;
    }

    /**
     * A store on {@code redis}'s connection, following it through failovers: a save answered {@code READONLY}
     * (its master was demoted under it) reconnects to the current master and is sent once more.
     */
    public static Builder builder(SessionRedis redis, SessionSecrets secrets, KeyRing keys) {
        return new Builder(RedisNodes.of(Objects.requireNonNull(redis, "redis")), secrets, keys);
    }

    /** A store on a connection of your own, used as it is (no failover handling beyond Lettuce's reconnects). */
    public static Builder builder(StatefulRedisConnection<byte[], byte[]> connection, SessionSecrets secrets, KeyRing keys) {
        return new Builder(RedisNodes.of(Objects.requireNonNull(connection, "connection")), secrets, keys);
    }

    /** For tests: a store on nodes the test controls. */
    static Builder builder(RedisNodes nodes, SessionSecrets secrets, KeyRing keys) {
        return new Builder(nodes, secrets, keys);
    }

    /** A new session; nothing is written until it is saved with something in it. */
    @Override
    public Session create() {
        String id = SessionSecrets.newSessionId();
        Instant now = clock.instant();
        return new Session(this, id, secrets.redisKey(keyPrefix, id), now, now, true);
    }

    /**
     * The session a cookie names, or a fresh one when there is no valid cookie, no such session, or it expired
     * or failed to decrypt. One round trip when there is a cookie, none otherwise.
     *
     * @throws SessionStoreUnavailableException when Redis does not answer within its timeout
     */
    @Override
    public Session load(@Nullable String cookieValue) {
        long start = System.nanoTime();
        if (cookieValue == null || cookieValue.isEmpty()) {
            return loaded(create(), LoadOutcome.NONE, start, 0);
        }
        String id = secrets.verify(cookieValue).orElse(null);
        if (id == null) {
            return loaded(create(), LoadOutcome.COOKIE_INVALID, start, 0);
        }
        String redisKey = secrets.redisKey(keyPrefix, id);
        RedisReads.Answer answer;
        try {
            answer = reads.read(RedisLayout.key(redisKey));
        } catch (RedisException e) {
            observer.loaded(LoadOutcome.UNAVAILABLE, System.nanoTime() - start, 1);
            throw new SessionStoreUnavailableException("load", e);
        }
        Map<byte[], byte[]> hash = answer.hash();
        if (hash.isEmpty()) {
            return loaded(create(), LoadOutcome.UNKNOWN, start, 1);
        }
        try {
            Session session = decode(id, redisKey, hash);
            if (session == null) {
                if (answer.fromMaster()) { // a replica's copy may be older than the master's, touched since
                    deleteQuietly(redisKey);
                }
                return loaded(create(), LoadOutcome.EXPIRED, start, 1);
            }
            return loaded(session, LoadOutcome.FOUND, start, 1);
        } catch (SessionDataException e) {
            return loaded(create(), LoadOutcome.CORRUPT, start, 1);
        }
    }

    private Session loaded(Session session, LoadOutcome outcome, long start, int roundTrips) {
        observer.loaded(outcome, System.nanoTime() - start, roundTrips);
        return session;
    }

    /** The stored session, or {@code null} when it has expired. */
    private @Nullable Session decode(String id, String redisKey, Map<byte[], byte[]> hash) {
        RedisLayout.Stored stored = RedisLayout.split(hash);
        Instant createdAt = layout.openTime(redisKey, RedisLayout.CREATED, stored.created);
        Instant accessedAt = layout.openTime(redisKey, RedisLayout.ACCESSED, stored.accessed);
        if (expired(createdAt, accessedAt, clock.instant())) {
            return null;
        }
        Session session = new Session(this, id, redisKey, createdAt, accessedAt, false);
        if (layout.isStale(stored.created)) {
            session.metadataStale();
        }
        for (byte[][] field : stored.fields) {
            try {
                byte[] plain = layout.open(redisKey, field[0], field[1]);
                session.loaded(nameOf(plain), layout.decoded(field[1], plain, this::valueOf), plain, layout.isStale(field[1]));
            } catch (SessionDataException e) {
                if (onCorruption == OnCorruption.FRESH_SESSION) {
                    throw e;
                }
                observer.event(Event.ATTRIBUTE_DROPPED);
            }
        }
        return session;
    }

    /**
     * Writes what the request changed, in one round trip: nothing when nothing changed and the last access is
     * recent, a touch of the idle expiry when it is not.
     *
     * @throws SessionStoreUnavailableException when Redis does not answer within its timeout
     * @throws SessionTooLargeException         when the session would exceed its size limit
     */
    @Override
    public void save(Session session) {
        long start = System.nanoTime();
        if (session.isInvalidated()) {
            observer.saved(SaveOutcome.UNCHANGED, System.nanoTime() - start, 0, 0);
            return;
        }
        Instant now = clock.instant();
        if (!session.hasChanges()) {
            touch(session, now, start);
            return;
        }
        int sessionBytes = checkSessionSize(session);
        boolean isNew = session.isNew();
        SaveScript.Result reply = script.save(session, now);
        switch (reply.reply()) {
            case GONE, RETIRED -> {
                // Invalidated (or expired) while this request ran, or its id changed (a login) while it ran on the old
                // one: the logout stands, and that key takes no more writes.
                session.invalidated();
                SaveOutcome outcome = reply.reply() == SaveScript.Reply.GONE ? SaveOutcome.REFUSED : SaveOutcome.RETIRED;
                observer.saved(outcome, System.nanoTime() - start, reply.roundTrips(), 0);
                return;
            }
            case LATE -> {
                observer.event(Event.WRITE_LATE);
                throw new SessionStoreUnavailableException("save", new RedisException("the save reached Redis after its deadline"));
            }
            case EXISTS -> throw new IllegalStateException("session id collision: 256 random bits repeated, or a clock gone wrong");
            case WRITTEN -> session.saved(now);
        }
        String previous = session.previousRedisKey();
        int roundTrips = reply.roundTrips();
        if (previous != null && isNew) {
            retireQuietly(previous);
            roundTrips++;
        }
        observer.saved(SaveOutcome.WRITTEN, System.nanoTime() - start, roundTrips, sessionBytes);
    }

    /** A save with nothing to write: a touch of the idle expiry once the touch interval has passed. */
    private void touch(Session session, Instant now, long start) {
        if (session.isNew() || Duration.between(session.lastAccessed(), now).compareTo(touchInterval) < 0) {
            observer.saved(SaveOutcome.UNCHANGED, System.nanoTime() - start, 0, 0);
            return;
        }
        try {
            SaveScript.Result reply = script.touch(session, now);
            session.touched(now);
            observer.saved(SaveOutcome.TOUCHED, System.nanoTime() - start, reply.roundTrips(), 0);
        } catch (SessionStoreUnavailableException e) {
            // A read-only request does not fail for its touch (the master may be failing over); the next one
            // touches again, well before the idle timeout.
            observer.saved(SaveOutcome.TOUCH_FAILED, System.nanoTime() - start, 1, 0);
        }
    }

    /** Ends the session: its data is deleted, and a save still in flight will not bring it back. */
    @Override
    public void invalidate(Session session) {
        session.invalidated();
        String previous = session.previousRedisKey();
        byte[][] doomed = previous == null ? new byte[][] {RedisLayout.key(session.redisKey())}
                : new byte[][] {RedisLayout.key(session.redisKey()), RedisLayout.key(previous)};
        writes.write("invalidate", async -> async.del(doomed));
        observer.event(Event.INVALIDATED);
    }

    /**
     * Gives the session a new id (after login, against session fixation). The next {@link #save} writes it under
     * the new key; the old key stays readable for the grace period, for requests already in flight.
     */
    @Override
    public void changeId(Session session) {
        session.requireValid();
        String id = SessionSecrets.newSessionId();
        session.renamed(id, secrets.redisKey(keyPrefix, id));
        observer.event(Event.ID_CHANGED);
    }

    private void deleteQuietly(String redisKey) {
        try {
            nodes.master().sync().del(RedisLayout.key(redisKey));
        } catch (RedisException ignored) {
            // expired anyway; Redis drops it at its TTL
        }
    }

    private void retireQuietly(String redisKey) {
        try {
            script.retire(redisKey, idChangeGrace);
        } catch (RuntimeException e) {
            // The new id is saved; the old key lives until its idle timeout, as if the request had not logged in.
            observer.event(Event.RETIRE_FAILED);
        }
    }

    @Override
    public String toString() {
        return "RedisSessionStore[" + keys + ", " + secrets + ", idle " + idleTimeout + ", absolute " + absoluteTimeout + "]";
    }

    /**
     * The Redis store's settings beyond those every store shares ({@link SessionStore.Builder}). Not thread-safe;
     * {@link #build()} copies its state.
     */
    public static final class Builder extends SessionStore.Builder<Builder> {
        private final RedisNodes nodes;
        private final KeyRing keys;
        private @Nullable Duration touchInterval;
        private Duration idChangeGrace = Duration.ofSeconds(10);
        private OnCorruption onCorruption = OnCorruption.FRESH_SESSION;
        private String keyPrefix = "reporadar:session:";
        private int awaitReplicas;
        private boolean replicasRequired;
        private Duration replicaTimeout = Duration.ofMillis(500);
        private Duration readFromReplicasAfter = Duration.ofMillis(250);

        private Builder(RedisNodes nodes, SessionSecrets secrets, KeyRing keys) {
            super(secrets);
            this.nodes = nodes;
            this.keys = Objects.requireNonNull(keys, "keys");
        }

        /** How rarely a read-only request refreshes the idle expiry (default a quarter of it, at most 1 min). */
        public Builder touchInterval(Duration interval) {
            this.touchInterval = positive("touchInterval", interval);
            return this;
        }

        /** How long the old id keeps working after {@link #changeId} (default 10 s). */
        public Builder idChangeGrace(Duration grace) {
            this.idChangeGrace = positive("idChangeGrace", grace);
            return this;
        }

        public Builder onCorruption(OnCorruption policy) {
            this.onCorruption = Objects.requireNonNull(policy, "onCorruption");
            return this;
        }

        public Builder keyPrefix(String prefix) {
            this.keyPrefix = Objects.requireNonNull(prefix, "keyPrefix");
            return this;
        }

        /**
         * Durability: a save succeeds only once every replica that streams from the master (online, its last
         * acknowledgement at most 2 s old) acknowledged it within {@code timeout} (Redis {@code WAIT}); otherwise
         * it throws {@link SessionStoreUnavailableException}, though the master may keep the write. With no
         * replica streaming the master acknowledges alone. Keep {@code timeout} below the command timeout.
         * {@code replicas} 0 (the default) turns it off; any other number turns it on.
         */
        public Builder awaitReplicas(int replicas, Duration timeout) {
            if (replicas < 0) {
                throw new IllegalArgumentException("replicas: " + replicas + " (expected: 0 or more)");
            }
            this.awaitReplicas = replicas;
            this.replicasRequired = false;
            this.replicaTimeout = positive("timeout", timeout);
            return this;
        }

        /**
         * Strict durability: like {@link #awaitReplicas}, but a save succeeds only once at least {@code replicas}
         * replicas acknowledged it (and every one that streams), however many the master has; while fewer stream,
         * saves are refused ({@link SessionStoreUnavailableException}) before anything is written. No acknowledged
         * write can then be lost to a failover, at the price of no writes at all while the topology is down to one
         * node.
         */
        public Builder requireReplicas(int replicas, Duration timeout) {
            if (replicas < 1) {
                throw new IllegalArgumentException("replicas: " + replicas + " (expected: 1 or more)");
            }
            awaitReplicas(replicas, timeout);
            this.replicasRequired = true;
            return this;
        }

        /**
         * How long a load waits for the master before it also asks the replicas (default 250 ms: longer than a
         * busy master's pauses, since a replica may lag); only with a {@link SessionRedis} on Sentinels, which
         * keeps the replicas connected. The freshest replica answer that holds the session is taken, within the
         * replica timeout of {@link #awaitReplicas}/{@link #requireReplicas} (default 500 ms); when none holds it,
         * the master's answer decides (or its failure, after the command timeout).
         */
        public Builder readFromReplicasAfter(Duration delay) {
            this.readFromReplicasAfter = positive("readFromReplicasAfter", delay);
            return this;
        }

        public RedisSessionStore build() {
            validate();
            return new RedisSessionStore(this);
        }
    }
}
