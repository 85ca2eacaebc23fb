package io.reporadar.lb;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@code java.net.http.HttpClient} that balances: each request goes to the endpoint the balancer picks,
 * outcomes are reported back, and an idempotent request that met a refused connection or a 503 is retried on
 * another endpoint, as nginx {@code proxy_next_upstream error http_503} does. Non-idempotent requests (POST,
 * PATCH) are never retried: their first attempt may have had effects.
 *
 * <pre>{@code
 * BalancedHttpClient http = BalancedHttpClient.of(HttpClient.newHttpClient(), lb);
 * HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://reporadar/api/me")), HttpResponse.BodyHandlers.ofString());
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class BalancedHttpClient {

    private final HttpClient client;
    private final LoadBalancer balancer;
    private final int maxAttempts;

    private BalancedHttpClient(HttpClient client, LoadBalancer balancer, int maxAttempts) {
        this.client = client;
        this.balancer = balancer;
        this.maxAttempts = maxAttempts;
    }

    /** Up to 2 attempts per request, as nginx's {@code proxy_next_upstream_tries 2} in the rendered config. */
    public static BalancedHttpClient of(HttpClient client, LoadBalancer balancer) {
        return new BalancedHttpClient(Objects.requireNonNull(client, "client"), Objects.requireNonNull(balancer, "balancer"), 2);
    }

    public BalancedHttpClient withMaxAttempts(int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("maxAttempts: " + attempts + " (expected: >= 1)");
        }
        return new BalancedHttpClient(client, balancer, attempts);
    }

    /**
     * Sends a request to the endpoint the balancer picks: the request's URI names the service
     * ({@code http://reporadar/api/me?x=1}); its host and port are replaced with the endpoint's, the scheme,
     * path and query are kept.
     *
     * @throws IOException when no endpoint is left or the last attempt failed
     */
    public <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        HttpRequest template = request.build();
        URI relative = template.uri();
        boolean retryable = RetryPolicy.idempotent(template.method());
        PickContext context = new PickContext();
        IOException lastFailure = null;
        HttpResponse<T> lastResponse = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            Endpoint endpoint = balancer.pick(context);
            if (endpoint == null) {
                break;
            }
            HttpRequest concrete = HttpRequest.newBuilder(template, (name, value) -> true)
                    .uri(URI.create(relative.getScheme() + "://" + endpoint.address() + relative.getRawPath()
                            + (relative.getRawQuery() == null ? "" : "?" + relative.getRawQuery())))
                    .build();
            long started = System.nanoTime();
            balancer.onStart(endpoint);
            try {
                HttpResponse<T> response = client.send(concrete, handler);
                boolean unavailable = response.statusCode() == RetryPolicy.UNAVAILABLE;
                balancer.onComplete(endpoint, response.statusCode() < 500, Duration.ofNanos(System.nanoTime() - started));
                if (!unavailable || !retryable) {
                    return response;
                }
                lastResponse = response;
            } catch (IOException e) {
                balancer.onComplete(endpoint, false, Duration.ofNanos(System.nanoTime() - started));
                lastFailure = e;
                if (!retryable || !RetryPolicy.neverReached(e)) {
                    throw e;
                }
            }
        }
        if (lastResponse != null) {
            return lastResponse;
        }
        throw lastFailure != null ? lastFailure
                : new IOException("no endpoint available for " + template.method() + " " + relative.getRawPath());
    }
}
