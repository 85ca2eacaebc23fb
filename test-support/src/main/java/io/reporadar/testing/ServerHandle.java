package io.reporadar.testing;

import io.reporadar.testing.internal.Ports;
import io.reporadar.testing.internal.Reaper;
import io.reporadar.testing.internal.ServerBackend;
import io.reporadar.testing.internal.TempDirs;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A real server handed to tests, with the handles to break it: stop, kill (SIGKILL), freeze (SIGSTOP), thaw
 * (SIGCONT) and restart on the same port. A server named by an environment URL was not started by the tests;
 * it has no handles and its methods say so.
 *
 * <p>Thread-safe.
 */
public abstract sealed class ServerHandle implements AutoCloseable permits RedisServer, PostgresServer {

    private final String name;
    private final ServerSource source;
    private final String host;
    private final int port;
    private final @Nullable ServerBackend backend; // null for a server of the environment
    private final @Nullable Path dir; // null for a server of the environment or a container
    private final String urlVariable;

    /**
     * {@code backend} is null for a server the environment names ({@code urlVariable}), which the tests did not start;
     * {@code dir}, the server's working directory, is null when it has none on this machine.
     */
    ServerHandle(String name, ServerSource source, String host, int port, @Nullable ServerBackend backend, @Nullable Path dir,
            String urlVariable) {
        this.name = name;
        this.source = source;
        this.host = host;
        this.port = port;
        this.backend = backend;
        this.dir = dir;
        this.urlVariable = urlVariable;
        if (dir != null) {
            Reaper.get().deleteAtExit(dir);
        }
    }

    /** Whether the server answers; polled after every start. */
    abstract boolean answers();

    /** How long a start may take before it counts as failed. */
    abstract Duration startTimeout();

    /** The factory to suggest when a fault handle is used on an environment server. */
    abstract String privateFactory();

    final void startAndAwait() {
        ServerBackend owned = requireOwned("start");
        owned.start();
        Ports.await(name, startTimeout(), owned, this::answers);
    }

    public final String host() {
        return host;
    }

    public final int port() {
        return port;
    }

    public final ServerSource source() {
        return source;
    }

    /** Whether the process (or container) runs; a server named by an environment URL counts as running. */
    public final boolean isRunning() {
        return backend == null || backend.isAlive();
    }

    /** Stops the server gracefully; {@link #restart()} starts it again on the same port. */
    public final void stop() {
        requireOwned("stop").stop();
    }

    /** Kills the server with SIGKILL: no shutdown, connections reset by the kernel. */
    public final void kill() {
        requireOwned("kill").kill();
    }

    /** Freezes the server with SIGSTOP: connections stay open and nothing answers, as with a hung host. */
    public final void freeze() {
        requireOwned("freeze").freeze();
    }

    /** Resumes a frozen server with SIGCONT. */
    public final void thaw() {
        requireOwned("thaw").thaw();
    }

    /** Starts the server again on the same port and directory, stopping it first if it runs. */
    public final void restart() {
        ServerBackend owned = requireOwned("restart");
        if (owned.isAlive()) {
            owned.stop();
        }
        startAndAwait();
    }

    /** The last lines of the server's log, for failure messages. */
    public final String logTail(int lines) {
        return backend == null ? "(server not started by the tests: no log)" : backend.logTail(lines);
    }

    /** Stops a server the tests started and deletes its directory; does nothing to an environment server. */
    @Override
    public final void close() {
        if (backend != null) {
            backend.stop();
            if (dir != null) {
                TempDirs.deleteQuietly(dir);
                Reaper.get().forgetDirectory(dir);
            }
        }
    }

    @Override
    public final String toString() {
        return name + " (" + source + ")";
    }

    final String name() {
        return name;
    }

    /** Whether the tests started this server (it has fault handles and may be flushed wholesale). */
    final boolean owned() {
        return backend != null;
    }

    /** The server's working directory; null for a server of the environment or a container. */
    final @Nullable Path directory() {
        return dir;
    }

    private ServerBackend requireOwned(String action) {
        if (backend == null) {
            throw new UnsupportedOperationException("cannot " + action + " " + name + ": " + urlVariable + " names a server"
                    + " the tests did not start; fault handles need a private server (" + privateFactory() + ")");
        }
        return backend;
    }
}
