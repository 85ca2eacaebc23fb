package io.reporadar.session;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;

/**
 * A Lettuce client set up for a session store on the request path: a bounded command timeout for every
 * command (Lettuce's default is 60 s, and asynchronous commands otherwise never time out), a short connect
 * timeout, commands rejected at once while disconnected instead of queued behind a reconnect, and
 * automatic reconnection.
 *
 * <p>Accepts {@code redis://}, {@code rediss://} and {@code redis-sentinel://} URLs. Thread-safe: one
 * connection serves every request.
 */
public final class SessionRedis implements AutoCloseable {

    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;

    private SessionRedis(RedisClient client, StatefulRedisConnection<byte[], byte[]> connection) {
        this.client = client;
        this.connection = connection;
    }

    /**
     * Connects to {@code redisUrl} ({@code REDIS_URL}).
     *
     * @throws IllegalArgumentException naming {@code REDIS_URL} when it is malformed (never echoing a password)
     */
    public static SessionRedis connect(String redisUrl, Duration commandTimeout, Duration connectTimeout) {
        RedisURI uri;
        try {
            uri = RedisURI.create(redisUrl);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("REDIS_URL: not a Redis URL (expected: redis://[:password@]host:port[/db],"
                    + " rediss://... or redis-sentinel://host:26379,host2:26379#master)");
        }
        uri.setTimeout(commandTimeout);
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
                .build());
        try {
            return new SessionRedis(client, client.connect(ByteArrayCodec.INSTANCE, uri));
        } catch (RuntimeException e) {
            client.shutdown();
            throw new SessionStoreUnavailableException("connect", e);
        }
    }

    public StatefulRedisConnection<byte[], byte[]> connection() {
        return connection;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
