package io.reporadar.spring.balancing;

import io.reporadar.lb.Endpoint;
import io.reporadar.lb.LoadBalancer;
import io.reporadar.lb.PickContext;
import io.reporadar.lb.RetryPolicy;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Mono;

/**
 * {@link BalancingInterceptor}'s rules for {@code WebClient}: a request whose host names a configured service goes
 * to the instance the service's balancer picks; an idempotent one that met a refused connection, a connect
 * timeout or a 503 goes to another instance, up to the service's attempts; other hosts pass through untouched.
 * The request attributes {@link BalancingInterceptor#HASH_KEY} and {@link BalancingInterceptor#CLIENT_ADDRESS}
 * feed the hash strategies. A request cancelled while in flight counts as a failure of its instance.
 *
 * <p>Thread-safe.
 */
public final class BalancingExchangeFilter implements ExchangeFilterFunction {

    private final BalancedServices services;

    public BalancingExchangeFilter(BalancedServices services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    @Override
    public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
        BalancedService service = services.forHost(request.url().getHost());
        if (service == null) {
            return next.exchange(request);
        }
        return Mono.defer(() -> {
            PickContext context = RetryRules.pickContext(request.attributes());
            Endpoint endpoint = service.balancer().pick(context);
            if (endpoint == null) {
                return Mono.error(new IOException(RetryRules.noInstance(service, request.method().name(), request.url().getRawPath())));
            }
            return new Exchange(service, request, next, context).send(endpoint, 1);
        });
    }

    /** One request through its attempts. */
    private static final class Exchange {
        private final BalancedService service;
        private final LoadBalancer balancer;
        private final ClientRequest request;
        private final ExchangeFunction next;
        private final PickContext context;
        private final boolean retryable;

        Exchange(BalancedService service, ClientRequest request, ExchangeFunction next, PickContext context) {
            this.service = service;
            this.balancer = service.balancer();
            this.request = request;
            this.next = next;
            this.context = context;
            this.retryable = RetryPolicy.idempotent(request.method().name());
        }

        Mono<ClientResponse> send(Endpoint endpoint, int attempt) {
            boolean lastAttempt = !retryable || attempt >= service.maxAttempts();
            return Mono.defer(() -> {
                long started = System.nanoTime();
                AtomicBoolean reported = new AtomicBoolean();
                balancer.onStart(endpoint);
                ClientRequest concrete = ClientRequest.from(request).url(service.uriOn(endpoint, request.url())).build();
                return next.exchange(concrete)
                        .doOnCancel(() -> {
                            if (reported.compareAndSet(false, true)) {
                                balancer.onComplete(endpoint, false, RetryRules.since(started));
                            }
                        })
                        .<Object>map(response -> response)
                        .onErrorResume(failure -> Mono.just(new Failure(failure)))
                        .flatMap(outcome -> {
                            if (!reported.compareAndSet(false, true)) {
                                return Mono.empty(); // cancelled meanwhile
                            }
                            if (outcome instanceof Failure failure) {
                                balancer.onComplete(endpoint, false, RetryRules.since(started));
                                Endpoint retry = lastAttempt || !RetryPolicy.neverReached(failure.cause) ? null : balancer.pick(context);
                                return retry == null ? Mono.error(failure.cause) : send(retry, attempt + 1);
                            }
                            ClientResponse response = (ClientResponse) outcome;
                            int status = response.statusCode().value();
                            balancer.onComplete(endpoint, status < 500, RetryRules.since(started));
                            Endpoint retry = lastAttempt || status != RetryPolicy.UNAVAILABLE ? null : balancer.pick(context);
                            return retry == null ? Mono.just(response) : response.releaseBody().then(send(retry, attempt + 1));
                        });
            });
        }
    }

    /** A failed exchange, as a value: so that the attempt that follows is not caught by this one's error handling. */
    private record Failure(Throwable cause) {
    }
}
