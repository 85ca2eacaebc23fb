package io.reporadar.spring.balancing;

import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import io.reporadar.lb.PickContext;
import io.reporadar.lb.RetryPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.Objects;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.http.client.support.HttpRequestWrapper;

/**
 * Sends a request whose host names a configured service ({@code http://catalog/api/items?page=2}) to the instance
 * the service's {@link LoadBalancer} picks, keeping path and query, and reports start, outcome and latency (to
 * the response's status line) back. An idempotent request (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) that met a
 * refused connection, a connect timeout or a 503 goes to another instance, up to the service's
 * {@link BalancedService#maxAttempts() attempts}, as {@link io.reporadar.lb.BalancedHttpClient} and nginx
 * {@code proxy_next_upstream error http_503} do; POST and PATCH are sent once. Other hosts pass through untouched.
 *
 * <p>The hash strategies read the request attribute {@link #HASH_KEY} (a {@link CharSequence}), {@code ip_hash}
 * reads {@link #CLIENT_ADDRESS} (an {@link InetAddress}): {@code restClient.get().uri("http://catalog/cart")
 * .attribute(BalancingInterceptor.HASH_KEY, userId)}.
 *
 * <p>Thread-safe.
 */
public final class BalancingInterceptor implements ClientHttpRequestInterceptor {

    /** Request attribute: the key a hash strategy picks by. */
    public static final String HASH_KEY = BalancingInterceptor.class.getName() + ".hashKey";

    /** Request attribute: the client address {@code ip_hash} picks by. */
    public static final String CLIENT_ADDRESS = BalancingInterceptor.class.getName() + ".clientAddress";

    private final BalancedServices services;

    public BalancingInterceptor(BalancedServices services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        BalancedService service = services.forHost(request.getURI().getHost());
        if (service == null) {
            return execution.execute(request, body);
        }
        LoadBalancer balancer = service.balancer();
        boolean retryable = RetryPolicy.idempotent(request.getMethod().name());
        PickContext context = RetryRules.pickContext(request.getAttributes());
        Endpoint endpoint = balancer.pick(context);
        if (endpoint == null) {
            throw new IOException(RetryRules.noInstance(service, request.getMethod().name(), request.getURI().getRawPath()));
        }
        for (int attempt = 1; ; attempt++) {
            boolean lastAttempt = !retryable || attempt >= service.maxAttempts();
            long started = System.nanoTime();
            balancer.onStart(endpoint);
            ClientHttpResponse response = null;
            int status;
            try {
                response = execution.execute(new OnEndpoint(request, service.uriOn(endpoint, request.getURI())), body);
                status = response.getStatusCode().value();
            } catch (IOException e) {
                if (response != null) {
                    response.close();
                }
                balancer.onComplete(endpoint, false, RetryRules.since(started));
                Endpoint next = lastAttempt || !RetryPolicy.neverReached(e) ? null : balancer.pick(context);
                if (next == null) {
                    throw e;
                }
                endpoint = next;
                continue;
            }
            balancer.onComplete(endpoint, status < 500, RetryRules.since(started));
            Endpoint next = lastAttempt || status != RetryPolicy.UNAVAILABLE ? null : balancer.pick(context);
            if (next == null) {
                return response;
            }
            response.close();
            endpoint = next;
        }
    }

    /** The request, sent to one instance. */
    private static final class OnEndpoint extends HttpRequestWrapper {
        private final URI uri;

        OnEndpoint(HttpRequest request, URI uri) {
            super(request);
            this.uri = uri;
        }

        @Override
        public URI getURI() {
            return uri;
        }
    }
}
