package io.reporadar.lb;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the balancer knows of one endpoint from the requests it tracked: requests in flight and their
 * outcomes. Shared by every snapshot that contains the endpoint, so that it survives membership changes.
 *
 * <p>Thread-safe: counters only, no locks.
 */
public final class EndpointStats {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder successes = new LongAdder();
    private final LongAdder failures = new LongAdder();

    EndpointStats() {
    }

    public int inFlight() {
        return inFlight.get();
    }

    public long successes() {
        return successes.sum();
    }

    public long failures() {
        return failures.sum();
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void completed(boolean success) {
        inFlight.decrementAndGet();
        (success ? successes : failures).increment();
    }
}
