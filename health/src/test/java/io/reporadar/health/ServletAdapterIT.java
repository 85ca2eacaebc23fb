package io.reporadar.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.health.servlet.HealthServlet;
import io.reporadar.health.servlet.InFlightFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/** The servlet adapter in a real Jetty 12 container. */
class ServletAdapterIT {

    @Test
    void servesTheEndpointsAndCountsRequestsInFlightThroughADrain() throws Exception {
        Health health = Health.builder().check(CheckSpec.dependency("db", Result::up).critical().interval(Duration.ofMillis(50)))
                .build().start();
        InFlightRequests inFlight = new InFlightRequests();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new HealthServlet(HealthEndpoints.of(health, DetailsPolicy.loopback()))), "/health/*");
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                try {
                    Thread.sleep(700);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                resp.getWriter().write("done");
            }
        }), "/slow");
        context.addFilter(new FilterHolder(new InFlightFilter(inFlight)), "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.start();
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + connector.getLocalPort();
        try {
            health.markReady();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> health.snapshot().readiness() == Status.UP);

            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                    .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("[+]db ok\nreadiness check passed (UP)\n");
            assertThat(ready.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString())
                    .body()).isEqualTo("{\"status\":\"UP\"}");

            CompletableFuture<HttpResponse<String>> slow = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/slow")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> inFlight.count() == 1);
            health.beginDrain();

            HttpResponse<String> draining = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(draining.statusCode()).isEqualTo(503);
            assertThat(draining.headers().firstValue("Connection")).as("kept alive while the listener is open").isEmpty();
            inFlight.closeConnections(); // as the graceful shutdown does once the listener is closed
            HttpResponse<String> closing = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(closing.headers().firstValue("Connection")).hasValue("close");
            assertThat(inFlight.awaitIdle(Duration.ofSeconds(5))).isTrue();
            assertThat(slow.get().body()).isEqualTo("done");
        } finally {
            server.stop();
            health.close();
        }
    }
}
