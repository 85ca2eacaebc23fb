package io.reporadar.health;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the requests being served, so that a graceful shutdown can wait for them, and tells adapters when to
 * ask clients to close their connections. Adapters call {@link #begin()} before handing a request on and
 * {@link #end()} in a finally block, and set {@code Connection: close} on the response while
 * {@link #closingConnections()}.
 *
 * <p>Thread-safe.
 */
public final class InFlightRequests {

    private final AtomicInteger count = new AtomicInteger();
    private final Object idle = new Object();
    // When the last request ended. With none in flight, every request that began has ended since, so this is also
    // the last time any request began or ended: begin() need not stamp it.
    private volatile long lastEndNanos = System.nanoTime();
    private volatile boolean closingConnections;

    public void begin() {
        count.incrementAndGet();
    }

    public void end() {
        lastEndNanos = System.nanoTime();
        if (count.decrementAndGet() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    public int count() {
        return count.get();
    }

    /**
     * Whether responses should carry {@code Connection: close}: from the moment the server stopped accepting
     * connections, so that a client's next request on a kept-alive one goes to another instance instead of
     * meeting the close.
     */
    public boolean closingConnections() {
        return closingConnections;
    }

    /** From now on, {@link #closingConnections()}; the graceful shutdown calls it once the listener is closed. */
    public void closeConnections() {
        closingConnections = true;
    }

    /** Waits until no request is in flight; returns whether that happened within {@code timeout}. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return awaitQuiet(Duration.ZERO, timeout);
    }

    /**
     * Waits until no request is in flight and none has begun or ended for {@code quiet}; returns whether that
     * happened within {@code timeout}.
     */
    public boolean awaitQuiet(Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (true) {
                long now = System.nanoTime();
                long quietLeft = lastEndNanos + quiet.toNanos() - now;
                if (count.get() == 0 && quietLeft <= 0) {
                    return true;
                }
                long left = deadline - now;
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, count.get() == 0 ? Math.min(left, quietLeft) : left);
            }
        }
    }
}
