package io.reporadar.lb;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * When a balanced request may go to another endpoint, as nginx {@code proxy_next_upstream error http_503} in the
 * rendered configuration: only an idempotent request, and only after a failure that left the first endpoint untouched
 * (a refused connection, a connect timeout) or a 503. Shared by every balanced client ({@link BalancedHttpClient},
 * the Spring Boot starter's). Thread-safe (stateless).
 */
public final class RetryPolicy {

    /** The status that sends an idempotent request to another endpoint. */
    public static final int UNAVAILABLE = 503;

    /** Methods whose repetition has no further effect (RFC 9110, 9.2.2): the only ones retried. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");

    private RetryPolicy() {
    }

    /** Whether a request of this method may be sent again: POST and PATCH may have had effects. */
    public static boolean idempotent(String method) {
        return IDEMPOTENT.contains(method);
    }

    /** Whether the failure happened before the endpoint got the request: a refused connection or a connect timeout. */
    public static boolean neverReached(Throwable failure) {
        for (@Nullable Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
