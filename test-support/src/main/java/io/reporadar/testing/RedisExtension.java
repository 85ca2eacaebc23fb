package io.reporadar.testing;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands a test class a real Redis server.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisExtension redis = RedisExtension.shared();      // one per JVM, flushed before each class
 *
 * @RegisterExtension
 * static final RedisExtension faulty = RedisExtension.perClass();   // private, with kill/freeze/restart
 * }</pre>
 *
 * <p>{@code @ExtendWith(RedisExtension.class)} means {@link #shared()}; test and lifecycle methods may take
 * a {@link RedisServer} parameter. When a test fails, the last lines of the server's log are attached.
 * Register it on a static field: the server lives for the class.
 *
 * <p>Thread-safe.
 */
public final class RedisExtension extends LogAttachingExtension implements BeforeAllCallback, AfterAllCallback,
        ParameterResolver {

    private final boolean perClass;
    private final String[] configLines;
    private volatile @Nullable RedisServer server; // null until before all tests

    /** The shared server; the form {@code @ExtendWith} uses. */
    public RedisExtension() {
        this(false, new String[0]);
    }

    private RedisExtension(boolean perClass, String[] configLines) {
        this.perClass = perClass;
        this.configLines = configLines.clone();
    }

    /** The server shared by the JVM ({@code REDIS_URL} or a private one), flushed before each test class. */
    public static RedisExtension shared() {
        return new RedisExtension(false, new String[0]);
    }

    /** A private server for this class alone, with extra {@code redis.conf} lines; it has fault handles. */
    public static RedisExtension perClass(String... configLines) {
        return new RedisExtension(true, configLines);
    }

    /** The server; available from {@code @BeforeAll} on. */
    public RedisServer server() {
        RedisServer s = server;
        if (s == null) {
            throw new IllegalStateException("the Redis server starts before all tests of the class:"
                    + " register RedisExtension on a static field");
        }
        return s;
    }

    /** Shorthand for {@code server().uri()}. */
    public String uri() {
        return server().uri();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (perClass) {
            server = RedisServer.start(configLines);
        } else {
            RedisServer shared = RedisServer.shared();
            shared.flushAll();
            server = shared;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisServer s = server;
        if (perClass && s != null) {
            s.close();
        }
    }

    @Override
    @Nullable String serverName() {
        RedisServer s = server;
        return s == null ? null : s.toString();
    }

    @Override
    String logTail() {
        RedisServer s = server;
        return s == null ? "(no server)" : s.logTail(20);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RedisServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server();
    }

}
