package io.reporadar.demo;

import io.reporadar.lb.Endpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One demo instance in its own JVM, as a deployment runs it ({@code java ... io.reporadar.demo.DemoApp} with
 * its environment), with the handles a drill needs: SIGTERM, SIGKILL and a restart on the same port. Its
 * output goes to a log file whose tail failure messages quote. A JVM hook kills instances a test left behind.
 *
 * <p>Thread-safe: the state-changing methods are synchronized.
 */
final class InstanceProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "instance-reaper"));
    }

    private final String id;
    private final int port;
    private final Map<String, String> environment;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    @SuppressWarnings("NullAway.Init") // start(id, environment), the only way to get one, starts the process
    private Process process;
    private long readyAtNanos;

    private InstanceProcess(String id, Map<String, String> environment) throws IOException {
        this.id = id;
        this.port = freePort();
        this.environment = new HashMap<>(environment);
        this.environment.put("INSTANCE_ID", id);
        this.environment.put("PORT", Integer.toString(port));
        this.log = Files.createTempFile(id + "-", ".log");
    }

    /** Starts instance {@code id} on a free port with the given environment and returns once it is ready. */
    static InstanceProcess start(String id, Map<String, String> environment) throws IOException {
        InstanceProcess instance = new InstanceProcess(id, environment);
        instance.start();
        return instance;
    }

    /** Launches the JVM and waits until {@code /health/ready} answers 200. */
    synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(id + " is already running");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), DemoApp.class.getName()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch " + id, e);
        }
        RUNNING.add(process);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (status("/health/ready") != 200) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(id + " did not become ready within " + START_TIMEOUT + "; its log:\n" + logTail());
            }
            sleep(100);
        }
        readyAtNanos = System.nanoTime();
    }

    /** When the last {@link #start()} saw the instance ready ({@link System#nanoTime()}). */
    synchronized long readyAtNanos() {
        return readyAtNanos;
    }

    /** Changes one variable for the next {@link #start()}. */
    synchronized void setEnvironment(String name, String value) {
        environment.put(name, value);
    }

    /** Sends SIGTERM (the graceful shutdown) without waiting; see {@link #awaitExit()}. */
    synchronized void terminate() {
        process.destroy();
    }

    /** Waits for the JVM to exit and returns its exit code. */
    int awaitExit() {
        Process current;
        synchronized (this) {
            current = process;
        }
        try {
            if (!current.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(id + " did not exit within 60 s of SIGTERM; its log:\n" + logTail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + id, e);
        }
        RUNNING.remove(current);
        return current.exitValue();
    }

    /** SIGKILL: no shutdown hook, connections reset by the kernel. */
    synchronized void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    String id() {
        return id;
    }

    Endpoint endpoint() {
        return Endpoint.of("127.0.0.1", port);
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The body of a GET straight to this instance (from a loopback address, so health details are shown). */
    String body(String path) throws IOException, InterruptedException {
        return get(path, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The status code of a GET straight to this instance, or -1 when it does not answer. */
    int status(String path) {
        try {
            return get(path, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Whether any line the instance logged, across restarts, contains {@code text}. */
    boolean logged(String text) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> HttpResponse<T> get(String path, HttpResponse.BodyHandler<T> body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(5)).build(), body);
    }

    String logTail() {
        return tail(log, 200);
    }

    /** The last {@code count} lines of a log file, for failure messages. */
    static String tail(Path file, int count) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            kill();
        }
        try {
            if (System.getenv("KEEP_INSTANCE_LOGS") == null) { // set it to keep the logs of a drill that failed
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            // a temporary file: the OS cleans it up
        }
    }

    @Override
    public String toString() {
        return id + " (port " + port + ")";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
