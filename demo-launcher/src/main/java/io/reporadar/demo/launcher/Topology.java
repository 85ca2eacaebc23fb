package io.reporadar.demo.launcher;

import io.reporadar.demo.DemoApp;
import io.reporadar.demo.DemoConfig;
import io.reporadar.demo.NginxConfig;
import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import io.reporadar.lb.PickContext;
import io.reporadar.lb.Strategy;
import io.reporadar.testing.NginxServer;
import io.reporadar.testing.PostgresDatabase;
import io.reporadar.testing.PostgresServer;
import io.reporadar.testing.RedisServer;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The whole demo on one machine with nothing but a JDK: Redis and PostgreSQL ({@code REDIS_URL} and
 * {@code DATABASE_URL} when given, else local binaries, else the embedded ones), three instances on
 * 3001-3003, and in front on 8080 nginx with the rendered configuration when it is installed, else a Jetty
 * proxy balancing with {@code lb-strategies}. {@code ./mvnw -q -pl demo-launcher exec:java} (after
 * {@code ./mvnw -q install -DskipTests});
 * Ctrl-C stops everything it started.
 *
 * <p>{@code FRONT} ({@code nginx} when installed, else {@code proxy}), {@code FRONT_PORT} (default 8080),
 * {@code RATE_LIMIT_PER_SECOND} (nginx's per-client limit on {@code /api/}, default 20; raise it to load-test), {@code INSTANCE_PORTS} (default {@code 3001,3002,3003}; {@code 0,0,0}
 * for free ports) and every variable of {@link DemoApp} may be set; missing secrets are generated for the run.
 */
public final class Topology implements AutoCloseable {

    private final Deque<AutoCloseable> started;
    private final List<DemoApp> instances;
    private final URI front;
    private final String frontKind;

    private Topology(Deque<AutoCloseable> started, List<DemoApp> instances, URI front, String frontKind) {
        this.started = started;
        this.instances = List.copyOf(instances);
        this.front = front;
        this.frontKind = frontKind;
    }

    /** Starts every part, saying so on {@code System.out}; on a failure, stops what was started and rethrows. */
    public static Topology start(Map<String, String> environment) throws Exception {
        return start(environment, System.out);
    }

