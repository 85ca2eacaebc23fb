package io.reporadar.testing;

import io.reporadar.testing.internal.Binaries;
import io.reporadar.testing.internal.ManagedProcess;
import io.reporadar.testing.internal.Os;
import io.reporadar.testing.internal.Ports;
import io.reporadar.testing.internal.Reaper;
import io.reporadar.testing.internal.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * A real nginx for tests, running a configuration rendered into its own temp directory.
 *
 * <p>The caller writes what goes inside {@code http { }}; the fixture adds the process settings (pid file,
 * error log, temp paths, no daemon) and a free port:
 *
 * <pre>{@code
 * try (NginxServer nginx = NginxServer.start(port -> """
 *         upstream app { least_conn; server 127.0.0.1:3001; }
 *         server { listen 127.0.0.1:%d; location / { proxy_pass http://app; } }
 *         """.formatted(port))) {
 *     HttpResponse<String> r = client.send(HttpRequest.newBuilder(nginx.url("/")).build(), ofString());
 * }
 * }</pre>
 *
 * <p>nginx has no embedded artifact: it comes from this machine ({@code apt-get install nginx}) or fails
 * saying so. Thread-safe.
 */
public final class NginxServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(20);

    private final Path binary;
    private final Path dir;
    private final int port;
    private final ManagedProcess process;

    private NginxServer(Path binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        List<String> command = new ArrayList<>(Os.launchPrefix(false));
        command.addAll(List.of(binary.toString(), "-p", dir.toString(), "-c", conf().toString(), "-e", errorLogFile().toString()));
        this.process = new ManagedProcess("nginx 127.0.0.1:" + port, command, dir.resolve("stdout.log"), "QUIT");
        Reaper.get().deleteAtExit(dir);
    }

    /**
     * Starts nginx with the {@code http} block content that {@code httpBlock} renders for the port it
     * should listen on.
     */
    public static NginxServer start(IntFunction<String> httpBlock) {
        return start(Ports.free(), httpBlock);
    }

    /** Whether this machine has an nginx to start (on PATH or in /usr/sbin). */
    public static boolean isInstalled() {
        return Binaries.localNginx().isPresent();
    }

    /** As {@link #start(IntFunction)}, on a port of the caller's choosing (a demo's well-known port). */
    public static NginxServer start(int port, IntFunction<String> httpBlock) {
        Path binary = Binaries.localNginx().orElseThrow(() -> new IllegalStateException(
                "No nginx for tests: nginx is not on PATH nor in /usr/sbin. Install it: apt-get install nginx"
                        + " (Debian/Ubuntu) or brew install nginx (macOS)"));
        Path dir = TempDirs.create("nginx");
        NginxServer server = new NginxServer(binary, dir, port);
        try {
            server.writeConfig(httpBlock);
            server.test();
            server.process.start();
            Ports.await(server.process.toString(), START_TIMEOUT, server.process, () -> Ports.accepts("127.0.0.1", server.port));
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public java.net.URI url(String path) {
        return java.net.URI.create("http://127.0.0.1:" + port + (path.startsWith("/") ? path : "/" + path));
    }

    /**
     * Replaces the configuration and reloads it (SIGHUP), returning once new workers run it. An invalid
     * configuration fails here with nginx's message and leaves the running one in place.
     */
    public void reload(IntFunction<String> httpBlock) {
        Path previous = dir.resolve("nginx.conf.previous");
        try {
            Files.copy(conf(), previous, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            writeConfig(httpBlock);
            test();
        } catch (RuntimeException | IOException e) {
            restore(previous);
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
        Set<Long> oldWorkers = new HashSet<>(process.childPids());
        process.signal("HUP");
        // Old workers keep accepting until they act on the master's QUIT; only when they are gone does
        // every new connection see the new configuration.
        Ports.await(process + " reload", RELOAD_TIMEOUT, process, () -> {
            List<Long> workers = process.childPids();
            return !workers.isEmpty() && workers.stream().noneMatch(oldWorkers::contains);
        });
    }

    /** The whole error log so far. */
    public String errorLog() {
        try {
            return Files.exists(errorLogFile()) ? Files.readString(errorLogFile(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + errorLogFile() + ": " + e.getMessage() + ")";
        }
    }

    /** The access log so far, one line per request. */
    public List<String> accessLog() {
        try {
            Path log = dir.resolve("access.log");
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The rendered configuration file. */
    public Path configFile() {
        return conf();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Stops nginx gracefully (SIGQUIT lets workers finish their requests). */
    public void stop() {
        process.stop();
    }

    /** Stops nginx and deletes its directory. */
    @Override
    public void close() {
        process.stop();
        TempDirs.deleteQuietly(dir);
        Reaper.get().forgetDirectory(dir);
    }

    @Override
    public String toString() {
        return process.toString();
    }

    private void test() {
        try {
            Os.run(List.of(binary.toString(), "-t", "-q", "-p", dir.toString(), "-c", conf().toString(), "-e", errorLogFile().toString()));
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("nginx rejects the configuration " + conf() + ": " + e.getMessage(), e);
        }
    }

    private void writeConfig(IntFunction<String> httpBlock) {
        Path temp = TempDirs.worldWritable(dir.resolve("temp"));
        // When the tests run as root, nginx workers would switch to "nobody", whose group differs by distribution.
        String user = Os.isRoot() ? "user root root;\n" : "";
        String config = user
                + "daemon off;\n"
                + "master_process on;\n"
                + "worker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + errorLogFile() + " info;\n"
                + "events { worker_connections 1024; }\n"
                + "http {\n"
                + "  access_log " + dir.resolve("access.log") + ";\n"
                + "  client_body_temp_path " + temp.resolve("client_body") + ";\n"
                + "  proxy_temp_path " + temp.resolve("proxy") + ";\n"
                + "  fastcgi_temp_path " + temp.resolve("fastcgi") + ";\n"
                + "  uwsgi_temp_path " + temp.resolve("uwsgi") + ";\n"
                + "  scgi_temp_path " + temp.resolve("scgi") + ";\n"
                + httpBlock.apply(port) + "\n"
                + "}\n";
        try {
            Files.writeString(conf(), config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + conf(), e);
        }
    }

    private void restore(Path previous) {
        try {
            if (Files.exists(previous)) {
                Files.copy(previous, conf(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException ignored) {
            // the running nginx keeps its configuration in memory either way
        }
    }

    private Path conf() {
        return dir.resolve("nginx.conf");
    }

    private Path errorLogFile() {
        return dir.resolve("error.log");
    }
}
