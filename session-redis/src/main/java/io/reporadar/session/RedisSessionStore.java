package io.reporadar.session;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

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
 *       the id and the attribute name, holding XAES-256-GCM ciphertext of name and value bound to key and field;
 *       {@code ~c} and {@code ~a} hold the encrypted creation and last-access times, {@code ~v} a version, {@code ~r}
 *       marks a key retired by an id change.</li>
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

    private static final byte[] CREATED = "~c".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ACCESSED = "~a".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VERSION = "~v".getBytes(StandardCharsets.US_ASCII);
    /** Set on the old key when the id changes: from then on it can be read until it expires, never written. */
    private static final byte[] RETIRED = "~r".getBytes(StandardCharsets.US_ASCII);
    /*
     * ARGV: mode ('new' or 'existing'), idle expiry in ms, number of fields to set, deadline in microseconds of
     * Redis's clock, then the fields and values to set, then the fields to delete. The version doubles as the
     * existence check: 1 means the key was not there (a session invalidated meanwhile: undone at once). A key
     * retired by an id change is neither written nor given a longer life (-4).
     * Written for Redis's cost: no tables built, one call fewer than EXISTS would take (measured with
     * INFO commandstats: 5.4 us per call against 6.2 us for the plainer script, on the 2-core machine).
     */
    private static final String SAVE_SCRIPT = """
            local time = redis.call('TIME')
            if time[1] * 1000000 + time[2] > tonumber(ARGV[4]) then return -3 end
            if redis.call('HEXISTS', KEYS[1], '~r') == 1 then return -4 end
            local version = redis.call('HINCRBY', KEYS[1], '~v', 1)
            if version == 1 then
              if ARGV[1] == 'existing' then redis.call('DEL', KEYS[1]) return -1 end
            elseif ARGV[1] == 'new' then return -2 end
            local last = 4 + 2 * ARGV[3]
            if last > 4 then redis.call('HSET', KEYS[1], unpack(ARGV, 5, last)) end
            if #ARGV > last then redis.call('HDEL', KEYS[1], unpack(ARGV, last + 1)) end
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return version
            """;

    /**
     * Retires the old key of a session whose id changed, in one step: marked so that no save or touch writes or
     * extends it again, and expiring within the grace period (never later than it would have: {@code LT}).
     */
    private static final String RETIRE_SCRIPT = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            redis.call('HSET', KEYS[1], '~r', '1')
            redis.call('PEXPIRE', KEYS[1], ARGV[1], 'LT')
            return 1
            """;

    /** What EVALSHA names the script by; Redis is sent the script itself only when it does not know it. */
    private static final String SAVE_SCRIPT_SHA = sha1Hex(SAVE_SCRIPT);

    /** A session's hash as read, and whether the master answered it (a replica's copy may be older). */
    private record Answer(Map<byte[], byte[]> hash, boolean fromMaster) {
    }

    /** What {@link #read(byte[], StatefulRedisConnection)} returns for an answer of a master the store no longer follows. */
    private static final Answer DEPOSED = new Answer(Collections.unmodifiableMap(new HashMap<>()), true);

    private final Supplier<StatefulRedisConnection<byte[], byte[]>> connection;
    private final Supplier<List<StatefulRedisConnection<byte[], byte[]>>> replicas;
    private final Duration readFromReplicasAfter;
    private final Runnable onReadOnly;
    private final BooleanSupplier writable;
    private final BooleanSupplier replicasSettled;
    private final KeyRing keys;
    private final Duration idleTimeout;
    private final Duration absoluteTimeout;
    private final Duration touchInterval;
    private final Duration idChangeGrace;
    private final OnCorruption onCorruption;
    private final Clock clock;
    private final String keyPrefix;
    private final SessionObserver observer;
    private final int awaitReplicas;
    private final boolean replicasRequired;
    private final Duration replicaTimeout;
    /**
     * How often a save counts the master's replicas ({@code INFO replication}, sent with the save): a replica
     * that just came online counts after at most this long.
     */
    private static final long REPLICA_CHECK_INTERVAL_NANOS = 100_000_000L;
    /**
     * A replica counts as streaming while its last acknowledgement (one a second) is at most this old
     * ({@code lag} of {@code INFO replication}).
     */
    private static final long STREAMING_LAG_SECONDS = 2;
    /** Between two rounds of asking the replicas for a session while none answers (they may be reconnecting). */
    private static final long REPLICA_RETRY_PAUSE_NANOS = 20_000_000L;
    private final AtomicReference<ReplicaCount> replicaCount = new AtomicReference<>(ReplicaCount.unknown(null));

    private RedisSessionStore(Builder b) {
        super(b.secrets, b.codec, b.maxAttributeBytes, b.maxSessionBytes);
        this.connection = b.connection;
        this.replicas = b.replicas;
        this.readFromReplicasAfter = b.readFromReplicasAfter;
        this.onReadOnly = b.onReadOnly;
        this.writable = b.writable;
        this.replicasSettled = b.replicasSettled;
        this.keys = b.keys;
        this.idleTimeout = b.idleTimeout;
        this.absoluteTimeout = b.absoluteTimeout;
        this.touchInterval = b.touchInterval != null ? b.touchInterval : min(idleTimeout.dividedBy(4), Duration.ofMinutes(1));
        this.idChangeGrace = b.idChangeGrace;
        this.onCorruption = b.onCorruption;
        this.clock = b.clock;
        this.keyPrefix = b.keyPrefix;
        this.observer = b.observer;
        this.awaitReplicas = b.awaitReplicas;
        this.replicasRequired = b.replicasRequired;
        this.replicaTimeout = b.replicaTimeout;
    }

    /**
     * A store on {@code redis}'s connection, following it through failovers: a save answered {@code READONLY}
     * (its master was demoted under it) reconnects to the current master and is sent once more.
     */
    public static Builder builder(SessionRedis redis, SessionSecrets secrets, KeyRing keys) {
        Objects.requireNonNull(redis, "redis");
        Builder builder = new Builder(redis::connection, redis::replicas, redis::reconnect, secrets, keys);
        builder.writable = redis::writable;
        builder.replicasSettled = redis::replicasSettled;
        return builder;
    }

    /**
     * For tests: the master's connection from {@code connection}, the readable replicas' from {@code replicas}, and
     * {@code onReadOnly} run when a save meets a read-only replica.
     */
    static Builder builder(Supplier<StatefulRedisConnection<byte[], byte[]>> connection,
            Supplier<List<StatefulRedisConnection<byte[], byte[]>>> replicas, Runnable onReadOnly, SessionSecrets secrets, KeyRing keys) {
        return new Builder(connection, replicas, onReadOnly, secrets, keys);
    }

    /** A store on a connection of your own, used as it is (no failover handling beyond Lettuce's reconnects). */
    public static Builder builder(StatefulRedisConnection<byte[], byte[]> connection, SessionSecrets secrets, KeyRing keys) {
        Objects.requireNonNull(connection, "connection");
        return new Builder(() -> connection, List::of, () -> { }, secrets, keys);
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
    public Session load(String cookieValue) {
        long start = System.nanoTime();
        if (cookieValue == null || cookieValue.isEmpty()) {
            return loaded(create(), "none", start, 0);
        }
        String id = secrets.verify(cookieValue).orElse(null);
        if (id == null) {
            count("cookie-invalid");
            return loaded(create(), "cookie-invalid", start, 0);
        }
        String redisKey = secrets.redisKey(keyPrefix, id);
        Answer answer;
        try {
            answer = read(key(redisKey));
        } catch (RedisException e) {
            observer.loaded("unavailable", System.nanoTime() - start, 1);
            throw new SessionStoreUnavailableException("load", e);
        }
        Map<byte[], byte[]> hash = answer.hash();
        if (hash == null || hash.isEmpty()) {
            count("unknown");
            return loaded(create(), "unknown", start, 1);
        }
        try {
            Session session = decode(id, redisKey, hash);
            if (session == null) {
                count("expired");
                if (answer.fromMaster()) { // a replica's copy may be older than the master's, touched since
                    deleteQuietly(redisKey);
                }
                return loaded(create(), "expired", start, 1);
            }
            return loaded(session, "found", start, 1);
        } catch (SessionDataException e) {
            count("corrupt-" + e.reason());
            return loaded(create(), "corrupt", start, 1);
        }
    }

    /**
     * The session's hash from the master; when the master has not answered within {@link Builder#readFromReplicasAfter}
     * (frozen, dead, failing over), or, under {@code replica-required}, saves are fenced because a quorum of
     * Sentinels hold it down, and the Sentinels list replicas, from the replica with the newest version of
     * it, waiting at most the replica timeout for them. Every acknowledged save is on at least one replica under
     * {@code replica-required}, so the newest answer includes every acknowledged write; it is taken only when
     * every replica answered. An answer without the session is not taken from replicas. A master's answer that
     * comes after the store followed a failover is not taken either: a master frozen until its replica was
     * promoted answers from the data it had then, without the writes acknowledged since; the new master is asked.
     */
    private Answer read(byte[] key) {
        for (int attempt = 1; ; attempt++) {
            Answer answer = read(key, connection.get());
            if (answer != DEPOSED) {
                return answer;
            }
            count("load-from-deposed-master");
            if (attempt == 2) {
                throw new RedisException("the master changed twice while a session was read");
            }
        }
    }

    /** {@link #read(byte[])} with {@code master} as the master; {@link #DEPOSED} when it answered but is no longer it. */
    private Answer read(byte[] key, StatefulRedisConnection<byte[], byte[]> master) {
        RedisFuture<Map<byte[], byte[]>> fromMaster = master.async().hgetall(key);
        List<StatefulRedisConnection<byte[], byte[]>> standby = replicas.get();
        if (standby.isEmpty()) {
            return stillMaster(master, awaitMaster(fromMaster, "no replica is readable"));
        }
        // While the Sentinels hold the master down (saves are fenced), it may be a deposed one, thawed or healed
        // before the store heard of the promotion: its answer lacks what was saved on the promoted replica since.
        // Under replica-required every acknowledged save is on every streaming replica, so the replicas decide
        // then, as if the master were slow; a session they all lack is still asked of it. (In the other modes the
        // master may hold saves no replica has, and stays the better source.)
        boolean fenced = replicasRequired && !writable.getAsBoolean();
        if (fenced) {
            count("load-while-fenced");
        } else {
            try {
                return stillMaster(master, fromMaster.get(readFromReplicasAfter.toNanos(), TimeUnit.NANOSECONDS));
            } catch (TimeoutException | ExecutionException slowOrFailed) {
                // ask the replicas
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RedisException("interrupted while reading a session");
            }
        }
        // Every replica must answer: under replica-required an acknowledged save may be on one of them only. A
        // Sentinel reconfiguring a replica also closes its clients (CLIENT KILL TYPE normal), so during a failover
        // the replica connections may be reconnecting: ask again until all answer or the time is up.
        long deadline = System.nanoTime() + replicaTimeout.toNanos();
        CompletableFuture<Map<byte[], byte[]>> answer = fromMaster.toCompletableFuture();
        while (true) {
            boolean settled = replicasSettled.getAsBoolean();
            Map<byte[], byte[]> freshest = freshest(key, standby, deadline);
            if (!fenced && answer.isDone() && !answer.isCompletedExceptionally() && connection.get() == master) {
                return new Answer(answer.join(), true);
            }
            // Taken only from the replicas that were readable, and not reconnected, before and after they answered.
            boolean taken = freshest != null && settled && replicasSettled.getAsBoolean() && standby.equals(replicas.get());
            if (taken && !freshest.isEmpty()) {
                count("load-from-replica");
                return new Answer(freshest, false);
            }
            if (taken || System.nanoTime() + REPLICA_RETRY_PAUSE_NANOS >= deadline) {
                break;
            }
            LockSupport.parkNanos(REPLICA_RETRY_PAUSE_NANOS);
            standby = replicas.get();
            if (standby.isEmpty()) {
                break;
            }
        }
        // No replica holds the session, or not every one answered: the master decides (or fails, after the
        // command timeout). Absence on a replica proves nothing, and a user must not be logged out for it.
        return stillMaster(master, awaitMaster(fromMaster, "not every one of " + standby.size() + " replicas answered, or none holds the session"));
    }

    /** {@code hash} as {@code master} answered it, or {@link #DEPOSED} when the store has followed a failover since it asked. */
    private Answer stillMaster(StatefulRedisConnection<byte[], byte[]> master, Map<byte[], byte[]> hash) {
        return connection.get() == master ? new Answer(hash, true) : DEPOSED;
    }

    /** The master's answer; its failure says what the replicas did not do either. */
    private Map<byte[], byte[]> awaitMaster(RedisFuture<Map<byte[], byte[]>> fromMaster, String replicas) {
        try {
            return await(fromMaster);
        } catch (RedisException e) {
            throw new RedisException(e.getMessage() + "; " + replicas, e);
        }
    }

    /**
     * The answer with the newest version among {@code standby}'s, waiting until {@code deadline}; null unless
     * every one answered.
     */
    private static Map<byte[], byte[]> freshest(byte[] key, List<StatefulRedisConnection<byte[], byte[]>> standby, long deadline) {
        List<RedisFuture<Map<byte[], byte[]>>> asked = new ArrayList<>(standby.size());
        for (StatefulRedisConnection<byte[], byte[]> replica : standby) {
            asked.add(replica.async().hgetall(key));
        }
        Map<byte[], byte[]> freshest = null;
        for (RedisFuture<Map<byte[], byte[]>> answer : asked) {
            try {
                Map<byte[], byte[]> hash = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (freshest == null || version(hash) > version(freshest)) {
                    freshest = hash;
                }
            } catch (TimeoutException | ExecutionException notEveryone) {
                return null; // that replica is down, reconnecting, or behind a partition too
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RedisException("interrupted while reading a session");
            }
        }
        return freshest;
    }

    /** A stored session's version ({@code ~v}, raised by every save); -1 when there is none. */
    private static long version(Map<byte[], byte[]> hash) {
        for (Map.Entry<byte[], byte[]> entry : hash.entrySet()) {
            if (Arrays.equals(entry.getKey(), VERSION)) {
                try {
                    return Long.parseLong(new String(entry.getValue(), StandardCharsets.US_ASCII));
                } catch (NumberFormatException corrupt) {
                    return -1; // decoding the session reports it
                }
            }
        }
        return -1;
    }

    private Session loaded(Session session, String outcome, long start, int roundTrips) {
        observer.loaded(outcome, System.nanoTime() - start, roundTrips);
        return session;
    }

    /** Decrypts, telling the observer which key failed and why. */
    private byte[] decrypt(byte[] associatedData, byte[] ciphertext) {
        try {
            return keys.decrypt(associatedData, ciphertext);
        } catch (SessionDataException e) {
            observer.decryptFailed(e.keyId() == null ? "none" : e.keyId(), e.reason());
            throw e;
        }
    }

    /** The stored session, or {@code null} when it has expired. */
    private Session decode(String id, String redisKey, Map<byte[], byte[]> hash) {
        byte[] created = null;
        byte[] accessed = null;
        List<byte[][]> fields = new ArrayList<>(hash.size());
        for (Map.Entry<byte[], byte[]> entry : hash.entrySet()) {
            byte[] field = entry.getKey();
            if (Arrays.equals(field, CREATED)) {
                created = entry.getValue();
            } else if (Arrays.equals(field, ACCESSED)) {
                accessed = entry.getValue();
            } else if (!Arrays.equals(field, VERSION) && !Arrays.equals(field, RETIRED)) {
                fields.add(new byte[][] {field, entry.getValue()});
            }
        }
        if (created == null || accessed == null) {
            throw new SessionDataException("format", null);
        }
        Instant createdAt = Instant.ofEpochMilli(ByteBuffer.wrap(decrypt(aad(redisKey, CREATED), created)).getLong());
        Instant accessedAt = Instant.ofEpochMilli(ByteBuffer.wrap(decrypt(aad(redisKey, ACCESSED), accessed)).getLong());
        Instant now = clock.instant();
        if (Duration.between(accessedAt, now).compareTo(idleTimeout) > 0 || Duration.between(createdAt, now).compareTo(absoluteTimeout) > 0) {
            return null;
        }
        Session session = new Session(this, id, redisKey, createdAt, accessedAt, false);
        if (keys.isStale(created)) {
            session.metadataStale();
        }
        for (byte[][] field : fields) {
            try {
                byte[] plain = decrypt(aad(redisKey, field[0]), field[1]);
                session.loaded(nameOf(plain), valueOf(plain), plain, keys.isStale(field[1]));
            } catch (SessionDataException e) {
                if (onCorruption == OnCorruption.FRESH_SESSION) {
                    throw e;
                }
                count("dropped-" + e.reason());
            }
        }
        return session;
    }

    /**
     * Writes what the request changed, in one round trip: nothing when nothing changed and the last access is
     * recent, a touch of the idle expiry when it is not.
     *
     * @throws SessionStoreUnavailableException when Redis does not answer within its timeout
     * @throws IllegalArgumentException         when the session would exceed its size limit
     */
    @Override
    public void save(Session session) {
        long start = System.nanoTime();
        if (session.isInvalidated()) {
            observer.saved("unchanged", System.nanoTime() - start, 0, 0);
            return;
        }
        Instant now = clock.instant();
        if (!session.hasChanges()) {
            if (!session.isNew() && Duration.between(session.lastAccessed(), now).compareTo(touchInterval) >= 0) {
                try {
                    SaveReply reply = runSave(session, List.of(), List.of(), now, "existing", "touch");
                    session.touched(now);
                    observer.saved("touched", System.nanoTime() - start, reply.roundTrips(), 0);
                } catch (SessionStoreUnavailableException e) {
                    // A read-only request does not fail for its touch (the master may be failing over); the next one
                    // touches again, well before the idle timeout.
                    observer.saved("touch-failed", System.nanoTime() - start, 1, 0);
                }
            } else {
                observer.saved("unchanged", System.nanoTime() - start, 0, 0);
            }
            return;
        }
        int sessionBytes = checkSessionSize(session);
        List<byte[]> sets = new ArrayList<>();
        for (String name : session.isNew() ? session.encodedValues().keySet() : union(session)) {
            byte[] plain = session.encodedValues().get(name);
            if (plain == null) {
                continue;
            }
            byte[] field = secrets.fieldName(session.id(), name);
            sets.add(field);
            sets.add(keys.encrypt(aad(session.redisKey(), field), plain));
            observer.attributeWritten(plain.length);
        }
        List<byte[]> deletes = new ArrayList<>();
        for (String name : session.removed()) {
            deletes.add(secrets.fieldName(session.id(), name));
        }
        String mode = session.isNew() ? "new" : "existing";
        if (session.isNew() || session.isMetadataStale()) {
            sets.add(CREATED);
            sets.add(keys.encrypt(aad(session.redisKey(), CREATED), epochMillis(session.created())));
        }
        SaveReply reply = runSave(session, sets, deletes, now, mode, "save");
        if (reply.result() == -1) {
            // Invalidated (or expired) while this request ran: the logout stands.
            count("save-refused");
            session.invalidated();
            observer.saved("refused", System.nanoTime() - start, reply.roundTrips(), 0);
            return;
        }
        if (reply.result() == -4) {
            // The id changed (a login) while this request ran on the old one: that key takes no more writes.
            count("save-retired");
            session.invalidated();
            observer.saved("refused", System.nanoTime() - start, reply.roundTrips(), 0);
            return;
        }
        if (reply.result() == -3) {
            count("save-late");
            throw new SessionStoreUnavailableException("save", new RedisException("the save reached Redis after its deadline"));
        }
        if (reply.result() == -2) {
            throw new IllegalStateException("session id collision: 256 random bits repeated, or a clock gone wrong");
        }
        session.saved(now);
        String previous = session.previousRedisKey();
        int roundTrips = reply.roundTrips();
        if (previous != null && mode.equals("new")) {
            retireQuietly(previous, idChangeGrace);
            roundTrips++;
        }
        observer.saved("written", System.nanoTime() - start, roundTrips, sessionBytes);
    }

    private record SaveReply(long result, int roundTrips) {
    }

    private static List<String> union(Session session) {
        List<String> names = new ArrayList<>(session.changed());
        for (String name : session.stale()) {
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    private SaveReply runSave(Session session, List<byte[]> sets, List<byte[]> deletes, Instant now, String mode, String operation) {
        List<byte[]> args = new ArrayList<>(5 + sets.size() + deletes.size() + 2);
        args.add(mode.getBytes(StandardCharsets.US_ASCII));
        args.add(Long.toString(idleTimeout.toMillis()).getBytes(StandardCharsets.US_ASCII));
        args.add(Integer.toString(sets.size() / 2 + 1).getBytes(StandardCharsets.US_ASCII));
        // A save that reaches Redis after its command timed out is refused: the request that sent it has failed,
        // and the user's next request may have saved newer values since, which a late write would undo. The
        // fault campaign caught it (seeds 3 and 7): a save stuck behind a WAIT on the shared connection timed out,
        // the user went on through another instance, and the stuck save then overwrote two newer visits (the
        // deadline was twice the timeout). Redis's clock and this host's must agree to well within the command
        // timeout (NTP: milliseconds); a skew of s lets a save land up to s after its request gave up.
        long deadline = (System.currentTimeMillis() + connection.get().getTimeout().toMillis()) * 1000;
        args.add(Long.toString(deadline).getBytes(StandardCharsets.US_ASCII));
        args.addAll(sets);
        args.add(ACCESSED);
        args.add(keys.encrypt(aad(session.redisKey(), ACCESSED), epochMillis(now)));
        args.addAll(deletes);
        byte[][] keysArg = {key(session.redisKey())};
        byte[][] argv = args.toArray(new byte[0][]);
        try {
            return new SaveReply(write(operation, async -> async.<Long>evalsha(SAVE_SCRIPT_SHA, ScriptOutputType.INTEGER, keysArg, argv)), 1);
        } catch (RedisNoScriptException e) {
            try {
                return new SaveReply(write(operation, async -> async.<Long>eval(SAVE_SCRIPT, ScriptOutputType.INTEGER, keysArg, argv)), 2);
            } catch (RedisException again) {
                throw new SessionStoreUnavailableException(operation, again);
            }
        }
    }

    /**
     * Sends a write, following the master once when it answers {@code READONLY} (it was demoted under this
     * connection): the store reconnects to the master the Sentinels name and sends the write again.
     *
     * @throws RedisNoScriptException when the command was {@code EVALSHA} and Redis does not know the script
     */
    private <T> T write(String operation, Function<RedisAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        for (int attempt = 1; ; attempt++) {
            try {
                return replicated(operation, command);
            } catch (RedisNoScriptException e) {
                throw e;
            } catch (RedisCommandExecutionException e) {
                if (attempt > 1 || !String.valueOf(e.getMessage()).contains("READONLY")) {
                    throw new SessionStoreUnavailableException(operation, e);
                }
                count("readonly-reconnect");
                onReadOnly.run();
            } catch (RedisException e) {
                throw new SessionStoreUnavailableException(operation, e);
            }
        }
    }

    /**
     * The write, and with durability on {@code WAIT} right behind it, sent back to back and awaited together:
     * one round trip. Returns the write's reply once enough replicas acknowledged it.
     */
    private <T> T replicated(String operation, Function<RedisAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
        if (!writable.getAsBoolean()) {
            count(operation + "-fenced");
            throw new SessionStoreUnavailableException(operation, new RedisException(
                    "a quorum of Sentinels consider the master down; nothing was written"));
        }
        StatefulRedisConnection<byte[], byte[]> current = connection.get();
        RedisAsyncCommands<byte[], byte[]> async = current.async();
        Replication replication = awaitReplicas > 0 ? replication(current, async, operation) : Replication.NONE;
        int wanted = replication.wanted();
        RedisFuture<T> written = command.apply(async);
        RedisFuture<Long> replicated = wanted > 0 ? async.waitForReplication(wanted, replicaTimeout.toMillis()) : null;
        T result = await(written);
        long acknowledged = replicated == null ? 0 : await(replicated);
        if (replication.recount() != null) {
            recounted(current, await(replication.recount()));
        }
        if (connection.get() != current || !writable.getAsBoolean()) {
            // followed a failover meanwhile, or the Sentinels consider the master down: a deposed master's
            // acknowledgement is worth nothing
            count(operation + "-on-deposed-master");
            throw new SessionStoreUnavailableException(operation, new RedisException(
                    "the store followed a failover, or the Sentinels found the master down, while the write was in flight; it may not have been kept"));
        }
        if (acknowledged < wanted) {
            count(operation + "-unreplicated");
            ReplicaCount fellShort = replicaCount.get(); // a replica may have stopped: count before the next save
            replicaCount.compareAndSet(fellShort, fellShort.on() == current ? fellShort.toRecheck() : ReplicaCount.unknown(current));
            throw new SessionStoreUnavailableException(operation, new RedisException(
                    "acknowledged by " + acknowledged + " of " + wanted + " replicas within " + replicaTimeout.toMillis() + " ms"));
        }
        count(operation);
        return result;
    }

    /** How many replicas a save waits for, and an {@code INFO} sent to recount them, to be read after the save. */
    private record Replication(int wanted, RedisFuture<String> recount) {
        static final Replication NONE = new Replication(0, null);
    }

    /**
     * {@code WAIT} asks for every replica that streams from the master (online, and acknowledging within the last
     * {@value #STREAMING_LAG_SECONDS} s), and at least {@link #awaitReplicas} under {@code replica-required}:
     * Sentinel may promote any replica it reaches, choosing by offsets and priorities it read up to seconds
     * before, so every acknowledged write must be on every one of them. A replica that stops acknowledging
     * (frozen, cut off) stops counting once its lag passes that; one that is gone leaves the master's list at
     * once. {@code INFO replication} rides along every 100 ms to keep the count current, and is read before the
     * next save after a {@code WAIT} fell short. A master with no replica streaming acknowledges alone (the
     * replica that rejoins copies everything), unless replicas are required: then the save is refused before
     * anything is written.
     */
    private Replication replication(StatefulRedisConnection<byte[], byte[]> current, RedisAsyncCommands<byte[], byte[]> async,
            String operation) {
        ReplicaCount count = replicaCount.get();
        if (count.on() != current) { // the first save, or a failover: the new master's replicas are not the old one's
            count = ReplicaCount.unknown(current);
            replicaCount.set(count);
        }
        boolean refusing = replicasRequired && count.streaming() < awaitReplicas;
        long now = System.nanoTime();
        RedisFuture<String> recount = null;
        // One INFO per interval however many saves run at once (the one that moves the time sends it); every save
        // counts while the count is unknown.
        if (!count.known() || now - count.checkedNanos() > REPLICA_CHECK_INTERVAL_NANOS && replicaCount.compareAndSet(count, count.askedAt(now))) {
            recount = async.info("replication");
        }
        if (recount != null && (!count.known() || refusing)) {
            count = recounted(current, await(recount)); // the count decides this save: read it first
            recount = null;
        }
        int wanted = count.wanted(awaitReplicas, replicasRequired);
        if (count.streaming() < wanted) { // required replicas missing: refuse before writing anything
            count(operation + "-unreplicated");
            throw new SessionStoreUnavailableException(operation, new RedisException("the master has " + count.streaming()
                    + " replica(s) streaming, " + wanted + " required; nothing was written"));
        }
        return new Replication(wanted, recount);
    }

    /**
     * Counts the replicas an {@code INFO replication} reply of {@code master} shows streaming: online and
     * acknowledging within {@value #STREAMING_LAG_SECONDS} s.
     */
    private ReplicaCount recounted(StatefulRedisConnection<byte[], byte[]> master, String info) {
        int streaming = 0;
        if (info.contains("role:master")) {
            for (String line : info.split("\r?\n")) {
                if (line.startsWith("slave") && line.contains("state=online") && lag(line) <= STREAMING_LAG_SECONDS) {
                    streaming++;
                }
            }
        }
        ReplicaCount count = new ReplicaCount(master, streaming, false, System.nanoTime());
        replicaCount.set(count);
        return count;
    }

    /**
     * The {@code lag=} of a {@code slaveN:} line of {@code INFO replication} (seconds since its last acknowledgement),
     * or {@link Long#MAX_VALUE}. Redis reports {@code lag=-1} for a replica that acknowledged within the current
     * second of its cached clock: read as "no number", it made the count 0 and refused saves for seconds.
     */
    private static long lag(String line) {
        int at = line.indexOf("lag=");
        if (at < 0) {
            return Long.MAX_VALUE;
        }
        int start = at + 4;
        int end = start < line.length() && line.charAt(start) == '-' ? start + 1 : start;
        while (end < line.length() && Character.isDigit(line.charAt(end))) {
            end++;
        }
        try {
            return Long.parseLong(line.substring(start, end));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * What the store knows of the master's replicas, counted on {@code on} by one {@code INFO}: how many stream
     * from it ({@code -1}: not counted yet), whether the next save must count again first ({@code recheck}: a
     * {@code WAIT} fell short), and when it last asked.
     */
    private record ReplicaCount(StatefulRedisConnection<byte[], byte[]> on, int streaming, boolean recheck, long checkedNanos) {
        static ReplicaCount unknown(StatefulRedisConnection<byte[], byte[]> on) {
            return new ReplicaCount(on, -1, false, 0);
        }

        boolean known() {
            return streaming >= 0 && !recheck;
        }

        ReplicaCount askedAt(long nanos) {
            return new ReplicaCount(on, streaming, recheck, nanos);
        }

        /** The same count, to be read again before the next save. */
        ReplicaCount toRecheck() {
            return new ReplicaCount(on, streaming, true, checkedNanos);
        }

        /** Every streaming replica; under {@code required} at least {@code replicas}. */
        int wanted(int replicas, boolean required) {
            int counted = Math.max(streaming, 0);
            return required ? Math.max(replicas, counted) : counted;
        }
    }

    private <T> T await(RedisFuture<T> future) {
        return LettuceFutures.awaitOrCancel(future, connection.get().getTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Ends the session: its data is deleted, and a save still in flight will not bring it back. */
    @Override
    public void invalidate(Session session) {
        session.invalidated();
        byte[][] doomed = session.previousRedisKey() == null ? new byte[][] {key(session.redisKey())}
                : new byte[][] {key(session.redisKey()), key(session.previousRedisKey())};
        write("invalidate", async -> async.del(doomed));
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
        count("change-id");
    }

    private RedisCommands<byte[], byte[]> commands() {
        return connection.get().sync();
    }

    /** For the commands of every request: the sync API's proxy costs a reflective call per command. */
    private RedisAsyncCommands<byte[], byte[]> async() {
        return connection.get().async();
    }

    private static byte[] key(String redisKey) {
        return redisKey.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] aad(String redisKey, byte[] field) {
        byte[] key = key(redisKey);
        byte[] aad = new byte[key.length + 1 + field.length];
        System.arraycopy(key, 0, aad, 0, key.length);
        System.arraycopy(field, 0, aad, key.length + 1, field.length);
        return aad;
    }

    private static byte[] epochMillis(Instant instant) {
        return ByteBuffer.allocate(8).putLong(instant.toEpochMilli()).array();
    }

    private void deleteQuietly(String redisKey) {
        try {
            commands().del(key(redisKey));
        } catch (RedisException ignored) {
            // expired anyway; Redis drops it at its TTL
        }
    }

    private void retireQuietly(String redisKey, Duration grace) {
        byte[][] keysArg = {key(redisKey)};
        byte[] graceMillis = Long.toString(grace.toMillis()).getBytes(StandardCharsets.US_ASCII);
        try {
            write("retire", async -> async.<Long>eval(RETIRE_SCRIPT, ScriptOutputType.INTEGER, keysArg, graceMillis));
        } catch (RuntimeException e) {
            // The new id is saved; the old key lives until its idle timeout, as if the request had not logged in.
            count("retire-failed");
        }
    }


    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String sha1Hex(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "RedisSessionStore[" + keys + ", " + secrets + ", idle " + idleTimeout + ", absolute " + absoluteTimeout + "]";
    }

    /** Not thread-safe; {@link #build()} copies its state. */
    public static final class Builder {
        private final Supplier<StatefulRedisConnection<byte[], byte[]>> connection;
        private final Supplier<List<StatefulRedisConnection<byte[], byte[]>>> replicas;
        private final Runnable onReadOnly;
        private BooleanSupplier writable = () -> true;
        private BooleanSupplier replicasSettled = () -> true;
        private final SessionSecrets secrets;
        private final KeyRing keys;
        private SessionCodec codec = SessionCodec.allowing();
        private Duration idleTimeout = Duration.ofMinutes(30);
        private Duration absoluteTimeout = Duration.ofHours(24);
        private Duration touchInterval;
        private Duration idChangeGrace = Duration.ofSeconds(10);
        private OnCorruption onCorruption = OnCorruption.FRESH_SESSION;
        private Clock clock = Clock.systemUTC();
        private int maxAttributeBytes = 64 * 1024;
        private int maxSessionBytes = 512 * 1024;
        private String keyPrefix = "reporadar:session:";
        private SessionObserver observer = SessionObserver.NONE;
        private int awaitReplicas;
        private boolean replicasRequired;
        private Duration replicaTimeout = Duration.ofMillis(500);

        private Duration readFromReplicasAfter = Duration.ofMillis(250);

        private Builder(Supplier<StatefulRedisConnection<byte[], byte[]>> connection,
                Supplier<List<StatefulRedisConnection<byte[], byte[]>>> replicas, Runnable onReadOnly, SessionSecrets secrets, KeyRing keys) {
            this.connection = connection;
            this.replicas = replicas;
            this.onReadOnly = onReadOnly;
            this.secrets = Objects.requireNonNull(secrets, "secrets");
            this.keys = Objects.requireNonNull(keys, "keys");
        }

        public Builder codec(SessionCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** Sessions unused for this long expire (default 30 min). */
        public Builder idleTimeout(Duration idle) {
            this.idleTimeout = positive("idleTimeout", idle);
            return this;
        }

        /** Sessions older than this expire however active (default 24 h). */
        public Builder absoluteTimeout(Duration absolute) {
            this.absoluteTimeout = positive("absoluteTimeout", absolute);
            return this;
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

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder limits(int maxAttributeBytes, int maxSessionBytes) {
            if (maxAttributeBytes < 1 || maxSessionBytes < maxAttributeBytes) {
                throw new IllegalArgumentException("limits: attribute " + maxAttributeBytes + ", session " + maxSessionBytes
                        + " (expected: 1 <= attribute <= session)");
            }
            this.maxAttributeBytes = maxAttributeBytes;
            this.maxSessionBytes = maxSessionBytes;
            return this;
        }

        public Builder keyPrefix(String prefix) {
            this.keyPrefix = Objects.requireNonNull(prefix, "keyPrefix");
            return this;
        }

        /** Hears every load, save and decrypt failure, e.g. {@code new SessionMetrics(registry)}. */
        public Builder observer(SessionObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
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
         * replicas acknowledged it (and every one that streams), however many the master has; while fewer stream, saves are refused
         * ({@link SessionStoreUnavailableException}) before anything is written. No acknowledged write can then
         * be lost to a failover, at the price of no writes at all while the topology is down to one node.
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
            if (absoluteTimeout.compareTo(idleTimeout) < 0) {
                throw new IllegalArgumentException("absoluteTimeout: " + absoluteTimeout + " (expected: at least idleTimeout " + idleTimeout + ")");
            }
            return new RedisSessionStore(this);
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: a positive duration)");
            }
            return value;
        }
    }
}
