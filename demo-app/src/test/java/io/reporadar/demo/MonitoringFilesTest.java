package io.reporadar.demo;

import static io.reporadar.demo.MonitoringFiles.ALERTS;
import static io.reporadar.demo.MonitoringFiles.ALERT_TESTS;
import static io.reporadar.demo.MonitoringFiles.DASHBOARD;
import static io.reporadar.demo.MonitoringFiles.GRAFANA;
import static io.reporadar.demo.MonitoringFiles.PROMETHEUS_CONFIG;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reporadar.demo.MonitoringFiles.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring profile's files, checked by the tools that read them: {@code promtool check config} on the shipped
 * prometheus.yml, {@code promtool check rules} on the alerts, {@code promtool test rules} on their unit tests (a
 * case that fires and one that does not for every alert), and the Grafana dashboard's structure with every query
 * parsed by promtool. PrometheusScrapeIT runs them against real instances.
 */
class MonitoringFilesTest {

    /** The alerts issue 18 asks for. */
    private static final Set<String> ALERT_NAMES = Set.of("RepoRadarInstanceDown", "RepoRadarReadinessFlapping",
            "RepoRadarPoolBudgetOver80Percent", "RepoRadarRedisNoReplicaOnline", "RepoRadarSentinelFailover", "RepoRadarJobBacklogHigh",
            "RepoRadarSessionDecryptFailures");

    @TempDir
    @SuppressWarnings("NullAway.Init") // JUnit sets it before each test
    Path work;

    @Test
    void promtoolAcceptsTheShippedConfigurationAndItsRules() {
        Run config = promtool("check", "config", PROMETHEUS_CONFIG.toString());
        assertThat(config.exit()).as(config.output()).isZero();
        assertThat(config.output()).contains("SUCCESS").contains("9 rules found");
        Run rules = promtool("check", "rules", ALERTS.toString());
        assertThat(rules.exit()).as(rules.output()).isZero();
    }

    @Test
    void theConfigurationScrapesEachInstanceByItselfAndNginxThroughItsExporter() {
        Map<String, String> targets = new HashMap<>();
        MonitoringFiles.yaml(PROMETHEUS_CONFIG).path("scrape_configs").forEach(job -> targets.put(job.path("job_name").asText(),
                job.has("dns_sd_configs") ? job.path("dns_sd_configs").toString() : job.path("static_configs").path(0).path("targets").toString()));
        assertThat(targets).containsOnlyKeys("reporadar", "nginx", "prometheus");
        assertThat(targets.get("reporadar")).as("every replica of the compose service, each by itself, not nginx")
                .isEqualTo("[{\"names\":[\"reporadar\"],\"type\":\"A\",\"port\":3000,\"refresh_interval\":\"10s\"}]");
        assertThat(targets.get("nginx")).isEqualTo("[\"nginx-exporter:9113\"]");
    }

    @Test
    void everyAlertHasAUnitTestThatFiresItAndOneThatDoesNotAndAllPass() {
        Set<String> alerts = new TreeSet<>();
        MonitoringFiles.rules().forEach(rule -> {
            if (rule.has("alert")) {
                alerts.add(rule.path("alert").asText());
            }
        });
        assertThat(alerts).containsExactlyInAnyOrderElementsOf(ALERT_NAMES);
        Set<String> fired = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        for (JsonNode test : MonitoringFiles.yaml(ALERT_TESTS).path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                (check.path("exp_alerts").isEmpty() ? quiet : fired).add(check.path("alertname").asText());
            }
        }
        assertThat(fired).as("alerts with a case that fires them").containsAll(ALERT_NAMES);
        assertThat(quiet).as("alerts with a case that does not fire them").containsAll(ALERT_NAMES);

