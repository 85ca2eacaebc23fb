package io.reporadar.spring.balancing;

import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import io.reporadar.lb.PickContext;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
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

    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");

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
        boolean retryable = IDEMPOTENT.contains(request.getMethod().name());
        PickContext context = pickContext(request);
        Endpoint endpoint = balancer.pick(context);
        if (endpoint == null) {
            throw new IOException("no instance of service " + service.name() + " available for " + request.getMethod() + " "
                    + request.getURI().getRawPath());
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
                balancer.onComplete(endpoint, false, since(started));
                Endpoint next = lastAttempt || !neverReached(e) ? null : balancer.pick(context);
                if (next == null) {
                    throw e;
                }
                endpoint = next;
                continue;
            }
            balancer.onComplete(endpoint, status < 500, since(started));
            Endpoint next = lastAttempt || status != 503 ? null : balancer.pick(context);
            if (next == null) {
                return response;
            }
            response.close();
            endpoint = next;
        }
    }

    private static PickContext pickContext(HttpRequest request) {
        PickContext context = new PickContext();
        if (request.getAttributes().get(HASH_KEY) instanceof CharSequence key) {
            context.key(key);
        }
        if (request.getAttributes().get(CLIENT_ADDRESS) instanceof InetAddress client) {
            context.client(client);
        }
        return context;
    }

    /** Whether the failure happened before the instance got the request: then even a retry of it cannot repeat it. */
    private static boolean neverReached(IOException failure) {
        for (@Nullable Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static Duration since(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
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
