package io.reporadar.health.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reporadar.health.CheckSpec;
import io.reporadar.health.DetailsPolicy;
import io.reporadar.health.Health;
import io.reporadar.health.HealthEndpoints;
import io.reporadar.health.Result;
import io.reporadar.health.Status;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DashboardPageTest {

    private static final String MARKUP = "<script>alert('x')</script>\"&";
    private static final String BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
    private static final InetAddress OUTSIDE = outside();

    private static InetAddress outside() {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 7});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Health health() {
        Health health = Health.builder()
                .check(CheckSpec.dependency("db", () -> Result.down("refused").withDetail("note", MARKUP)).critical()).build();
        health.markReady();
        health.evaluateNow();
        return health;
    }

    private static DeploymentView view(Health health) {
        InstanceReport hostile = InstanceReport.of(MARKUP, health.snapshot(), 2, Map.of("active <b>", "3 of 10"));
        InstanceReport gone = InstanceReport.of("reporadar-2", health.snapshot(), 0, Map.of()).withAge(10_000);
        return new DeploymentView(Instant.parse("2026-12-05T12:00:00Z"), List.of(hostile, gone), Duration.ofSeconds(3),
                List.of(new DeploymentView.Section("Redis " + MARKUP, Status.UP, Map.of("master", MARKUP))));
    }

    @Test
    void everyValueIsEscapedAndNoMarkupOfAnInstanceOrACheckSurvives() {
        String html = DashboardPage.render(view(health()));

        assertThat(html).doesNotContain("<script").doesNotContain("<b>").doesNotContain("alert('x')")
                .contains("data-instance=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;\"")
                .contains("note=&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;")
                .contains("<dt>active &lt;b&gt;</dt><dd>3 of 10</dd>");
    }

    @Test
    void theViewShowsEachInstancesStateAndTheDeploymentsReadiness() {
        String html = DashboardPage.render(view(health()));

        assertThat(html).contains("<meta http-equiv=\"refresh\" content=\"1\">")
                .contains("data-instance=\"reporadar-2\" data-state=\"GONE\"")
                .contains("<span id=\"live-count\">1</span> live of 2")
                .contains("id=\"deployment-readiness\" class=\"badge bad\">DOWN<")
                .contains("<td>db</td><td class=\"bad\">DOWN</td>");
    }

    @Test
    void aBrowserGetsThePageWithItsPolicyAndJsonClientsAndOutsidersWhatTheyGotBefore() {
        Health health = health();
        HealthEndpoints endpoints = HealthEndpoints.of(health, DetailsPolicy.loopback()).withPage(DashboardPage.of(() -> view(health)));
        HealthEndpoints.Request backend = HealthEndpoints.Request.of("GET", "/health/backend").from(InetAddress.getLoopbackAddress());

        HealthEndpoints.Response browser = endpoints.handle(backend.withAccept(BROWSER));
        HealthEndpoints.Response curl = endpoints.handle(backend.withAccept("*/*"));
        HealthEndpoints.Response json = endpoints.handle(backend.withAccept("application/json, text/html"));
        HealthEndpoints.Response outsider = endpoints.handle(backend.withAccept(BROWSER).from(OUTSIDE));
        HealthEndpoints.Response ready = endpoints.handle(HealthEndpoints.Request.of("GET", "/health/ready").withAccept(BROWSER)
                .from(InetAddress.getLoopbackAddress()));

        assertThat(browser.status()).isEqualTo(200);
        assertThat(browser.contentType()).isEqualTo(HealthEndpoints.HTML);
        assertThat(browser.headers()).containsEntry("Content-Security-Policy", DashboardPage.CONTENT_SECURITY_POLICY)
                .containsEntry("X-Content-Type-Options", "nosniff").containsEntry("Cache-Control", "no-store");
        assertThat(DashboardPage.CONTENT_SECURITY_POLICY).startsWith("default-src 'none'; style-src 'sha256-");
        assertThat(new String(browser.body(), StandardCharsets.UTF_8)).startsWith("<!DOCTYPE html>");
        assertThat(curl.contentType()).isEqualTo(HealthEndpoints.JSON);
        assertThat(new String(curl.body(), StandardCharsets.UTF_8)).startsWith("{\"status\":\"DOWN\",\"lifecycle\"");
        assertThat(json.contentType()).isEqualTo(HealthEndpoints.JSON);
        assertThat(outsider.contentType()).isEqualTo(HealthEndpoints.JSON);
        assertThat(new String(outsider.body(), StandardCharsets.UTF_8)).isEqualTo("{\"status\":\"DOWN\"}");
        assertThat(ready.contentType()).isEqualTo(HealthEndpoints.JSON);
    }

    @Test
    void aPageThatCannotBeRenderedIsA500WithoutItsCause() {
        HealthEndpoints endpoints = HealthEndpoints.of(health(), DetailsPolicy.always()).withPage(DashboardPage.of(() -> {
            throw new IllegalStateException("redis password wrong");
        }));

        HealthEndpoints.Response response = endpoints.handle(HealthEndpoints.Request.of("GET", "/health/backend").withAccept(BROWSER));

        assertThat(response.status()).isEqualTo(500);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("{\"error\":\"the page cannot be rendered\"}");
    }

    @Test
    void aReportReadsBackAsItWasWrittenAndABrokenOneIsNamed() {
        InstanceReport report = InstanceReport.of("reporadar-1\n=x", health().snapshot(), 4, Map.of("active", "1", "max = 10", "10"));

        assertThat(InstanceReport.decode(report.encode())).isEqualTo(report);
        assertThat(InstanceReport.decode(report.encode()).withAge(5).ageMillis()).isEqualTo(5);
        assertThatThrownBy(() -> InstanceReport.decode("lifecycle=READY")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("instance report: no id (expected: a report InstanceReport.encode() wrote)");
    }
}
