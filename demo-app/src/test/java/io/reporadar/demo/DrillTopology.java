package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.NginxServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What the drills break: three demo JVMs ({@code reporadar-1..3}) behind the rendered nginx (rate limit
 * raised for load), all given the same environment. Not thread-safe: one drill at a time.
 */
final class DrillTopology implements AutoCloseable {

    /** nginx's log lines that a stopped instance causes. */
    private static final Pattern ROUTINE = Pattern.compile("no live upstreams|\\(111: Connection refused\\)|upstream server temporarily disabled");

    private final List<InstanceProcess> instances;
    private final NginxServer nginx;

    private DrillTopology(List<InstanceProcess> instances, NginxServer nginx) {
        this.instances = List.copyOf(instances);
        this.nginx = nginx;
    }

    /** Starts the three instances side by side, then nginx in front of them. */
    static DrillTopology start(Map<String, String> environment) throws Exception {
        List<InstanceProcess> instances = new ArrayList<>();
        ExecutorService launcher = Executors.newFixedThreadPool(3);
        try {
            List<Future<InstanceProcess>> starting = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                String id = "reporadar-" + i;
                starting.add(launcher.submit(() -> InstanceProcess.start(id, environment)));
            }
            for (Future<InstanceProcess> instance : starting) {
                instances.add(instance.get());
            }
            NginxServer nginx = NginxServer.start(port -> NginxConfig.httpBlock(
                    instances.stream().map(InstanceProcess::endpoint).toList(), "127.0.0.1:" + port, 100_000));
            return new DrillTopology(instances, nginx);
        } catch (Exception e) {
            instances.forEach(InstanceProcess::close);
            throw e;
        } finally {
            launcher.shutdown();
        }
    }

    List<InstanceProcess> instances() {
        return instances;
    }

    InstanceProcess instance(int number) {
        return instances.get(number - 1);
    }

    URI front() {
        return nginx.url("/");
    }

    /** Starts every instance a drill stopped and waits until nginx takes it back. */
    void restartStopped() {
        instances.stream().filter(instance -> !instance.isAlive()).forEach(instance -> {
            instance.start();
            awaitBackInRotation(instance);
        });
    }

    /**
     * nginx left the instance out when its connections were refused; it tries it again {@link NginxConfig#FAIL_TIMEOUT}
     * after the last failure, which came at the latest just before the instance was ready.
     */
    static void awaitBackInRotation(InstanceProcess instance) {
        long wait = instance.readyAtNanos() + NginxConfig.FAIL_TIMEOUT.plusMillis(500).toNanos() - System.nanoTime();
        if (wait > 0) {
            InstanceProcess.sleep(Duration.ofNanos(wait).toMillis());
        }
    }

    /** Prints the drill's line and fails, quoting nginx's last errors, when any request failed. */
    void assertNoFailures(String drill, SteadyLoad load) {
        assertFailedWritesAtMost(drill, load, 0);
    }

    /**
     * No read failed and at most {@code writes} writes did: the writes in flight on an instance that was killed
     * fail, since nginx never resends a POST whose outcome it cannot know.
     */
    void assertFailedWritesAtMost(String drill, SteadyLoad load, int writes) {
        report(drill, load);
        assertThat(load.readFailures()).as(() -> "failed reads: " + load.summary() + "\nnginx's last errors:\n" + lastErrors()).isEmpty();
        assertThat(load.writeFailures()).as(() -> "failed writes: " + load.summary() + "\nnginx's last errors:\n" + lastErrors())
                .hasSizeLessThanOrEqualTo(writes);
    }

    static void report(String drill, SteadyLoad load) {
        System.out.printf("drill %-28s %6d requests through nginx, %d writes and %d reads failed, %d lost writes, slowest %d ms%n", drill,
                load.succeeded() + load.failures().size(), load.writeFailures().size(), load.readFailures().size(), load.lostWrites(),
                load.slowest().toMillis());
    }

    /**
     * nginx's error and warning lines, shortened to time, message and upstream: the last 30 out of the ordinary,
     * then how many said what a stopped instance causes (refused connections, the instance left out for a while).
     */
    String lastErrors() {
        List<String> lines = nginx.errorLog().lines().filter(line -> line.contains("[error]") || line.contains("[warn]"))
                .map(line -> line.replaceAll("\\[(error|warn)\\] [0-9#]+: \\*\\d+ ", "").replaceAll(", client: .*upstream: \"", " ")
                        .replaceAll("/api/(me|visits)\".*", ""))
                .toList();
        List<String> unusual = lines.stream().filter(line -> !ROUTINE.matcher(line).find()).toList();
        return String.join("\n", unusual.subList(Math.max(0, unusual.size() - 30), unusual.size())) + "\n(and "
                + (lines.size() - unusual.size()) + " lines of refused connections, instances left out, no live upstreams)";
    }

    /** A request through nginx. */
    HttpResponse<String> send(String method, String path, String cookie, @Nullable String body) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(front().resolve(path)).header("Cookie", cookie);
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        HttpRequest request = builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        nginx.close();
        instances.forEach(InstanceProcess::close);
    }
}
