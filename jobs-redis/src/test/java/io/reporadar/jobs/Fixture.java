package io.reporadar.jobs;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.reporadar.session.KeyRing;
import io.reporadar.session.SessionEncryptionKey;
import io.reporadar.session.SessionRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the queue's tests share: a key ring, connections they close at the end, queue names of their own, and a
 * raw connection to look at Redis with.
 */
final class Fixture implements AutoCloseable {

    static final String KEY_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    static final KeyRing KEYS = KeyRing.of(SessionEncryptionKey.fromHex("SESSION_ENCRYPTION_KEY", KEY_HEX), List.of());
    private static final AtomicInteger QUEUES = new AtomicInteger();

    private final String uri;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final RedisClient rawClient;
    private final StatefulRedisConnection<byte[], byte[]> raw;

    Fixture(String uri) {
        this.uri = uri;
        this.rawClient = RedisClient.create(uri);
        this.raw = rawClient.connect(ByteArrayCodec.INSTANCE);
    }

    /** A connection as an instance opens one (closed by {@link #close()} after the workers). */
    SessionRedis redis() {
        return redis(uri);
    }

    SessionRedis redis(String url) {
        SessionRedis redis = SessionRedis.connect(url, Duration.ofSeconds(1), Duration.ofSeconds(2));
        opened.add(0, redis);
        return redis;
    }

    /** A queue name no other test uses. */
    static String queueName(String test) {
        return test + "-" + QUEUES.incrementAndGet();
    }

    JobQueue.Builder queue(String name) {
        return JobQueue.builder(redis(), name, KEYS);
    }

    /** Builds and starts a worker (drain timeout 2 s), closed with the fixture. */
    JobWorker start(JobWorker.Builder builder) {
        return closeLater(builder.drainTimeout(Duration.ofSeconds(2)).build().start());
    }

    /** The job's state now. */
    static JobInfo.State state(JobQueue queue, JobId id) {
        return queue.get(id).orElseThrow().state();
    }

    /** Closes {@code worker} with the other resources, before the connections. */
    <T extends AutoCloseable> T closeLater(T resource) {
        opened.add(0, resource);
        return resource;
    }

    /** Commands on the queue's Redis, byte for byte. */
    io.lettuce.core.api.sync.RedisCommands<byte[], byte[]> raw() {
        return raw.sync();
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The Redis key of job {@code id} of queue {@code queue}. */
    static byte[] jobKey(String queue, String id) {
        return bytes("reporadar:jobs:{" + queue + "}:job:" + id);
    }

    @Override
    public void close() {
        for (AutoCloseable resource : opened) {
            try {
                resource.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + resource + " failed", e);
            }
        }
        raw.close();
        rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
