package io.reporadar.health;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the requests being served, so that a graceful shutdown can wait for them. Adapters call
 * {@link #begin()} before handing a request on and {@link #end()} in a finally block.
 *
 * <p>Thread-safe.
 */
public final class InFlightRequests {

    private final AtomicInteger count = new AtomicInteger();
    private final Object idle = new Object();

    public void begin() {
        count.incrementAndGet();
    }

    public void end() {
        if (count.decrementAndGet() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    public int count() {
        return count.get();
    }

    /** Waits until no request is in flight; returns whether that happened within {@code timeout}. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (count.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
        }
        return true;
    }
}
