package io.reporadar.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.reporadar.health.CheckSpec;
import io.reporadar.health.DetailsPolicy;
import io.reporadar.health.Health;
import io.reporadar.health.HealthEndpoints;
import io.reporadar.health.Result;
import io.reporadar.health.httpserver.HttpServerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * A JDK HttpServer serving the health endpoints (10 checks) next to a bare handler that answers 200, for
 * measuring throughput with a load generator from another process:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.reporadar.benchmarks.HealthHttpThroughputServer 18080 &amp;
 * wrk -t2 -c32 -d10s http://127.0.0.1:18080/bare
 * wrk -t2 -c32 -d10s http://127.0.0.1:18080/health
 * wrk -t2 -c32 -d10s http://127.0.0.1:18080/health/backend
 * </pre>
 *
 * The bare handler is the limit of the server itself; the difference is what the health endpoints cost.
 */
public final class HealthHttpThroughputServer {

    private HealthHttpThroughputServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18080;
        Health.Builder builder = Health.builder();
        for (int i = 0; i < 10; i++) {
            builder.check(CheckSpec.dependency("check-" + i, Result::up).critical().interval(Duration.ofSeconds(5)));
        }
        Health health = builder.build().start();
        health.evaluateNow();
        health.markReady();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/health", HttpServerAdapter.handler(HealthEndpoints.of(health, DetailsPolicy.always())));
        server.createContext("/bare", exchange -> {
            try (exchange) {
                byte[] body = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        System.out.println("listening on 127.0.0.1:" + port);
    }
}
