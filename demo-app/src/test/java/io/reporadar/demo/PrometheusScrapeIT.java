package io.reporadar.demo;

import static io.reporadar.demo.MonitoringFiles.NOT_EXPORTED_HERE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reporadar.session.SessionObserver.Event;
import io.reporadar.session.SessionObserver.LoadOutcome;
import io.reporadar.session.SessionObserver.SaveOutcome;
import io.reporadar.session.SessionObserver.Unreadable;
import io.reporadar.session.micrometer.SessionMetrics;
import io.reporadar.testing.PostgresServer;
import io.reporadar.testing.RedisExtension;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped prometheus.yml and alerts.yml in Debian's real Prometheus, against three real instances, each a JVM
 * of its own as the drills start them (one after the other: three JVMs starting at once on a loaded machine can
 * miss the session store's one-second handshake timeout): the configuration is the shipped one with the instances'
 * local addresses for the compose services' and intervals of a second; nginx-prometheus-exporter is not run here
 * (its target stays down).
 */
class PrometheusScrapeIT {

    /** How the dashboard's $__rate_interval is asked here: several scrapes of a second. */
    private static final String RATE_INTERVAL = "10s";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();

    @TempDir
    @SuppressWarnings("NullAway.Init") // JUnit sets it before @BeforeAll
    static Path work;

    private static PostgresServer postgres;
    private static final List<InstanceProcess> instances = new ArrayList<>();
    private static PrometheusProcess prometheus;

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.start(Map.of("max_connections", "50"));
        Map<String, String> environment = DemoAppIT.environment("unused", redis.uri(), postgres.createDatabase().url());
        for (int i = 1; i <= 3; i++) {
            instances.add(startInstance("reporadar-" + i, environment));
        }
        Files.copy(MonitoringFiles.ALERTS, work.resolve("alerts.yml"));
        String shipped = Files.readString(MonitoringFiles.PROMETHEUS_CONFIG);
        String targets = instances.stream().map(i -> "\"127.0.0.1:" + i.endpoint().port() + "\"").collect(Collectors.joining(", "));
        prometheus = PrometheusProcess.start(work, port -> shipped
                .replace(MonitoringFiles.INSTANCES_BY_DNS, "static_configs:\n      - targets: [" + targets + "]")
                .replace("nginx-exporter:9113", "127.0.0.1:1")
                .replace("localhost:9090", "127.0.0.1:" + port)
                .replaceAll("(scrape_interval|evaluation_interval|scrape_timeout): \\d+s", "$1: 1s"));
        // Session loads and saves on every instance, so that their timers exist.
        String cookie = SteadyLoad.login(instances.get(0).url("/"), "grace");
        HttpClient http = HttpClient.newHttpClient();
        for (InstanceProcess instance : instances) {
            http.send(HttpRequest.newBuilder(instance.url("/api/me")).header("Cookie", cookie).build(), HttpResponse.BodyHandlers.discarding());
        }
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        instances.forEach(InstanceProcess::close);
        instances.clear();
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void prometheusScrapesEveryInstanceByItself() {
        Set<String> expected = new TreeSet<>();
        instances.forEach(instance -> expected.add(instance.url("/metrics").toString()));
        Awaitility.await().atMost(PATIENCE).untilAsserted(() -> {
            Map<String, String> health = new HashMap<>();
            for (JsonNode target : prometheus.api("/api/v1/targets?state=active").path("activeTargets")) {
                if (target.path("labels").path("job").asText().equals("reporadar")) {
                    health.put(target.path("scrapeUrl").asText(), target.path("health").asText() + " " + target.path("lastError").asText());
                }
            }
            assertThat(health).as("the reporadar job's targets").containsOnlyKeys(expected);
            assertThat(health.values()).as("their health").allMatch(h -> h.equals("up "));
        });
        for (InstanceProcess instance : instances) {
            Awaitility.await().atMost(PATIENCE).untilAsserted(() -> {
                JsonNode ready = prometheus.query("reporadar_health_lifecycle{state=\"ready\",instance_id=\"" + instance.id() + "\"}");
                assertThat(ready).as(instance + "'s lifecycle, scraped from it").hasSize(1);
                assertThat(ready.path(0).path("metric").path("instance").asText()).isEqualTo("127.0.0.1:" + instance.endpoint().port());
                assertThat(ready.path(0).path("value").path(1).asText()).isEqualTo("1");
                assertThat(prometheus.query("up{job=\"reporadar\",instance=\"127.0.0.1:" + instance.endpoint().port() + "\"}")
                        .path(0).path("value").path(1).asText()).isEqualTo("1");
            });
        }
    }

    @Test
    void everyMetricTheRulesAndTheDashboardReadIsOneTheInstancesExport() {
        Set<String> scraped = scrapedNames();
        System.out.printf("PrometheusScrapeIT: %d metric names scraped from the instances; RepoRadar's: %s%n", scraped.size(),
                scraped.stream().filter(name -> name.startsWith("reporadar_")).toList());
        Set<String> exported = new TreeSet<>(scraped);
        String appearing = firstIncrementMeters();
        exported.addAll(names(appearing));
        assertThat(appearing).as("the key.id tag, as Prometheus names it").contains("key_id=\"k1\"");
        assertThat(NOT_EXPORTED_HERE.keySet()).as("exported now: take them off MonitoringFiles.NOT_EXPORTED_HERE").doesNotContainAnyElementsOf(exported);

        Set<String> recorded = new TreeSet<>();
        List<String> expressions = new ArrayList<>(MonitoringFiles.dashboardQueries(RATE_INTERVAL).values());
        MonitoringFiles.rules().forEach(rule -> {
            expressions.add(rule.path("expr").asText());
            if (rule.has("record")) {
                recorded.add(rule.path("record").asText());
            }
        });
        for (String expr : expressions) {
            for (String name : MonitoringFiles.metricNames(expr)) {
                assertThat(exported.contains(name) || recorded.contains(name) || NOT_EXPORTED_HERE.containsKey(name))
                        .as("%s, read by %s, is exported by the instances (or listed as not exported here)", name, expr).isTrue();
            }
        }

        Set<String> events = new TreeSet<>();
        for (Event event : Event.values()) {
            events.add(event.tag());
        }
        assertThat(MonitoringFiles.EVENTS_NOT_YET_REPORTED).as("reported now: take them off EVENTS_NOT_YET_REPORTED").doesNotContainAnyElementsOf(events);
        Matcher named = Pattern.compile("event=~?\"([^\"]+)\"").matcher(String.join("\n", expressions));
        while (named.find()) {
            for (String event : named.group(1).split("\\|", -1)) {
                assertThat(events.contains(event) || MonitoringFiles.EVENTS_NOT_YET_REPORTED.contains(event))
                        .as("session event %s is one SessionObserver.Event reports", event).isTrue();
            }
        }
    }

    @Test
    void theRulesRunInPrometheusWithoutErrorAndAHealthyTopologyRaisesNoAlert() {
        Awaitility.await().atMost(PATIENCE).untilAsserted(() -> {
            List<String> rules = new ArrayList<>();
            for (JsonNode group : prometheus.api("/api/v1/rules").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    String name = rule.path("name").asText();
                    rules.add(name);
                    assertThat(rule.path("health").asText()).as(name + ": " + rule.path("lastError").asText()).isEqualTo("ok");
                    assertThat(rule.path("lastEvaluation").asText()).as(name + " was evaluated").doesNotStartWith("0001-");
                }
            }
            assertThat(rules).hasSize(MonitoringFiles.rules().size());
        });
        assertThat(prometheus.query("ALERTS")).as("alerts pending or firing").isEmpty();
    }

    @Test
    void everyDashboardQueryRunsAndTheOnesOnExportedMetricsShowData() {
        Set<String> scraped = scrapedNames();
        MonitoringFiles.dashboardQueries(RATE_INTERVAL).forEach((panel, expr) -> {
            JsonNode result = prometheus.query(expr); // fails on a query Prometheus refuses
            if (scraped.containsAll(MonitoringFiles.metricNames(expr)) && result.isEmpty()) {
                Awaitility.await(panel).atMost(PATIENCE).untilAsserted(() -> assertThat(prometheus.query(expr)).as(panel + ": " + expr).isNotEmpty());
            }
        });
    }

    /**
     * Starts an instance as the compose file runs it: one that exits at start because the session store's Redis
     * handshake timed out (one second, which a cold JVM on a machine at load 20 can miss) starts again, at most
     * twice, as {@code restart: unless-stopped} has it do. Any other failure fails at once.
     */
    private static InstanceProcess startInstance(String id, Map<String, String> environment) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return InstanceProcess.start(id, environment);
            } catch (IllegalStateException e) {
                if (attempt == 3 || !String.valueOf(e.getMessage()).contains("session store unavailable during connect")) {
                    throw e;
                }
                System.out.printf("PrometheusScrapeIT: %s exited at start (the Redis handshake timed out), starting it again%n", id);
            }
        }
    }

    /** Every metric name Prometheus stores, once every instance was scraped a few times. */
    private static Set<String> scrapedNames() {
        Awaitility.await().atMost(PATIENCE).until(() -> prometheus.query("count_over_time(up{job=\"reporadar\"}[1m]) >= 3").size() == 3);
        Set<String> names = new TreeSet<>();
        prometheus.api("/api/v1/label/__name__/values").forEach(name -> names.add(name.asText()));
        return names;
    }

    /**
     * What DemoApp's session meters export once they counted something: they appear at their first increment, which
     * no instance here meets (a decrypt failure, a failover).
     */
    private static String firstIncrementMeters() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try {
            SessionMetrics session = new SessionMetrics(registry);
            session.unreadable("k1", Unreadable.TAMPERED);
            for (Event event : Event.values()) {
                session.event(event);
            }
            for (LoadOutcome outcome : LoadOutcome.values()) {
                session.loaded(outcome, 1_000, 1);
            }
            for (SaveOutcome outcome : SaveOutcome.values()) {
                session.saved(outcome, 1_000, 1, 10);
            }
            return registry.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8");
        } finally {
            registry.close();
        }
    }

    private static Set<String> names(String exposition) {
        Set<String> names = new TreeSet<>();
        exposition.lines().filter(line -> !line.startsWith("#") && !line.isBlank()).forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }
}
