package io.reporadar.testing.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The few operating-system facts and actions the fixtures need: finding binaries, signalling processes,
 * dropping root.
 *
 * <p>Thread-safe.
 */
public final class Os {

    /** The unprivileged uid and gid (nobody/nogroup) that PostgreSQL runs as when we are root. */
    static final int NOBODY = 65534;

    private static final boolean SETSID = which("setsid").isPresent();
    private static final boolean ROOT = detectRoot();

    private Os() {
    }

    public static boolean isPosix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    public static boolean isRoot() {
        return ROOT;
    }

    public static boolean hasSetsid() {
        return SETSID;
    }

    /** "linux" or "darwin", as the embedded artifacts name them. */
    public static String osName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("mac") || os.contains("darwin")) {
            return "darwin";
        }
        return os.contains("linux") ? "linux" : os.replace(' ', '-');
    }

    /** "amd64" or "arm64". */
    public static String arch() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.equals("x86_64") || arch.equals("amd64")) {
            return "amd64";
        }
        if (arch.equals("aarch64") || arch.equals("arm64")) {
            return "arm64";
        }
        return arch;
    }

    /** Finds an executable on PATH, then in the extra directories given (for sbin and versioned dirs). */
    public static Optional<Path> which(String name, Path... extraDirs) {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator, -1)) { // empty entries skipped below
                if (!dir.isEmpty()) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        dirs.addAll(List.of(extraDirs));
        for (Path dir : dirs) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * The command prefix that runs a program in a new session (its own process group, so that a kill
     * reaches its children) and, for programs that refuse root, as an unprivileged user. Both prefixes
     * exec, so the pid we hold is the server's own.
     */
    public static List<String> launchPrefix(boolean dropRoot) {
        List<String> prefix = new ArrayList<>();
        if (SETSID) {
            prefix.add("setsid");
        }
        if (dropRoot && ROOT) {
            Path setpriv = which("setpriv", Path.of("/usr/bin"), Path.of("/bin")).orElseThrow(() -> new IllegalStateException(
                    "PostgreSQL refuses to run as root and setpriv (util-linux) is missing to drop to an"
                            + " unprivileged user: install util-linux, or run the tests as another user"));
            prefix.addAll(List.of(setpriv.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        }
        return prefix;
    }

    /** Gives a path to the unprivileged user when we are root, so a dropped server can write it. */
    public static void chownToUnprivileged(Path path) {
        if (ROOT) {
            run(List.of("chown", "-R", NOBODY + ":" + NOBODY, path.toString()));
        }
    }

    /** Sends a signal ("KILL", "STOP", "CONT", "TERM", "HUP") to a process, or to its group when {@code group}. */
    public static void signal(long pid, String signal, boolean group) {
        String target = group && SETSID ? "-" + pid : Long.toString(pid);
        run(List.of("kill", "-" + signal, "--", target));
    }

    /** Runs a short command and returns its output; fails with that output when it exits non-zero. */
    public static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            String text = new String(out, java.nio.charset.StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", command) + " exited with " + process.exitValue() + ": " + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }

    private static boolean detectRoot() {
        if (!isPosix()) {
            return false;
        }
        try {
            return "0".equals(run(List.of("id", "-u")).strip());
        } catch (RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
