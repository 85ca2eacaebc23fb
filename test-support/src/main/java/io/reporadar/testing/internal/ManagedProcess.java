package io.reporadar.testing.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server run as a local process in its own process group, with its output in a log file and the log
 * file's directory as its working directory.
 *
 * <p>Thread-safe: the state-changing methods are synchronized.
 */
public final class ManagedProcess implements ServerBackend {

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final String name;
    private final java.util.function.Supplier<List<String>> command;
    private final Path logFile;
    private final String stopSignal;
    private Process process;

    /**
     * @param name       a short name for messages ("redis-server :6379")
     * @param command    the full command line, launch prefix included
     * @param logFile    where stdout and stderr go (appended across restarts)
     * @param stopSignal the signal for a graceful stop: "TERM" for most servers, "INT" for PostgreSQL's fast shutdown
     */
    public ManagedProcess(String name, List<String> command, Path logFile, String stopSignal) {
        this(name, supplying(List.copyOf(command)), logFile, stopSignal);
    }

    /** As above, with the command line worked out again at every start (a restart may need other arguments). */
    public ManagedProcess(String name, java.util.function.Supplier<List<String>> command, Path logFile, String stopSignal) {
        this.name = name;
        this.command = command;
        this.logFile = logFile;
        this.stopSignal = stopSignal;
    }

    @Override
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        List<String> command = List.copyOf(this.command.get());
        try {
            Files.createDirectories(logFile.getParent());
            // The working directory marks the process: servers rewrite their titles, but not their cwd.
            process = new ProcessBuilder(command)
                    .directory(logFile.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
        Reaper.get().trackProcessGroup(process.pid());
        Reaper.get().register(this);
    }

    public synchronized long pid() {
        requireStarted();
        return process.pid();
    }

    @Override
    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        if (process.isAlive()) {
            Os.signal(process.pid(), "CONT", false);
            Os.signal(process.pid(), stopSignal, false);
            if (!waitFor(STOP_GRACE)) {
                Os.signal(process.pid(), "KILL", true);
                waitFor(STOP_GRACE);
            }
        }
        // Children that outlived their parent (nginx workers, postgres backends) go with the group.
        killGroupQuietly();
        forget();
    }

    @Override
    public synchronized void kill() {
        requireStarted();
        if (process.isAlive()) {
            Os.signal(process.pid(), "KILL", true);
            if (!waitFor(STOP_GRACE)) {
                throw new IllegalStateException(name + " did not die from SIGKILL within " + STOP_GRACE);
            }
        }
        killGroupQuietly();
        forget();
    }

    @Override
    public synchronized void freeze() {
        requireAlive();
        Os.signal(process.pid(), "STOP", false);
    }

    @Override
    public synchronized void thaw() {
        requireAlive();
        Os.signal(process.pid(), "CONT", false);
    }

    /** Sends a signal to the server, for servers that reload on one (nginx: HUP). */
    public synchronized void signal(String signal) {
        requireAlive();
        Os.signal(process.pid(), signal, false);
    }

    /** The pids of the server's direct children (nginx workers, for example). */
    public synchronized List<Long> childPids() {
        requireAlive();
        List<Long> pids = new ArrayList<>();
        process.toHandle().children().forEach(child -> pids.add(child.pid()));
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

    private static java.util.function.Supplier<List<String>> supplying(List<String> command) {
        return () -> command;
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void killGroupQuietly() {
        try {
            Os.signal(process.pid(), "KILL", true);
        } catch (RuntimeException alreadyGone) {
            // the group is empty: nothing left to kill
        }
    }

    private void forget() {
        Reaper.get().untrackProcessGroup(process.pid());
        Reaper.get().unregister(this);
    }

    private void requireStarted() {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
    }

    private void requireAlive() {
        requireStarted();
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " is not running (it exited with " + process.exitValue() + ")");
        }
    }
}
