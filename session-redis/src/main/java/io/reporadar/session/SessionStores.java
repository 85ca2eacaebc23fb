package io.reporadar.session;

import io.reporadar.core.Durations;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;
import java.util.Objects;

/**
 * Builds the session store the deployment's environment asks for, failing at start-up with every problem
 * named by its variable.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><td>{@code USE_REDIS_SESSIONS}</td><td>{@code true} (default): Redis; {@code false}: this process's memory,
 *       fit for one instance only</td></tr>
 *   <tr><td>{@code REDIS_URL}</td><td>required with Redis</td></tr>
 *   <tr><td>{@code REDIS_SENTINEL_PASSWORD}</td><td>with {@code redis-sentinel://}: the Sentinels' {@code requirepass}
 *       (the URL's password is the data nodes')</td></tr>
 *   <tr><td>{@code SESSION_SECRET}, {@code SESSION_SECRET_PREVIOUS}, {@code SESSION_COOKIE_FORMAT}</td><td>see
 *       {@link SessionSecrets}</td></tr>
 *   <tr><td>{@code SESSION_ENCRYPTION_KEY}, {@code SESSION_ENCRYPTION_KEY_PREVIOUS}</td><td>see {@link KeyRing}
 *       (required with Redis)</td></tr>
 *   <tr><td>{@code SESSION_IDLE_TIMEOUT}, {@code SESSION_ABSOLUTE_TIMEOUT}</td><td>durations, {@code 30m} or {@code 24h}
 *       (the defaults); a bare number is seconds, as before units were read ({@link Durations})</td></tr>
 *   <tr><td>{@code SESSION_DURABILITY}</td><td>{@code master} (default): a save succeeds once the master has it;
 *       {@code replica-required} (recommended with Sentinel and two replicas): once every replica that streams
 *       from the master, and at least one, acknowledged it too (Redis {@code WAIT}), and it is refused before
 *       anything is written while none streams, so no single fault loses an acknowledged session write; {@code replica}: the
 *       same, except that a master with no replica online acknowledges alone (a failover then loses those
 *       writes)</td></tr>
 *   <tr><td>{@code REDIS_PROMOTION_GUARD}</td><td>with {@code redis-sentinel://}: {@code true} (default) keeps
 *       replicas that are not streaming from the live master unpromotable until they have caught up (see
 *       {@link SessionRedis#guardPromotions()}); {@code false} turns that off</td></tr>
 * </table>
 *
 * <p>Thread-safe (stateless).
 */
public final class SessionStores {

    private static final Logger LOG = LoggerFactory.getLogger(SessionStores.class);

    private SessionStores() {
    }

    /** A store and what to close when the application stops. */
    public static final class Opened implements AutoCloseable {
        private final SessionStore store;
        private final @Nullable SessionRedis redis;
        private final boolean replicasExpected;

        Opened(SessionStore store, @Nullable SessionRedis redis, boolean replicasExpected) {
            this.store = store;
            this.redis = redis;
            this.replicasExpected = replicasExpected;
        }

        /**
         * Whether the deployment runs Redis replicas: Sentinels are named, or {@code SESSION_DURABILITY} waits for
         * replicas. Where it does not, a standalone Redis with no replica is the norm, not a fault to alert on.
         */
        public boolean replicasExpected() {
            return replicasExpected;
        }

        public SessionStore store() {
            return store;
        }

        /** The Redis connection, or {@code null} for the in-memory store. */
        public @Nullable SessionRedis redis() {
            return redis;
        }

        @Override
        public void close() {
            if (redis != null) {
                redis.close();
            }
        }
    }

    /**
     * The store the environment asks for (see the table above).
     *
     * @throws IllegalArgumentException listing every missing or malformed variable
     * @throws SessionStoreUnavailableException when Redis cannot be reached
     */
    public static Opened fromEnvironment(Map<String, String> env, SessionCodec codec) {
        return fromEnvironment(env, codec, SessionObserver.NONE);
    }

