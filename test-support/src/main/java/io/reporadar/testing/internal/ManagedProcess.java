package io.reporadar.testing.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A server run as a local process in its own process group, with its output in a log file and the log
 * file's directory as its working directory.
 *
 * <p>Thread-safe: the state-changing methods are synchronized.
 */
public final class ManagedProcess implements ServerBackend {

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final String name;
    private final Supplier<List<String>> command;
    private final Path logFile;
    private final Path directory;
    private final String stopSignal;
    private @Nullable Process process; // null until the first start

    /**
     * @param name       a short name for messages ("redis-server :6379")
     * @param command    the full command line, launch prefix included
     * @param logFile    where stdout and stderr go (appended across restarts); its directory is the working directory
     * @param stopSignal the signal for a graceful stop: "TERM" for most servers, "INT" for PostgreSQL's fast shutdown
     */
    public ManagedProcess(String name, List<String> command, Path logFile, String stopSignal) {
        this(name, supplying(List.copyOf(command)), logFile, stopSignal);
    }

    /** As above, with the command line worked out again at every start (a restart may need other arguments). */
    public ManagedProcess(String name, Supplier<List<String>> command, Path logFile, String stopSignal) {
        this.name = name;
        this.command = command;
        this.logFile = logFile;
        this.directory = Objects.requireNonNull(logFile.toAbsolutePath().getParent(), () -> "logFile: " + logFile + " (expected: a file)");
        this.stopSignal = stopSignal;
    }

    @Override
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        List<String> command = List.copyOf(this.command.get());
        Process started;
        try {
            Files.createDirectories(directory);
            // The working directory marks the process: servers rewrite their titles, but not their cwd.
            started = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
        process = started;
        Reaper.get().trackProcessGroup(started.pid());
        Reaper.get().register(this);
    }

    public synchronized long pid() {
        return requireStarted().pid();
    }

    @Override
    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void stop() {
        Process current = process;
        if (current == null) {
            return;
        }
        if (current.isAlive()) {
            Os.signal(current.pid(), "CONT", false);
            Os.signal(current.pid(), stopSignal, false);
            if (!waitFor(current, STOP_GRACE)) {
                Os.signal(current.pid(), "KILL", true);
                waitFor(current, STOP_GRACE);
            }
        }
        // Children that outlived their parent (nginx workers, postgres backends) go with the group.
        killGroupQuietly(current);
        forget(current);
    }

    @Override
    public synchronized void kill() {
        Process current = requireStarted();
        if (current.isAlive()) {
            Os.signal(current.pid(), "KILL", true);
            if (!waitFor(current, STOP_GRACE)) {
                throw new IllegalStateException(name + " did not die from SIGKILL within " + STOP_GRACE);
            }
        }
        killGroupQuietly(current);
        forget(current);
    }

    @Override
    public synchronized void freeze() {
        Os.signal(requireAlive().pid(), "STOP", false);
    }

    @Override
    public synchronized void thaw() {
        Os.signal(requireAlive().pid(), "CONT", false);
    }

    /** Sends a signal to the server, for servers that reload on one (nginx: HUP). */
    public synchronized void signal(String signal) {
        Os.signal(requireAlive().pid(), signal, false);
    }

    /** The pids of the server's direct children (nginx workers, for example). */
    public synchronized List<Long> childPids() {
        List<Long> pids = new ArrayList<>();
        requireAlive().toHandle().children().forEach(child -> pids.add(child.pid()));
        return pids;
    }

    @Override
    public String logTail(int lines) {
        try {
            if (!Files.exists(logFile)) {
                return "(no log written)";
            }
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return name;
    }

    private static Supplier<List<String>> supplying(List<String> command) {
        return () -> command;
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void killGroupQuietly(Process process) {
        try {
            Os.signal(process.pid(), "KILL", true);
        } catch (RuntimeException alreadyGone) {
            // the group is empty: nothing left to kill
        }
    }

    private void forget(Process process) {
        Reaper.get().untrackProcessGroup(process.pid());
        Reaper.get().unregister(this);
    }

    private Process requireStarted() {
        Process current = process;
        if (current == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return current;
    }

    private Process requireAlive() {
        Process current = requireStarted();
        if (!current.isAlive()) {
            throw new IllegalStateException(name + " is not running (it exited with " + current.exitValue() + ")");
        }
        return current;
    }
}
