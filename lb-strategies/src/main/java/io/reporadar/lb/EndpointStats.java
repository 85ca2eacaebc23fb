package io.reporadar.lb;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the balancer knows of one endpoint: requests in flight, outcomes, and its health (nginx's passive
 * state, ejection, the active check's verdict). Shared by every snapshot that contains the endpoint, so that
 * it survives membership changes.
 *
 * <p>Thread-safe: reads on the pick path are volatile reads; the rare state changes are synchronized.
 */
public final class EndpointStats {

    /** How fast a latency estimate forgets: Finagle's and Linkerd's 10 s. */
    static final long EWMA_DECAY_NANOS = 10_000_000_000L;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger groupInFlight;
    private final LongAdder successes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder ejections = new LongAdder();

    // nginx's peer state: fails, and the times of the last failure (accessed) and of the last check (checked).
    private volatile int fails;
    private volatile long accessed;
    private volatile long checked;
    private int consecutiveFailures;
    private int timesEjected;
    private volatile long ejectedUntil;
    private volatile boolean everEjected;
    private volatile boolean activelyDown;
    private volatile double ewmaNanos = -1;
    private volatile long ewmaStamp;
    /** When slow start began (nanoTime), while it lasts; see {@link #weightFactor}. */
    private volatile long warmingSince;
    private volatile boolean warming;

    /** @param groupInFlight the balancer's total of requests in flight, for bounded loads */
    EndpointStats(AtomicInteger groupInFlight) {
        this.groupInFlight = groupInFlight;
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

    /** How often the endpoint was ejected for consecutive failures. */
    public long ejections() {
        return ejections.sum();
    }

    /** Whether the active health check last found the endpoint down. */
    public boolean activelyDown() {
        return activelyDown;
    }

    /**
     * Whether passive and active health let the endpoint take a request now. A healthy endpoint answers without
     * reading the clock: the pick path stays a few volatile reads.
     */
    boolean available(java.util.function.LongSupplier ticker, PassiveHealth health) {
        if (activelyDown) {
            return false;
        }
        boolean failing = health.maxFails > 0 && fails >= health.maxFails;
        if (!failing && !everEjected) {
            return true;
        }
        long now = ticker.getAsLong();
        if (failing && now - checked <= health.failTimeoutNanos) {
            return false;
        }
        return !ejected(now);
    }

    /** Whether the endpoint has failures on record, which is when a pick matters to nginx's state. */
    boolean hasFails() {
        return fails > 0;
    }

    boolean ejected(long now) {
        // nanoTime values are compared by difference, never directly: they may be negative and wrap.
        return everEjected && now - ejectedUntil < 0;
    }

    /** nginx: a pick after fail_timeout starts a new check window; with fails at the limit, it is the one trial. */
    void picked(long now, PassiveHealth health) {
        if (now - checked > health.failTimeoutNanos) {
            synchronized (this) {
                if (now - checked > health.failTimeoutNanos) {
                    checked = now;
                }
            }
        }
    }

    void started() {
        inFlight.incrementAndGet();
        groupInFlight.incrementAndGet();
    }

    /** Starts slow start: the endpoint is new or has just recovered. */
    void startWarming(long now) {
        warmingSince = now;
        warming = true;
    }

    /**
     * Slow start: the share of its weight the endpoint gets, growing linearly from 10 % to 100 % over the
     * window after it was added or recovered; 1 once warm. Reads the clock only while warming.
     */
    double weightFactor(java.util.function.LongSupplier ticker, long windowNanos) {
        if (!warming || windowNanos <= 0) {
            return 1.0;
        }
        long elapsed = ticker.getAsLong() - warmingSince;
        if (elapsed >= windowNanos) {
            warming = false;
            return 1.0;
        }
        return Math.max(0.1, (double) elapsed / windowNanos);
    }

    /** Whether a latency was ever observed. */
    boolean hasLatency() {
        return ewmaNanos >= 0;
    }

    /**
     * Peak EWMA cost: the latency estimate decayed by the time since it was last updated (so an endpoint that
     * was slow gets probed again), times requests in flight + 1.
     */
    double cost(long now) {
        double ewma = ewmaNanos;
        double decayed = ewma * Math.exp(-(double) (now - ewmaStamp) / EWMA_DECAY_NANOS);
        return decayed * (inFlight.get() + 1);
    }

    /** The latency estimate in nanoseconds, -1 before the first sample. */
    public double latencyEstimateNanos() {
        return ewmaNanos;
    }

    /** Records an outcome; returns the consecutive failures so far (0 after a success). */
    synchronized int completed(boolean success, long now, long latencyNanos) {
        // A completion that outlived its endpoint's membership (removed, then added again with fresh stats)
        // has nothing to take back: counts never go below zero.
        if (inFlight.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            groupInFlight.decrementAndGet();
        }
        if (latencyNanos >= 0) {
            double ewma = ewmaNanos;
            if (ewma < 0 || latencyNanos > ewma) {
                // Peak-sensitive: a spike counts at once.
                ewmaNanos = latencyNanos;
            } else {
                double w = Math.exp(-(double) (now - ewmaStamp) / EWMA_DECAY_NANOS);
                ewmaNanos = ewma * w + latencyNanos * (1 - w);
            }
            ewmaStamp = now;
        }
        if (success) {
            successes.increment();
            if (accessed - checked < 0) {
                fails = 0;
            }
            consecutiveFailures = 0;
            return 0;
        }
        failures.increment();
        fails = fails + 1;
        accessed = now;
        checked = now;
        return ++consecutiveFailures;
    }

    /** Ejects the endpoint, backing off with each ejection; returns until when (nanoTime). */
    synchronized long eject(long now, PassiveHealth health) {
        timesEjected++;
        long duration = Math.min(health.maxEjectionNanos, health.baseEjectionNanos * timesEjected);
        ejectedUntil = now + duration;
        everEjected = true;
        consecutiveFailures = 0;
        ejections.increment();
        return ejectedUntil;
    }

    /** Records the active check's verdict; returns whether the endpoint just came back. */
    boolean activeVerdict(boolean down) {
        boolean recovered = activelyDown && !down;
        activelyDown = down;
        return recovered;
    }

    int fails() {
        return fails;
    }
}