    /** As {@link #fromEnvironment(Map, SessionCodec)}, with the Redis store reporting to {@code observer}. */
    public static Opened fromEnvironment(Map<String, String> env, SessionCodec codec, SessionObserver observer) {
        List<String> problems = new ArrayList<>();
        String useRedis = env.getOrDefault("USE_REDIS_SESSIONS", "true").strip().toLowerCase(Locale.ROOT);
        if (!useRedis.equals("true") && !useRedis.equals("false")) {
            problems.add("USE_REDIS_SESSIONS: " + useRedis + " (expected: true or false)");
        }
        boolean redis = !useRedis.equals("false");
        SessionSecrets secrets = attempt(() -> SessionSecrets.fromEnvironment(env), problems);
        KeyRing keys = redis ? attempt(() -> KeyRing.fromEnvironment(env), problems) : null;
        Duration idle = duration(env, "SESSION_IDLE_TIMEOUT", Duration.ofMinutes(30), problems);
        Duration absolute = duration(env, "SESSION_ABSOLUTE_TIMEOUT", Duration.ofHours(24), problems);
        if (absolute.compareTo(idle) < 0) {
            problems.add("SESSION_ABSOLUTE_TIMEOUT: " + Durations.format(absolute) + " (expected: at least SESSION_IDLE_TIMEOUT, "
                    + Durations.format(idle) + ")");
        }
        String durability = env.getOrDefault("SESSION_DURABILITY", "master").strip().toLowerCase(Locale.ROOT);
        if (!List.of("master", "replica", "replica-required").contains(durability)) {
            problems.add("SESSION_DURABILITY: " + durability + " (expected: master, replica or replica-required)");
        }
        String guard = env.getOrDefault("REDIS_PROMOTION_GUARD", "true").strip().toLowerCase(Locale.ROOT);
        if (!guard.equals("true") && !guard.equals("false")) {
            problems.add("REDIS_PROMOTION_GUARD: " + guard + " (expected: true or false)");
        }
        String url = env.get("REDIS_URL");
        if (redis && (url == null || url.isBlank())) {
            problems.add("REDIS_URL: missing (expected: redis://host:6379, or USE_REDIS_SESSIONS=false for a single instance)");
        }
        String sentinelPassword = env.get("REDIS_SENTINEL_PASSWORD");
        if (sentinelPassword != null && sentinelPassword.isBlank()) {
            sentinelPassword = null;
        }
        if (redis && sentinelPassword != null && url != null && !namesSentinels(url)) {
            // One env file serves the compose file's profiles with and without Sentinels: not an error.
            LOG.warn("REDIS_SENTINEL_PASSWORD is set, but REDIS_URL names no Sentinels: it is not used");
            sentinelPassword = null;
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid session configuration: " + String.join("; ", problems));
        }
        // Every problem was reported above: what is needed from here on is there.
        SessionSecrets checkedSecrets = Objects.requireNonNull(secrets, "SESSION_SECRET");
        if (!redis) {
            LOG.warn("USE_REDIS_SESSIONS=false: sessions live in this process's memory; behind a load balancer with"
                    + " several instances, users will be logged out whenever a request lands elsewhere");
            return new Opened(InMemorySessionStore.builder(checkedSecrets).codec(codec).observer(observer)
                    .idleTimeout(idle).absoluteTimeout(absolute).build(), null, false);
        }
        SessionRedis connection = SessionRedis.connect(Objects.requireNonNull(url, "REDIS_URL"), sentinelPassword, SessionRedis.DEFAULT_COMMAND_TIMEOUT,
                SessionRedis.DEFAULT_CONNECT_TIMEOUT);
        if (guard.equals("true")) {
            connection.guardPromotions();
        }
        RedisSessionStore.Builder store = RedisSessionStore.builder(connection, checkedSecrets, Objects.requireNonNull(keys, "SESSION_ENCRYPTION_KEY")).codec(codec).observer(observer)
                .idleTimeout(idle).absoluteTimeout(absolute);
        if (durability.equals("replica")) {
            store.awaitReplicas(1, SessionRedis.DEFAULT_COMMAND_TIMEOUT.dividedBy(2));
        } else if (durability.equals("replica-required")) {
            store.requireReplicas(1, SessionRedis.DEFAULT_COMMAND_TIMEOUT.dividedBy(2));
        }
        return new Opened(store.build(), connection, connection.viaSentinels() || durability.startsWith("replica"));
    }

    /** Whether a {@code REDIS_URL} names Sentinels ({@code redis-sentinel://}, {@code rediss-sentinel://}, any case). */
    private static boolean namesSentinels(String url) {
        try {
            return !io.lettuce.core.RedisURI.create(url.strip()).getSentinels().isEmpty();
        } catch (RuntimeException malformed) {
            return true; // the connection reports the URL, naming REDIS_URL
        }
    }

    private static <T> @Nullable T attempt(java.util.function.Supplier<T> read, List<String> problems) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    /** A duration variable: {@code 30m}, {@code 1800s}, or a bare number of seconds as before units were read. */
    private static Duration duration(Map<String, String> env, String name, Duration fallback, List<String> problems) {
        Duration value = Durations.fromEnvironment(env, name, fallback, ChronoUnit.SECONDS, problems);
        if (value.compareTo(Duration.ofSeconds(1)) < 0) {
            problems.add(name + ": " + Durations.format(value) + " (expected: at least 1s)");
            return fallback;
        }
        return value;
    }
}
