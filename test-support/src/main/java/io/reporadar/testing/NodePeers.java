package io.reporadar.testing;

import io.reporadar.core.DaemonThreads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real Node.js peers for interoperability tests: packages from the npm registry, pinned, installed once into a
 * directory of the build, and scripts run against them with the machine's {@code node}.
 *
 * <pre>{@code
 * NodePeers peers = NodePeers.install("express-session@1.19.0");
 * List<String> lines = peers.run("console.log(require('cookie-signature').sign(process.argv[2], 'secret'))", "id");
 * }</pre>
 *
 * <p>Fails, saying what to install, when {@code node} or {@code npm} is missing: it never skips.
 */
public final class NodePeers {

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(1);

    private final Path directory;

    private NodePeers(Path directory) {
        this.directory = directory;
    }

    /**
     * Installs {@code packages} ({@code name@version}, pinned) with npm into {@code target/node-peers/...} of the
     * working directory, unless an earlier call installed the same list there.
     */
    public static synchronized NodePeers install(String... packages) {
        String name = String.join("+", packages).replaceAll("[^A-Za-z0-9.@+_-]", "_");
        Path directory = Path.of("target", "node-peers", name).toAbsolutePath();
        Path done = directory.resolve(".installed");
        if (!Files.exists(done)) {
            try {
                Files.createDirectories(directory);
                Files.writeString(directory.resolve("package.json"), "{\"name\":\"reporadar-node-peers\",\"private\":true}\n");
                List<String> command = new ArrayList<>(List.of("npm", "install", "--no-audit", "--no-fund", "--silent", "--save-exact"));
                command.addAll(List.of(packages));
                String output = execute(command, directory, INSTALL_TIMEOUT);
                Files.writeString(done, output);
            } catch (IOException e) {
                throw new IllegalStateException("cannot prepare " + directory + ": " + e.getMessage(), e);
            }
        }
        return new NodePeers(directory);
    }

    /** Runs {@code script} with {@code node}, the installed packages resolvable; its standard output, line by line. */
    public List<String> run(String script, String... args) {
        try {
            Path file = Files.createTempFile(directory, "script-", ".js");
            Files.writeString(file, script);
            List<String> command = new ArrayList<>(List.of("node", file.toString()));
            command.addAll(List.of(args));
            try {
                return execute(command, directory, RUN_TIMEOUT).lines().toList();
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run a node script in " + directory + ": " + e.getMessage(), e);
        }
    }

    private static String execute(List<String> command, Path directory, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new IllegalStateException(command.get(0) + " is needed for this test and was not found: install Node.js and npm"
                    + " (Debian: apt-get install nodejs npm)", e);
        }
        try {
            process.getOutputStream().close();
            var stdout = new java.io.ByteArrayOutputStream();
            var stderr = new java.io.ByteArrayOutputStream();
            Thread errors = DaemonThreads.thread("node-peers-stderr", () -> copy(process.getErrorStream(), stderr));
            errors.start();
            copy(process.getInputStream(), stdout);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
            }
            errors.join(5_000);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): "
                        + stderr.toString(StandardCharsets.UTF_8).strip());
            }
            return stdout.toString(StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the output of " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    private static void copy(java.io.InputStream in, java.io.OutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process ended
        }
    }
}
