package io.reporadar.testing;

import io.reporadar.testing.internal.Binaries;
import io.reporadar.testing.internal.ContainerBackend;
import io.reporadar.testing.internal.ManagedProcess;
import io.reporadar.testing.internal.Os;
import io.reporadar.testing.internal.Ports;
import io.reporadar.testing.internal.Resp;
import io.reporadar.testing.internal.ServerBackend;
import io.reporadar.testing.internal.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A real Redis server for tests: a private one on a free port with handles to stop, kill, freeze, thaw and
 * restart it, or the shared one of this JVM.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *     RedisClient client = RedisClient.create(redis.uri());
 *     ...
 *     redis.freeze();   // SIGSTOP: the connection stays open, nothing answers
 *     redis.thaw();
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class RedisServer extends ServerHandle {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final String INSTALL_HINT = "install one: apt-get install redis-server (Debian/Ubuntu),"
            + " brew install redis (macOS), or set REDIS_URL to a Redis server for tests";

    private static @Nullable RedisServer shared; // guarded by RedisServer.class

    private final @Nullable String password; // null: no AUTH
    private final int database;

    private RedisServer(String name, ServerSource source, String host, int port, @Nullable String password, int database,
            @Nullable ServerBackend backend, @Nullable Path dir) {
        super(name, source, host, port, backend, dir, "REDIS_URL");
        this.password = password;
        this.database = database;
    }

    /** Starts a private server on a free port: an installed redis-server, else the embedded one, else Docker. */
    public static RedisServer start(String... configLines) {
        return launch("redis-server", Arrays.asList(configLines), List.of(), List::of, false, Ports.free(), null);
    }

    /**
     * Starts a private server with {@code arguments} on its command line too: unlike the configuration file,
     * which {@code CONFIG REWRITE} (and so Sentinel) may change, they hold on every restart.
     */
    static RedisServer startWithArguments(List<String> configLines, List<String> arguments) {
        return startWithArguments(configLines, arguments, List::of);
    }

    /** As above, with {@code atEachStart} asked for more arguments every time the server (re)starts. */
    static RedisServer startWithArguments(List<String> configLines, List<String> arguments, Supplier<List<String>> atEachStart) {
        return launch("redis-server", configLines, arguments, atEachStart, false, Ports.free(), null);
    }

    /**
     * Starts a server (or, with {@code sentinel}, a Sentinel) on {@code host}, bound to its address: an installed
     * redis-server or the embedded one (not Docker). Restarts stay on that host.
     */
    static RedisServer startOn(NetworkHosts.Host host, List<String> configLines, List<String> arguments, boolean sentinel) {
        return startOn(host, configLines, arguments, List::of, sentinel);
    }

    /** As above, with {@code atEachStart} asked for more arguments every time the server (re)starts. */
    static RedisServer startOn(NetworkHosts.Host host, List<String> configLines, List<String> arguments, Supplier<List<String>> atEachStart,
            boolean sentinel) {
        return launch(sentinel ? "redis-sentinel" : "redis-server", configLines, arguments, atEachStart, sentinel, Ports.free(), host);
    }

    /**
     * The server shared by every test class of this JVM: {@code REDIS_URL} when set, else a private server
     * started once and stopped at JVM exit. Callers flush it ({@link #flushAll()}) rather than stop it.
     */
    public static synchronized RedisServer shared() {
        RedisServer current = shared;
        if (current == null || !current.isRunning()) {
            String url = System.getenv("REDIS_URL");
            if (url != null && !url.isBlank() && ServerSource.ENVIRONMENT.allowed()) {
                current = fromUrl(url);
            } else if (ServerSource.forced().orElse(null) == ServerSource.ENVIRONMENT) {
                throw new IllegalStateException(ServerSource.PROPERTY + " forces environment, but REDIS_URL is not set");
            } else {
                current = start();
            }
            shared = current;
        }
        return current;
    }

    /** Starts a server in Sentinel mode; used by {@link RedisSentinelTopology}. */
    static RedisServer startSentinel(List<String> configLines, int port) {
        return launch("redis-sentinel", configLines, List.of(), List::of, true, port, null);
    }

    private static RedisServer fromUrl(String url) {
        URI uri = URI.create(url.trim());
        if (!"redis".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("REDIS_URL: " + uri.getScheme() + "://... (expected: redis://[:password@]host[:port][/db]"
                    + " for tests; TLS and Sentinel URLs are not supported by the shared test server)");
        }
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            password = URLDecoder.decode(info.substring(info.indexOf(':') + 1), StandardCharsets.UTF_8);
        }
        int db = 0;
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            try {
                db = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("REDIS_URL: database " + path.substring(1) + " (expected: a number)", e);
            }
        }
        RedisServer server = new RedisServer("redis " + uri.getHost() + ":" + port(uri), ServerSource.ENVIRONMENT,
                uri.getHost(), port(uri), password, db, null, null);
        try {
            server.call("PING");
        } catch (RuntimeException e) {
            throw new IllegalStateException("REDIS_URL names " + uri.getHost() + ":" + port(uri)
                    + ", which does not answer PING: " + e.getMessage(), e);
        }
        return server;
    }

    private static int port(URI uri) {
        return uri.getPort() == -1 ? 6379 : uri.getPort();
    }

    /** Starts a server from the first source that has one; on {@code host}, or on this machine's loopback when null. */
    private static RedisServer launch(String kind, List<String> configLines, List<String> arguments, Supplier<List<String>> atEachStart,
            boolean sentinel, int port, NetworkHosts.@Nullable Host host) {
        List<String> tried = new ArrayList<>();
        if (ServerSource.LOCAL_BINARY.allowed()) {
            Optional<Path> local = Binaries.localRedisServer();
            if (local.isPresent()) {
                return launchProcess(kind, local.get(), ServerSource.LOCAL_BINARY, configLines, arguments, atEachStart, sentinel, port, host);
            }
            tried.add("redis-server is not on PATH");
        }
        if (ServerSource.EMBEDDED.allowed()) {
            Optional<Path> embedded = Binaries.embeddedRedisServer();
            if (embedded.isPresent()) {
                return launchProcess(kind, embedded.get(), ServerSource.EMBEDDED, configLines, arguments, atEachStart, sentinel, port, host);
            }
            tried.add("com.github.codemonstur:embedded-redis ships no binary for " + Os.osName() + "-" + Os.arch());
        }
        if (ServerSource.DOCKER.allowed() && !sentinel && host == null) {
            if (ContainerBackend.dockerAvailable()) {
                return launchContainer(configLines, arguments, port);
            }
            tried.add("no Docker engine answers");
        }
        throw new IllegalStateException("No Redis server for tests: " + String.join(", ", tried) + ". " + INSTALL_HINT
                + (ServerSource.forced().isPresent() ? " (" + ServerSource.PROPERTY + " forces " + ServerSource.forced().get() + ")" : ""));
    }

    private static RedisServer launchProcess(String kind, Path binary, ServerSource source, List<String> configLines,
            List<String> arguments, Supplier<List<String>> atEachStart, boolean sentinel, int port, NetworkHosts.@Nullable Host host) {
        Path dir = TempDirs.create(kind);
        String address = host == null ? "127.0.0.1" : host.address();
        Path conf = dir.resolve(sentinel ? "sentinel.conf" : "redis.conf");
        List<String> lines = new ArrayList<>(List.of(
                "port " + port,
                "bind " + address,
                "protected-mode no",
                "daemonize no",
                "dir " + dir));
        if (!sentinel) {
            lines.addAll(List.of("save \"\"", "appendonly no"));
        }
        lines.addAll(configLines);
        try {
            Files.write(conf, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + conf, e);
        }
        Supplier<List<String>> command = () -> {
            List<String> server = new ArrayList<>(List.of(binary.toString(), conf.toString()));
            server.addAll(arguments);
            server.addAll(atEachStart.get());
            if (sentinel) {
                server.add("--sentinel");
            }
            List<String> line = new ArrayList<>(Os.launchPrefix(false));
            line.addAll(host == null ? server : host.exec(server));
            return line;
        };
        String name = kind + " " + address + ":" + port;
        ManagedProcess process = new ManagedProcess(name, command, dir.resolve(kind + ".log"), "TERM");
        RedisServer started = new RedisServer(name, source, address, port, requirePass(configLines), 0, process, dir);
        started.startAndAwait();
        return started;
    }

    /**
     * The password a {@code requirepass} line of the configuration sets, which {@link #call} then authenticates with;
     * null when none does.
     */
    private static @Nullable String requirePass(List<String> configLines) {
        return configLines.stream().map(String::strip).filter(line -> line.startsWith("requirepass ")).map(line -> line.substring(12).strip())
                .reduce((first, last) -> last).orElse(null);
    }

    private static RedisServer launchContainer(List<String> configLines, List<String> arguments, int port) {
        List<String> command = new ArrayList<>(List.of("redis-server", "--save", "", "--appendonly", "no"));
        for (String line : configLines) {
            String[] parts = line.trim().split("\\s+", 2);
            command.add("--" + parts[0]);
            if (parts.length > 1) {
                command.addAll(Arrays.asList(parts[1].split("\\s+")));
            }
        }
        command.addAll(arguments);
        ContainerBackend container = new ContainerBackend("redis:7-alpine", port, 6379, java.util.Map.of(), command);
        RedisServer server = new RedisServer("redis container 127.0.0.1:" + port, ServerSource.DOCKER, "127.0.0.1", port,
                requirePass(configLines), 0, container, null);
        server.startAndAwait();
        return server;
    }

    @Override
    boolean answers() {
        try {
            return "PONG".equals(call("PING"));
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    @Override
    Duration startTimeout() {
        return START_TIMEOUT;
    }

    @Override
    String privateFactory() {
        return "RedisServer.start() or RedisExtension.perClass()";
    }

    /** A {@code redis://} URI for clients; it carries the password and database of a {@code REDIS_URL}. */
    public String uri() {
        StringBuilder uri = new StringBuilder("redis://");
        if (password != null) {
            uri.append(':').append(java.net.URLEncoder.encode(password, StandardCharsets.UTF_8)).append('@');
        }
        uri.append(host()).append(':').append(port());
        if (database != 0) {
            uri.append('/').append(database);
        }
        return uri.toString();
    }

    /** Removes every key: the whole server when it is ours, the database of {@code REDIS_URL} otherwise. */
    public void flushAll() {
        call(owned() ? "FLUSHALL" : "FLUSHDB");
    }

    /**
     * Sends one command and returns its reply ({@code String}, {@code Long}, {@code List} or {@code null} for a nil reply).
     *
     * @throws IllegalStateException with the server's error text on an error reply or an I/O failure
     */
    public @Nullable Object call(String... command) {
        List<String[]> setup = new ArrayList<>();
        if (password != null) {
            setup.add(new String[] {"AUTH", password});
        }
        if (database != 0) {
            setup.add(new String[] {"SELECT", Integer.toString(database)});
        }
        try {
            return Resp.callAfter(host(), port(), CALL_TIMEOUT, setup, command);
        } catch (IOException | Resp.ErrorReply e) {
            throw new IllegalStateException(name() + ": " + command[0] + " failed: " + e.getMessage(), e);
        }
    }
}
