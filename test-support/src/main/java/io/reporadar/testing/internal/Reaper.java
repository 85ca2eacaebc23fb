package io.reporadar.testing.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Makes sure no server started by the fixtures outlives the JVM that started it, nor its directory.
 *
 * <p>Two layers: a shutdown hook stops every registered server gracefully when the JVM exits normally
 * (tests passed, failed or were interrupted with Ctrl-C); a watchdog shell process, in its own session,
 * polls the JVM's pid and kills every process group still listed once the JVM is gone, which covers a
 * JVM killed with SIGKILL (a surefire fork timeout, say). Both delete the servers' directories.
 *
 * <p>Thread-safe.
 */
public final class Reaper {

    private static final Reaper INSTANCE = new Reaper();

    private final Set<ServerBackend> live = new LinkedHashSet<>();
    private final Set<Long> processGroups = new LinkedHashSet<>();
    private final Set<Path> directories = new LinkedHashSet<>();
    private @Nullable Path pidFile; // null until the watchdog runs

    private Reaper() {
        Thread hook = new Thread(this::stopAll, "reporadar-test-reaper");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public static Reaper get() {
        return INSTANCE;
    }

    /** Remembers a server so that it is stopped at JVM exit. */
    public synchronized void register(ServerBackend backend) {
        live.add(backend);
    }

    public synchronized void unregister(ServerBackend backend) {
        live.remove(backend);
    }

    /** Remembers a server's working directory, deleted at JVM exit unless {@link #forgetDirectory} came first. */
    public synchronized void deleteAtExit(Path directory) {
        directories.add(directory);
        writePidFile();
    }

    public synchronized void forgetDirectory(Path directory) {
        directories.remove(directory);
        writePidFile();
    }

    /** Remembers the process group of a started process for the watchdog. */
    public synchronized void trackProcessGroup(long pgid) {
        processGroups.add(pgid);
        writePidFile();
    }

    public synchronized void untrackProcessGroup(long pgid) {
        processGroups.remove(pgid);
        writePidFile();
    }

    private void stopAll() {
        List<ServerBackend> toStop;
        List<Path> toDelete;
        synchronized (this) {
            toStop = new ArrayList<>(live);
            live.clear();
            toDelete = new ArrayList<>(directories);
            directories.clear();
        }
        // Reverse start order: proxies and load balancers before the servers behind them.
        for (int i = toStop.size() - 1; i >= 0; i--) {
            try {
                toStop.get(i).stop();
            } catch (RuntimeException e) {
                System.err.println("reporadar-test-support: could not stop a server at exit: " + e);
            }
        }
        toDelete.forEach(TempDirs::deleteQuietly);
    }

    private void writePidFile() {
        try {
            Path file = pidFile;
            if (file == null) {
                file = startWatchdog();
                pidFile = file;
            }
            StringBuilder text = new StringBuilder();
            for (long pgid : processGroups) {
                text.append("p ").append(pgid).append('\n');
            }
            for (Path directory : directories) {
                text.append("d ").append(directory).append('\n');
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("reporadar-test-support: cannot write the watchdog pid file", e);
        }
    }

    /** Starts the watchdog and returns the file it reads the process groups and directories from. */
    private static Path startWatchdog() throws IOException {
        Path pidFile = Files.createTempFile(TempDirs.PREFIX + "pids-", ".txt");
        pidFile.toFile().deleteOnExit();
        long jvm = ProcessHandle.current().pid();
        String script = "trap '' INT TERM HUP; "
                + "while kill -0 " + jvm + " 2>/dev/null; do sleep 1; done; "
                + "if [ -f '" + pidFile + "' ]; then while read -r kind what; do case \"$kind\" in "
                + "p) kill -CONT -- -$what 2>/dev/null; kill -KILL -- -$what 2>/dev/null; kill -KILL $what 2>/dev/null;; "
                + "esac; done < '" + pidFile + "'; sleep 1; "
                + "while read -r kind what; do case \"$kind:$what\" in d:*" + TempDirs.PREFIX + "*) rm -rf \"$what\";; esac; "
                + "done < '" + pidFile + "'; rm -f '" + pidFile + "'; fi";
        List<String> command = new ArrayList<>();
        if (Os.hasSetsid()) {
            command.add("setsid");
        }
        command.addAll(List.of("sh", "-c", script));
        new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        return pidFile;
    }
}
