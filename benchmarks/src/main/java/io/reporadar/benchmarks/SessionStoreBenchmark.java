package io.reporadar.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.reporadar.session.KeyRing;
import io.reporadar.session.RedisSessionStore;
import io.reporadar.session.Session;
import io.reporadar.session.SessionEncryptionKey;
import io.reporadar.session.internal.SessionCipher;
import io.reporadar.session.SessionRedis;
import io.reporadar.session.SessionSecrets;
import io.reporadar.testing.RedisServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.session.SessionRepository;
import org.springframework.session.data.redis.RedisSessionRepository;

/**
 * A request's session work against one private Redis, 8 threads, each thread on its own 1 KiB session of 8
 * attributes, every store on one shared connection (each library's default).
 *
 * <ul>
 *   <li>{@code change*}: load, change one attribute, save. Peers: Spring Session Data Redis's
 *       {@code RedisSessionRepository} as Spring Boot configures it (string keys, JDK-serialized values), and
 *       raw Lettuce GET + SET of the same 1 KiB, the floor for one read and one write.</li>
 *   <li>{@code readOnly*}: load, read one attribute, save as a filter does at the end of every request (a
 *       no-op for ours; Spring Session writes its last-access time).</li>
 *   <li>{@code cryptoSession}: encrypt and decrypt the 8 attribute values of a 1 KiB session in memory.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(8)
@SuppressWarnings("NullAway.Init") // JMH sets the @Param fields and runs @Setup before any benchmark method
public class SessionStoreBenchmark {

    static final int ATTRIBUTES = 8;
    static final String[] VALUES = {"x".repeat(120), "y".repeat(120)};
    private static final String SECRET = "a-benchmark-session-secret-of-32-characters";
    private static final String KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    RedisServer server;
    SessionRedis ours;
    RedisSessionStore store;
    LettuceConnectionFactory springFactory;
    SessionRepository<?> spring;
    RedisClient rawClient;
    StatefulRedisConnection<byte[], byte[]> raw;
    KeyRing keys;
    SessionCipher cipher;

    @Setup(Level.Trial)
    public void setUp() {
        server = RedisServer.start();
        keys = KeyRing.of(SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY", KEY), List.of());
        cipher = SessionCipher.of(keys);
        ours = SessionRedis.connect(server.uri(), Duration.ofSeconds(2), Duration.ofSeconds(2));
        store = RedisSessionStore.builder(ours.connection(), SessionSecrets.of(SECRET, List.of(), SessionSecrets.CookieFormat.REPORADAR), keys)
                .build();

        URI uri = URI.create(server.uri());
        springFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(uri.getHost(), uri.getPort()));
        springFactory.afterPropertiesSet();
        springFactory.start();
        RedisTemplate<String, Object> template = new RedisTemplate<>();
        template.setConnectionFactory(springFactory);
        template.setKeySerializer(RedisSerializer.string());
        template.setHashKeySerializer(RedisSerializer.string());
        template.afterPropertiesSet();
        spring = new RedisSessionRepository(template);

        rawClient = RedisClient.create(server.uri());
        raw = rawClient.connect(ByteArrayCodec.INSTANCE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        raw.close();
        rawClient.shutdown();
        springFactory.destroy();
        ours.close();
        server.close();
    }

    /** One thread's sessions, written once before measuring. */
    @State(Scope.Thread)
    @SuppressWarnings("NullAway.Init") // JMH sets the @Param fields and runs @Setup before any benchmark method
    public static class ThreadSessions {
        String cookie;
        String springId;
        byte[] rawKey;
        byte[][] associatedData = new byte[ATTRIBUTES][];
        byte[][] plaintexts = new byte[ATTRIBUTES][];
        int flip;

        @Setup(Level.Trial)
        public void setUp(SessionStoreBenchmark benchmark) {
            Session session = benchmark.store.create();
            StringBuilder blob = new StringBuilder();
            for (int i = 0; i < ATTRIBUTES; i++) {
                session.set("a" + i, VALUES[0]);
                blob.append(VALUES[0]);
                associatedData[i] = (session.id() + "/a" + i).getBytes(StandardCharsets.UTF_8);
                plaintexts[i] = VALUES[0].getBytes(StandardCharsets.UTF_8);
            }
            benchmark.store.save(session);
            cookie = benchmark.store.cookieValue(session);
            springId = createSpringSession(benchmark.spring);
            rawKey = ("raw:" + session.id()).getBytes(StandardCharsets.UTF_8);
            benchmark.raw.sync().set(rawKey, blob.toString().getBytes(StandardCharsets.UTF_8));
        }

        private static <S extends org.springframework.session.Session> String createSpringSession(SessionRepository<S> repository) {
            S session = repository.createSession();
            for (int i = 0; i < ATTRIBUTES; i++) {
                session.setAttribute("a" + i, VALUES[0]);
            }
            repository.save(session);
            return session.getId();
        }

        String nextValue() {
            flip ^= 1;
            return VALUES[flip];
        }
    }

    @Benchmark
    public Session changeReporadar(ThreadSessions thread) {
        Session session = store.load(thread.cookie);
        session.set("a0", thread.nextValue());
        store.save(session);
        return session;
    }

    @Benchmark
    public @Nullable Object changePeerSpringSession(ThreadSessions thread) {
        return springRequest(spring, thread.springId, thread.nextValue());
    }

    @Benchmark
    public String changePeerRawLettuce(ThreadSessions thread) {
        RedisCommands<byte[], byte[]> sync = raw.sync();
        byte[] value = sync.get(thread.rawKey);
        return sync.set(thread.rawKey, value);
    }

    @Benchmark
    public String readOnlyReporadar(ThreadSessions thread) {
        Session session = store.load(thread.cookie);
        String value = session.get("a1", String.class);
        store.save(session);
        return String.valueOf(value);
    }

    @Benchmark
    public @Nullable Object readOnlyPeerSpringSession(ThreadSessions thread) {
        return springRequest(spring, thread.springId, null);
    }

    /**
     * What Spring Session's filter does for one request: find, touch, read (and with {@code newValue}, not null,
     * change) an attribute, save.
     */
    private static <S extends org.springframework.session.Session> @Nullable Object springRequest(
            SessionRepository<S> repository, String id, @Nullable String newValue) {
        S session = repository.findById(id);
        session.setLastAccessedTime(java.time.Instant.now());
        if (newValue != null) {
            session.setAttribute("a0", newValue);
        }
        Object value = session.getAttribute("a1");
        repository.save(session);
        return value;
    }

    /** In memory, no Redis: the 8 values of a 1 KiB session encrypted and decrypted, as one load and save do. */
    @Benchmark
    @Threads(1)
    public int cryptoSession(ThreadSessions thread) {
        int total = 0;
        for (int i = 0; i < ATTRIBUTES; i++) {
            byte[] ciphertext = cipher.encrypt(thread.associatedData[i], thread.plaintexts[i]);
            total += cipher.decrypt(thread.associatedData[i], ciphertext).length;
        }
        return total;
    }
}
