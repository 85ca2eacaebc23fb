package io.reporadar.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Debian's Prometheus server ({@code /usr/bin/prometheus}) in its own process, on a free port of 127.0.0.1, with
 * the configuration of a directory and its storage in a directory of its own; its HTTP API for the test. Killed
 * at close, and by a JVM hook if a test left it running. Thread-safe.
 */
final class PrometheusProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "prometheus-reaper"));
    }

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private PrometheusProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Writes {@code directory/prometheus.yml} as {@code config} renders it for the port Prometheus listens on (its
     * rule files are read beside it), starts Prometheus storing in {@code directory/data}, and returns once
     * {@code /-/ready} answers 200.
     */
    static PrometheusProcess start(Path directory, IntFunction<String> config) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.writeString(directory.resolve("prometheus.yml"), config.apply(port));
        Path log = directory.resolve("prometheus.log");
        Process process = new ProcessBuilder(List.of(MonitoringFiles.prometheus().toString(),
                "--config.file=" + directory.resolve("prometheus.yml"), "--storage.tsdb.path=" + directory.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port))
                .directory(directory.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RUNNING.add(process);
        PrometheusProcess prometheus = new PrometheusProcess(process, port, log);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (prometheus.status("/-/ready") != 200) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                prometheus.close();
                throw new IllegalStateException("Prometheus was not ready within " + START_TIMEOUT + "; its log:\n" + prometheus.logTail());
            }
            InstanceProcess.sleep(100);
        }
        return prometheus;
    }

    /** The {@code data} of a GET of the HTTP API ({@code /api/v1/targets}); fails unless its status is success. */
    JsonNode api(String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (!body.path("status").asText().equals("success")) {
                throw new IllegalStateException("GET " + path + ": " + response.statusCode() + " " + response.body());
            }
            return body.path("data");
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " of Prometheus failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The instant vector of a PromQL query now ({@code data.result}); fails on a query Prometheus refuses. */
    JsonNode query(String promql) {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("result");
    }

    private int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String logTail() {
        return InstanceProcess.tail(log, 40);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        RUNNING.remove(process);
    }
}