        Run tests = promtool("test", "rules", ALERT_TESTS.toString());
        assertThat(tests.exit()).as(tests.output()).isZero();
        assertThat(tests.output()).contains("SUCCESS");
    }

    /** The unit tests are real: an alert that fires for one more case fails them. */
    @Test
    void aRuleThatFiresWhereItShouldNotFailsTheUnitTests() throws Exception {
        Files.writeString(work.resolve("alerts.yml"), Files.readString(ALERTS).replace("(reporadar_db_headroom_ratio) > 0.8",
                "(reporadar_db_headroom_ratio) >= 0.8"));
        Files.copy(ALERT_TESTS, work.resolve("alerts.test.yml"));
        Run tests = promtool("test", "rules", work.resolve("alerts.test.yml").toString());
        assertThat(tests.exit()).isNotZero();
        assertThat(tests.output()).contains("80% exactly, or a short peak over it, does not alert").contains("RepoRadarPoolBudgetOver80Percent");
    }

    @Test
    void theDashboardIsProvisionedFromTheRepositoryAndEveryQueryParses() throws Exception {
        JsonNode dashboard = MonitoringFiles.json(DASHBOARD);
        assertThat(dashboard.path("uid").asText()).isEqualTo("reporadar-overview");
        assertThat(dashboard.path("title").asText()).isEqualTo("RepoRadar");
        assertThat(dashboard.path("schemaVersion").asInt()).isPositive();
        JsonNode datasource = MonitoringFiles.yaml(GRAFANA.resolve("provisioning/datasources/prometheus.yml")).path("datasources").path(0);
        assertThat(datasource.path("type").asText()).isEqualTo("prometheus");
        assertThat(datasource.path("url").asText()).as("the compose service").isEqualTo("http://prometheus:9090");
        JsonNode provider = MonitoringFiles.yaml(GRAFANA.resolve("provisioning/dashboards/reporadar.yml")).path("providers").path(0);
        assertThat(provider.path("options").path("path").asText()).as("where the compose file mounts grafana/dashboards")
                .isEqualTo("/var/lib/grafana/dashboards");
        assertThat(Files.readString(Path.of("..", "docker", "docker-compose.multi-instance.yml")))
                .contains("./monitoring/grafana/dashboards:/var/lib/grafana/dashboards:ro")
                .contains("./monitoring/grafana/provisioning:/etc/grafana/provisioning:ro");

        Set<Integer> ids = new HashSet<>();
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertThat(ids.add(panel.path("id").asInt())).as("panel ids are unique: " + title).isTrue();
            JsonNode grid = panel.path("gridPos");
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as(title + " fits the 24 columns").isBetween(1, 24);
            assertThat(grid.path("h").asInt()).as(title).isPositive();
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("datasource").path("uid").asText()).as(title + ": the provisioned data source")
                    .isEqualTo(datasource.path("uid").asText());
            assertThat(panel.path("targets")).as(title + " queries something").isNotEmpty();
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.path("targets")) {
                assertThat(refIds.add(target.path("refId").asText())).as(title + ": refIds are unique").isTrue();
                assertThat(target.path("expr").asText()).as(title).isNotBlank();
                queries++;
            }
        }
        assertThat(queries).isEqualTo(MonitoringFiles.dashboardQueries("1m").size());
        assertThat(dashboard.path("templating").path("list").path(0).path("name").asText()).isEqualTo("instance_id");

        // promtool parses PromQL in rules files: each query becomes a recording rule.
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (Map.Entry<String, String> query : MonitoringFiles.dashboardQueries("1m").entrySet()) {
            rules.append("      - record: dashboard:query_").append(n++).append('\n')
                    .append("        expr: '").append(query.getValue().replace("'", "''")).append("'\n");
        }
        Path file = work.resolve("dashboard-queries.yml");
        Files.writeString(file, rules.toString());
        Run check = promtool("check", "rules", file.toString());
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains(n + " rules found");
    }

    private Run promtool(String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of(MonitoringFiles.promtool().toString()));
        command.addAll(List.of(arguments));
        return MonitoringFiles.run(command, work);
    }
}