    /**
     * Starts every part, one line of {@code progress} each ({@code [2/6] PostgreSQL: ... ok (1.2 s)}); on a failure,
     * stops what was started and rethrows.
     *
     * @throws IllegalArgumentException naming every malformed launcher variable, before anything starts
     * @throws LaunchSteps.Failure       naming the part that did not start, why, and what to do
     */
    public static Topology start(Map<String, String> environment, PrintStream progress) throws Exception {
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            return startAll(environment, started, progress);
        } catch (Exception e) {
            stopAll(started);
            throw e;
        }
    }

    /** Starts every part, pushing each on {@code started} as it runs. */
    private static Topology startAll(Map<String, String> given, Deque<AutoCloseable> started, PrintStream progress) throws Exception {
        Map<String, String> env = new HashMap<>(given);
        // The launcher's own variables, checked before anything starts.
        List<String> problems = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        for (String port : env.getOrDefault("INSTANCE_PORTS", "3001,3002,3003").split(",", -1)) { // an empty one is reported
            ports.add(Integer.toString(number("INSTANCE_PORTS", port, 0, problems)));
        }
        int frontPort = number("FRONT_PORT", env.getOrDefault("FRONT_PORT", "8080"), 1, problems);
        int rate = number("RATE_LIMIT_PER_SECOND", env.getOrDefault("RATE_LIMIT_PER_SECOND",
                Integer.toString(NginxConfig.DEFAULT_RATE_LIMIT)), 1, problems);
        String frontChoice = env.getOrDefault("FRONT", NginxServer.isInstalled() ? "nginx" : "proxy").strip();
        if (!frontChoice.equals("nginx") && !frontChoice.equals("proxy")) {
            problems.add("FRONT: " + frontChoice + " (expected: nginx or proxy)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
        }
        LaunchSteps steps = new LaunchSteps(progress, ports.size() + 3);
        if (blank(env.get("REDIS_URL"))) {
            RedisServer redis = steps.run("Redis", "starting a local redis-server on a free port",
                    "install Redis (Debian: apt-get install redis-server), or set REDIS_URL to a running one", () -> {
                        RedisServer server = RedisServer.start();
                        started.push(server);
                        return server;
                    });
            env.put("REDIS_URL", redis.uri());
        } else {
            steps.run("Redis", "the server REDIS_URL names (the instances connect to it)", "", () -> "");
        }
        if (blank(env.get("DATABASE_URL"))) {
            PostgresDatabase database = steps.run("PostgreSQL", "starting a local PostgreSQL on a free port",
                    "install PostgreSQL (Debian: apt-get install postgresql), or set DATABASE_URL to a running server", () -> {
                        PostgresServer postgres = PostgresServer.start(Map.of("max_connections", "100"));
                        started.push(postgres);
                        return postgres.createDatabase();
                    });
            env.put("DATABASE_URL", database.url());
        } else {
            steps.run("PostgreSQL", "the server DATABASE_URL names (the instances connect to it)", "", () -> "");
        }
        SecureRandom random = new SecureRandom();
        env.computeIfAbsent("SESSION_SECRET", k -> randomHex(random, 32));
        env.computeIfAbsent("SESSION_ENCRYPTION_KEY", k -> randomHex(random, 32));
        env.putIfAbsent("APP_ENV", "development");
        env.putIfAbsent("INSTANCE_COUNT", Integer.toString(ports.size()));
        env.putIfAbsent("DB_POOL_MAX", "5");
        env.putIfAbsent("DB_POOL_MIN", "1");
        List<DemoApp> instances = new ArrayList<>();
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            Map<String, String> own = new HashMap<>(env);
            own.put("PORT", ports.get(i));
            own.put("INSTANCE_ID", "reporadar-" + (i + 1));
            String id = own.get("INSTANCE_ID");
            DemoApp app = steps.run("instance " + id, "on port " + (ports.get(i).equals("0") ? "any free one" : ports.get(i)),
                    "read the reason above: a port in use (choose others with INSTANCE_PORTS; 0,0,0 takes free ones), Redis or "
                            + "PostgreSQL refusing (check REDIS_URL and DATABASE_URL), or a variable to fix as named", () -> {
                        DemoApp instance = DemoApp.start(DemoConfig.fromEnvironment(own));
                        started.push(instance);
                        return instance;
                    });
            instances.add(app);
            endpoints.add(Endpoint.of("127.0.0.1", app.port()));
        }
        String frontKind;
        String frontAdvice = "if port " + frontPort + " is in use, choose another with FRONT_PORT";
        if (frontChoice.equals("nginx")) {
            steps.run("front", "nginx on port " + frontPort, frontAdvice + "; without a working nginx, FRONT=proxy uses the built-in proxy", () -> {
                NginxServer nginx = NginxServer.start(frontPort, port -> NginxConfig.httpBlock(endpoints, "127.0.0.1:" + port, rate));
                started.push(nginx);
                return nginx;
            });
            frontKind = "nginx (least_conn, rendered by lb-strategies)";
        } else {
            steps.run("front", "the Jetty proxy on port " + frontPort, frontAdvice, () -> {
                Server proxy = jettyProxy(frontPort, LoadBalancer.of(Strategy.leastConnections(), endpoints));
                started.push(proxy::stop);
                return proxy;
            });
            frontKind = "Jetty proxy (least connections from lb-strategies)";
        }
        return new Topology(started, instances, URI.create("http://127.0.0.1:" + frontPort), frontKind);
    }

    private static String randomHex(SecureRandom random, int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    /** A whole number from {@code min} to 65535, or a problem naming the variable. */
    private static int number(String variable, String raw, int min, List<String> problems) {
        try {
            int value = Integer.parseInt(raw.strip());
            if (value >= min && value <= 65_535) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(variable + ": " + raw.strip() + " (expected: a whole number from " + min + " to 65535)");
        return min;
    }

    private static boolean blank(@Nullable String value) {
        return value == null || value.isBlank();
    }

    /** A reverse proxy that picks each request's instance with the balancer and reports how it went. */
    private static Server jettyProxy(int port, LoadBalancer balancer) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ProxyHandler.Reverse proxy = new ProxyHandler.Reverse(request -> {
            Endpoint endpoint = (Endpoint) request.getAttribute(Endpoint.class.getName());
            return HttpURI.build(request.getHttpURI()).scheme("http").host(endpoint.host()).port(endpoint.port());
        });
        server.setHandler(new Handler.Wrapper(proxy) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Endpoint endpoint = balancer.pick(new PickContext());
                if (endpoint == null) { // every instance down or ejected
                    Response.writeError(request, response, callback, 503);
                    return true;
                }
                request.setAttribute(Endpoint.class.getName(), endpoint);
                balancer.onStart(endpoint);
                long started = System.nanoTime();
                return super.handle(request, response, Callback.from(callback, () -> balancer.onComplete(endpoint,
                        response.getStatus() < 500, Duration.ofNanos(System.nanoTime() - started))));
            }
        });
        server.start();
        return server;
    }

    /** Where users go: nginx or the proxy. */
    public URI front() {
        return front;
    }

    public List<DemoApp> instances() {
        return instances;
    }

    /** The URLs and each instance's readiness, for the console. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        text.append("RepoRadar demo: ").append(front).append("  (").append(frontKind).append(")\n");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        text.append(String.format("  %-12s %-24s %s%n", "instance", "url", "/health/ready"));
        for (DemoApp app : instances) {
            URI url = URI.create("http://127.0.0.1:" + app.port());
            String ready;
            try {
                ready = Integer.toString(http.send(HttpRequest.newBuilder(url.resolve("/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());
            } catch (Exception e) {
                ready = "unreachable";
            }
            text.append(String.format("  %-12s %-24s %s%n", app.instanceId(), url, ready));
        }
        text.append("Dashboard: ").append(front.resolve("/health/backend")).append("  (open it in a browser: every instance, live)\n");
        text.append("Try: curl -c jar -H 'Content-Type: application/json' -d '{\"username\":\"ada\"}' ").append(front).append("/api/login; curl -b jar ")
                .append(front).append("/api/me\n");
        return text.toString();
    }

    /** Stops everything it started, newest first. */
    @Override
    public void close() {
        stopAll(started);
    }

    private static void stopAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                System.err.println("reporadar-demo: while stopping: " + e.getMessage());
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Topology topology;
        try {
            topology = start(System.getenv());
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("reporadar-demo: " + e.getMessage());
            System.exit(2);
            return;
        } catch (LaunchSteps.Failure e) {
            // Everything started before it is stopped already; a malformed variable stays exit code 2.
            System.err.println("reporadar-demo: " + e.getMessage());
            System.exit(e.getCause() instanceof IllegalArgumentException ? 2 : 1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            topology.close();
            stopped.countDown();
        }, "reporadar-topology-stop"));
        Thread.sleep(1000); // the first health checks
        System.out.print(topology.describe());
        System.out.println("Ctrl-C stops everything.");
        stopped.await();
    }
}
