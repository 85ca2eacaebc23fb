package io.reporadar.spring.balancing;

import io.reporadar.lb.PickContext;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The rules {@link io.reporadar.lb.BalancedHttpClient} follows, for the Spring clients: which requests may be
 * sent again, after which failures, and what a pick reads from a request's attributes.
 */
final class RetryRules {

    /** Methods whose repetition has no further effect (RFC 9110, 9.2.2): the only ones retried. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");

    /** The status that sends an idempotent request to another instance, as nginx {@code proxy_next_upstream http_503}. */
    static final int UNAVAILABLE = 503;

    private RetryRules() {
    }

    static boolean idempotent(String method) {
        return IDEMPOTENT.contains(method);
    }

    /** Whether the failure happened before the instance got the request: a refused connection or a connect timeout. */
    static boolean neverReached(Throwable failure) {
        for (@Nullable Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** A context with the request's {@link BalancingInterceptor#HASH_KEY} and {@link BalancingInterceptor#CLIENT_ADDRESS}. */
    static PickContext pickContext(Map<String, Object> attributes) {
        PickContext context = new PickContext();
        if (attributes.get(BalancingInterceptor.HASH_KEY) instanceof CharSequence key) {
            context.key(key);
        }
        if (attributes.get(BalancingInterceptor.CLIENT_ADDRESS) instanceof InetAddress client) {
            context.client(client);
        }
        return context;
    }

    static String noInstance(BalancedService service, String method, String path) {
        return "no instance of service " + service.name() + " available for " + method + " " + path;
    }

    static Duration since(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }
}
