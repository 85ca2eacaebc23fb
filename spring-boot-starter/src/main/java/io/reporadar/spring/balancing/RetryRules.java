package io.reporadar.spring.balancing;

import io.reporadar.lb.PickContext;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;

/**
 * What the Spring clients add to lb-strategies' {@link io.reporadar.lb.RetryPolicy} (which requests may be sent again,
 * after which failures): what a pick reads from a request's attributes, the message when no instance is left.
 */
final class RetryRules {

    private RetryRules() {
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
