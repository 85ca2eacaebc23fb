package io.reporadar.testing;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands a test class a fresh PostgreSQL database, dropped after the class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresExtension pg = PostgresExtension.freshDatabase();   // on the JVM's shared server
 *
 * @RegisterExtension
 * static final PostgresExtension small = PostgresExtension.privateServer(Map.of("max_connections", "20"));
 * }</pre>
 *
 * <p>{@code @ExtendWith(PostgresExtension.class)} means {@link #freshDatabase()}; test and lifecycle methods
 * may take a {@link PostgresDatabase} or {@link PostgresServer} parameter. When a test fails, the last lines
 * of a private server's log are attached. Register it on a static field.
 *
 * <p>Thread-safe.
 */
public final class PostgresExtension extends LogAttachingExtension implements BeforeAllCallback, AfterAllCallback,
        ParameterResolver {

    private final @Nullable Map<String, String> privateSettings; // null: the shared server
    private volatile @Nullable PostgresServer server; // null until before all tests
    private volatile @Nullable PostgresDatabase database; // null until before all tests

    /** A fresh database on the shared server; the form {@code @ExtendWith} uses. */
    public PostgresExtension() {
        this(null);
    }

    /** {@code privateSettings}: the settings of a private server, or null for the shared server. */
    private PostgresExtension(@Nullable Map<String, String> privateSettings) {
        this.privateSettings = privateSettings == null ? null : Map.copyOf(privateSettings);
    }

    /** A fresh database on the JVM's shared server ({@code DATABASE_URL} or a private one). */
    public static PostgresExtension freshDatabase() {
        return new PostgresExtension(null);
    }

    /** A private server for this class alone, with these settings, and a fresh database on it. */
    public static PostgresExtension privateServer(Map<String, String> settings) {
        return new PostgresExtension(settings);
    }

    public PostgresDatabase database() {
        PostgresDatabase db = database;
        if (db == null) {
            throw new IllegalStateException("the database is created before all tests of the class:"
                    + " register PostgresExtension on a static field");
        }
        return db;
    }

    public PostgresServer server() {
        return database().server();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        PostgresServer started = privateSettings == null ? PostgresServer.shared() : PostgresServer.start(privateSettings);
        server = started;
        database = started.createDatabase();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        PostgresDatabase db = database;
        PostgresServer s = server;
        try {
            if (db != null) {
                db.close();
            }
        } finally {
            if (privateSettings != null && s != null) {
                s.close();
            }
        }
    }

    @Override
    @Nullable String serverName() {
        PostgresServer s = server;
        return s == null ? null : s.toString();
    }

    @Override
    String logTail() {
        PostgresServer s = server;
        return s == null ? "(no server)" : s.logTail(20);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == PostgresDatabase.class || type == PostgresServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == PostgresServer.class ? server() : database();
    }

}
