package io.reporadar.testing.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jspecify.annotations.Nullable;

/**
 * Working directories for servers; every path carries {@link #PREFIX} so that leftovers are easy to find.
 *
 * <p>Thread-safe.
 */
public final class TempDirs {

    /** Every directory, and so every server command line, carries this marker. */
    public static final String PREFIX = "reporadar-test-";

    private TempDirs() {
    }

    /**
     * A new directory readable by every user: a server dropped to an unprivileged user must traverse it.
     */
    public static Path create(String kind) {
        try {
            Path dir = Files.createTempDirectory(PREFIX + kind + "-");
            openUp(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for " + kind, e);
        }
    }

    /** Makes a directory world-writable: for paths an unprivileged worker process writes to. */
    public static Path worldWritable(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
    }

    private static void openUp(Path dir) throws IOException {
        if (Os.isPosix()) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** Deletes a directory tree, best effort: a leftover temp file must not fail a test; nothing for null. */
    public static void deleteQuietly(@Nullable Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
