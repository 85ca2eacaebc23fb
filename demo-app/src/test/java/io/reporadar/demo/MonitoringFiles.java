package io.reporadar.demo;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The monitoring files the compose profile ships ({@code docker/monitoring}), read as Prometheus and Grafana read
 * them, and the Debian binaries ({@code prometheus}, {@code promtool}) that check and run them. Stateless.
 */
final class MonitoringFiles {

    static final Path MONITORING = Path.of("..", "docker", "monitoring").toAbsolutePath().normalize();
    static final Path PROMETHEUS_CONFIG = MONITORING.resolve("prometheus").resolve("prometheus.yml");
    static final Path ALERTS = MONITORING.resolve("prometheus").resolve("alerts.yml");
    static final Path ALERT_TESTS = MONITORING.resolve("prometheus").resolve("alerts.test.yml");
    static final Path GRAFANA = MONITORING.resolve("grafana");
    static final Path DASHBOARD = GRAFANA.resolve("dashboards").resolve("reporadar.json");

    /**
     * Meters the rules and the dashboard use that no instance here exports, each with the reason. The build fails
     * when one of them appears in a real scrape, so that this list only ever shrinks.
     */
    static final Map<String, String> NOT_EXPORTED_HERE = Map.ofEntries(
            Map.entry("reporadar_jobs_enqueued_total", "JobMetrics' counter, created at the first enqueue of a job type"),
            Map.entry("reporadar_jobs_completed_total", "JobMetrics' counter, created at the first completion of a job type"),
            Map.entry("reporadar_jobs_failed_total", "JobMetrics' counter, created at the first job of a type that fails for good"),
            Map.entry("reporadar_jobs_retried_total", "JobMetrics' counter, created at the first retry of a job type"),
            Map.entry("reporadar_jobs_taken_over_total", "JobMetrics' counter, created at the first takeover"),
            Map.entry("reporadar_session_redis_replicas_online", "the demo's gauge, registered only where replicas are expected (Sentinels, or SESSION_DURABILITY replica): HighAvailabilityDrillsIT reads it"),
            Map.entry("nginx_up", "nginx-prometheus-exporter's, a container not run here"),
            Map.entry("nginx_connections_active", "nginx-prometheus-exporter's, a container not run here"),
            Map.entry("nginx_http_requests_total", "nginx-prometheus-exporter's, a container not run here"));

    /** How the shipped prometheus.yml finds the instances: every replica of the compose service, by DNS. */
    static final String INSTANCES_BY_DNS = """
            dns_sd_configs:
                  - names: ["reporadar"]
                    type: A
                    port: 3000
                    refresh_interval: 10s""";

    /** Session events the rules name that {@code SessionObserver.Event} does not have yet. */
    static final Set<String> EVENTS_NOT_YET_REPORTED = Set.of();

    /** The metric names of the families the instances, Prometheus's rules and nginx's exporter export ({@code up} as a selector). */
    private static final Pattern METRIC = Pattern.compile("\\b(?:reporadar[_:]|jvm_|process_|system_|nginx_)[a-zA-Z0-9_:]*|\\bup(?=\\{)");
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    private MonitoringFiles() {
    }

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " as JSON", e);
        }
    }

    /** Every rule of alerts.yml ({@code alert} or {@code record}, and {@code expr}), in file order. */
    static List<JsonNode> rules() {
        List<JsonNode> rules = new ArrayList<>();
        yaml(ALERTS).path("groups").forEach(group -> group.path("rules").forEach(rules::add));
        return rules;
    }

    /**
     * Every query of the dashboard, by panel title and refId, as Prometheus receives it from Grafana: the dashboard's
     * variable as "every instance", {@code $__rate_interval} as {@code rateInterval}.
     */
    static Map<String, String> dashboardQueries(String rateInterval) {
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode panel : json(DASHBOARD).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText().replace("$__rate_interval", rateInterval).replace("$instance_id", ".*");
                queries.put(panel.path("title").asText() + " " + target.path("refId").asText(), expr);
            }
        }
        return queries;
    }

    /** The metric names a PromQL expression reads (recording rules' names included), label values left out. */
    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(expr.replaceAll("\"[^\"]*\"", "\"\""));
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }

    /** Debian's {@code promtool} (package prometheus), or a failure that says how to install it. */
    static Path promtool() {
        return binary("promtool");
    }

    /** Debian's {@code prometheus} server, or a failure that says how to install it. */
    static Path prometheus() {
        return binary("prometheus");
    }

    private static Path binary(String name) {
        Optional<Path> found = Optional.empty();
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/usr/local/bin").split(":", -1)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                found = Optional.of(candidate);
                break;
            }
        }
        if (found.isEmpty()) {
            fail(name + " is not installed: apt-get install prometheus (Debian/Ubuntu; it ships prometheus and promtool), as .ci/run does");
        }
        return found.orElseThrow();
    }

    /** The exit code and output (stdout and stderr together) of a command that has 60 s to finish. */
    record Run(int exit, String output) {
    }

    static Run run(List<String> command, Path directory) {
        try {
            Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + ": still running after 60 s");
            }
            return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }
}
