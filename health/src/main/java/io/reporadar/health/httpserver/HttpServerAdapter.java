package io.reporadar.health.httpserver;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.reporadar.health.HealthEndpoints;
import io.reporadar.health.InFlightRequests;
import io.reporadar.health.Networks;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.List;

/**
 * The health endpoints and request counting for the JDK's own {@code com.sun.net.httpserver.HttpServer};
 * no dependency beyond the JDK.
 *
 * <pre>{@code
 * HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
 * server.createContext("/health", HttpServerAdapter.handler(HealthEndpoints.of(health, DetailsPolicy.loopback())));
 * server.createContext("/", appHandler).getFilters().add(HttpServerAdapter.inFlight(inFlight));
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class HttpServerAdapter {

    private HttpServerAdapter() {
    }

    /** Serves {@code /health} and below; the connecting address is the caller. */
    public static HttpHandler handler(HealthEndpoints endpoints) {
        return handler(endpoints, Networks.NONE);
    }

    /** Serves {@code /health} and below behind {@code trustedProxies}, which name the client in {@code X-Forwarded-For}. */
    public static HttpHandler handler(HealthEndpoints endpoints, Networks trustedProxies) {
        return exchange -> {
            try (exchange) {
                String authorization = exchange.getRequestHeaders().getFirst("Authorization");
                List<String> forwarded = exchange.getRequestHeaders().getOrDefault("X-Forwarded-For", List.of());
                InetAddress client = trustedProxies.client(exchange.getRemoteAddress().getAddress().getHostAddress(), forwarded);
                HealthEndpoints.Response response = endpoints.handle(HealthEndpoints.Request.of(exchange.getRequestMethod(), exchange.getRequestURI().getPath())
                        .withQuery(exchange.getRequestURI().getRawQuery()).withAccept(exchange.getRequestHeaders().getFirst("Accept")).from(client)
                        .withAuthorization(authorization));
                response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
                byte[] body = response.body();
                exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        };
    }

    /**
     * Counts the requests in flight for a graceful shutdown and, once the server has stopped accepting
     * connections, asks clients to close kept-alive ones, so that their next request goes to another instance.
     */
    public static Filter inFlight(InFlightRequests inFlight) {
        return new Filter() {
            @Override
            public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                inFlight.begin();
                try {
                    if (inFlight.closingConnections()) {
                        exchange.getResponseHeaders().set("Connection", "close");
                    }
                    chain.doFilter(exchange);
                } finally {
                    inFlight.end();
                }
            }

            @Override
            public String description() {
                return "reporadar in-flight request counter";
            }
        };
    }
}
