package io.reporadar.benchmarks;

import io.reporadar.testing.NginxServer;
import io.reporadar.testing.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One contender of {@link BootSessionBenchmark}: its own private Redis, two {@link SessionBenchApp} processes (each its
 * own JVM, on this JVM's classpath) and an nginx in front of them ({@code least_conn}, keepalive connections to the
 * instances). Closing stops all of them.
 */
final class BootContender implements AutoCloseable {

    /** How long an instance may take to answer its first request. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String name;
    private final RedisServer redis;
    private final List<Process> instances = new ArrayList<>();
    private final Path logs;
    private @Nullable NginxServer nginx;

    /**
     * Starts Redis, then both instances with {@code properties} (such as {@code reporadar.session.enabled=false}) added
     * to the common ones, then nginx.
     */
    BootContender(String name, List<String> properties) throws IOException, InterruptedException {
        this.name = name;
        this.redis = RedisServer.start();
        this.logs = Files.createTempDirectory("boot-session-bench-" + name.replaceAll("\\W", ""));
        try {
            List<Integer> ports = List.of(freePort(), freePort());
            for (int port : ports) {
                instances.add(startInstance(port, properties));
            }
            for (int i = 0; i < ports.size(); i++) {
                awaitReady(instances.get(i), ports.get(i));
            }
            this.nginx = NginxServer.start(listen -> """
                    upstream app {
                      least_conn;
                      server 127.0.0.1:%d;
                      server 127.0.0.1:%d;
                      keepalive 64;
                    }
                    server {
                      listen 127.0.0.1:%d;
                      access_log off;
                      location / {
                        proxy_pass http://app;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                      }
                    }
                    """.formatted(ports.get(0), ports.get(1), listen));
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    String name() {
        return name;
    }

    /** {@code http://127.0.0.1:<nginx>/<path>}. */
    String url(String path) {
        return Objects.requireNonNull(nginx, "nginx").url(path).toString();
    }

    /**
     * Logs {@code count} users in through nginx and returns their {@code Cookie} header values, having checked that
     * each session is found again (a {@code /visit} counts 1 and sets no new cookie).
     */
    List<String> login(int count) throws IOException, InterruptedException {
        List<String> cookies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> login = post("/login?user=user" + i, null);
            String setCookie = login.headers().firstValue("Set-Cookie")
                    .orElseThrow(() -> new IllegalStateException(name + ": /login set no cookie: " + login.statusCode() + " " + login.body()));
            String cookie = setCookie.substring(0, setCookie.indexOf(';') < 0 ? setCookie.length() : setCookie.indexOf(';'));
            HttpResponse<String> visit = post("/visit", cookie);
            if (visit.statusCode() != 200 || !visit.body().equals("1") || visit.headers().firstValue("Set-Cookie").isPresent()) {
                throw new IllegalStateException(name + ": the session of " + cookie + " was not found again: " + visit.statusCode() + " "
                        + visit.body() + " " + visit.headers().map());
            }
            cookies.add(cookie);
        }
        return cookies;
    }

    /** The keys in Redis: a count that grows during a run means requests created sessions instead of loading them. */
    long keys() {
        return (Long) Objects.requireNonNull(redis.call("DBSIZE"));
    }

    /** Zeroes Redis's command statistics. */
    void resetRedisStats() {
        redis.call("CONFIG", "RESETSTAT");
    }

    /** Redis's command statistics since the last reset, and its CPU time. */
    RedisCommandStats redisStats() {
        return RedisCommandStats.parse(String.valueOf(redis.call("INFO", "commandstats")), String.valueOf(redis.call("INFO", "cpu")));
    }

    /** CPU time both instances have used so far, in nanoseconds. */
    long instancesCpuNanos() {
        return instances.stream().mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    }

    @Override
    public void close() {
        if (nginx != null) {
            nginx.close();
        }
        for (Process instance : instances) {
            instance.destroy();
        }
        for (Process instance : instances) {
            try {
                if (!instance.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    instance.destroyForcibly();
                }
            } catch (InterruptedException e) {
                instance.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        redis.close();
    }

    @Override
    public String toString() {
        return name + " (Redis " + redis.uri() + ", logs in " + logs + ")";
    }

    private Process startInstance(int port, List<String> properties) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx256m", "-cp", System.getProperty("java.class.path"), SessionBenchApp.class.getName(),
                "--server.port=" + port, "--spring.data.redis.url=" + redis.uri(), "--reporadar.pooling.enabled=false",
                "--reporadar.health.drain-delay=0s"));
        properties.forEach(p -> command.add("--" + p));
        Path log = logs.resolve("instance-" + port + ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private void awaitReady(Process instance, int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        URI ping = URI.create("http://127.0.0.1:" + port + "/ping");
        while (System.nanoTime() < deadline) {
            if (!instance.isAlive()) {
                throw new IllegalStateException(name + ": the instance on port " + port + " exited; see " + logs);
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(ping).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + ": the instance on port " + port + " did not answer within " + START_TIMEOUT + "; see " + logs);
    }

    private HttpResponse<String> post(String path, @Nullable String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
