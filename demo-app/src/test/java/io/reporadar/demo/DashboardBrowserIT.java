package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.PostgresDatabase;
import io.reporadar.testing.PostgresServer;
import io.reporadar.testing.RedisExtension;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven through its chromedriver, opens
 * {@code /health/backend} through nginx in front of three instance JVMs and follows the deployment as it changes.
 * A screenshot of each state lands in {@code target/dashboard-screenshots}.
 */
class DashboardBrowserIT {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Pattern INSTANCE = Pattern.compile("data-instance=\"([^\"]*)\" data-state=\"([^\"]*)\"");
    private static final Pattern READINESS = Pattern.compile("id=\"deployment-readiness\" class=\"badge \\w+\">(\\w+)<");
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();

    private static PostgresServer postgres;
    private static DrillTopology topology;
    private static ChromeDriver browser;

    @BeforeAll
    static void startTopologyAndBrowser() throws Exception {
        for (String binary : new String[] {CHROMIUM, CHROMEDRIVER}) {
            assertThat(new File(binary).canExecute()).as(binary + ": install Debian's chromium and chromium-driver (.ci/run does)").isTrue();
        }
        postgres = PostgresServer.start(Map.of("max_connections", "50"));
        PostgresDatabase database = postgres.createDatabase();
        Map<String, String> env = DemoAppIT.environment("unused", redis.uri(), database.url());
        env.put("DRAIN_DELAY", "2s");
        topology = DrillTopology.start(env);
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM)
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1100");
        // The system's chromedriver, named: Selenium Manager never runs, nothing is downloaded.
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopAll() {
        if (browser != null) {
            browser.quit();
        }
        if (topology != null) {
            topology.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void throughNginxThePageShowsThreeInstancesThenPostgresDownThenOneDrainingAndGone() throws Exception {
        URI page = topology.front().resolve("/health/backend");
        HttpResponse<String> json = HttpClient.newHttpClient().send(HttpRequest.newBuilder(page).header("Accept", "*/*").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json.body()).as("curl keeps the JSON").startsWith("{\"status\":\"UP\",\"lifecycle\":\"READY\"");

        browser.get(page.toString());
        await("three instances READY, the deployment UP", Duration.ofSeconds(15), source -> instances(source)
                .equals(Map.of("reporadar-1", "READY", "reporadar-2", "READY", "reporadar-3", "READY")) && "UP".equals(readiness(source)));
        assertThat(browser.executeScript("return getComputedStyle(document.getElementById('deployment-readiness')).backgroundColor"))
                .as("the stylesheet applies under the page's Content-Security-Policy").isEqualTo("rgb(46, 125, 50)");
        screenshot("1-three-instances-ready");

        postgres.stop();
        try {
            await("the deployment's readiness DOWN", Duration.ofSeconds(20), source -> "DOWN".equals(readiness(source)));
            screenshot("2-postgres-down");
        } finally {
            postgres.restart();
        }
        await("the deployment UP again", Duration.ofSeconds(30), source -> "UP".equals(readiness(source)));

        InstanceProcess stopping = topology.instance(1);
        long signal = System.nanoTime();
        stopping.terminate();
        await("reporadar-1 DRAINING", Duration.ofSeconds(2), source -> "DRAINING".equals(instances(source).get("reporadar-1")));
        System.out.printf("dashboard: reporadar-1 shown DRAINING %d ms after SIGTERM%n", Duration.ofNanos(System.nanoTime() - signal).toMillis());
        screenshot("3-reporadar-1-draining");
        stopping.awaitExit();
        long exited = System.nanoTime();
        await("reporadar-1 GONE", Duration.ofSeconds(5), source -> "GONE".equals(instances(source).get("reporadar-1")));
        System.out.printf("dashboard: reporadar-1 shown GONE %d ms after it exited%n", Duration.ofNanos(System.nanoTime() - exited).toMillis());
        assertThat(instances(browser.getPageSource())).containsEntry("reporadar-2", "READY").containsEntry("reporadar-3", "READY");
        screenshot("4-reporadar-1-gone");
    }

    /** Waits until the page, as the browser shows it now (it reloads itself), satisfies {@code condition}. */
    private static void await(String what, Duration within, Predicate<String> condition) {
        Awaitility.await(what).atMost(within).pollInterval(Duration.ofMillis(50)).ignoreException(WebDriverException.class)
                .until(() -> condition.test(browser.getPageSource()));
    }

    private static Map<String, String> instances(String source) {
        Map<String, String> states = new TreeMap<>();
        Matcher matcher = INSTANCE.matcher(source);
        while (matcher.find()) {
            states.put(matcher.group(1), matcher.group(2));
        }
        return states;
    }

    private static String readiness(String source) {
        Matcher matcher = READINESS.matcher(source);
        return matcher.find() ? matcher.group(1) : "";
    }

    private static void screenshot(String name) throws Exception {
        Path file = SCREENSHOTS.resolve(name + ".png");
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("dashboard screenshot: " + file.toAbsolutePath());
    }
}
