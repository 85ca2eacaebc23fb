package io.reporadar.session.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.reporadar.session.SessionObserver;
import io.reporadar.session.SessionObserver.Event;
import io.reporadar.session.SessionObserver.LoadOutcome;
import io.reporadar.session.SessionObserver.SaveOutcome;
import io.reporadar.session.SessionObserver.Unreadable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters for a {@link io.reporadar.session.RedisSessionStore}: pass it to the store's builder
 * ({@code .observer(new SessionMetrics(registry))}).
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><td>{@code reporadar.session.load}</td><td>timer per {@code outcome}: found, none, cookie-invalid,
 *       unknown, expired, corrupt, unavailable</td></tr>
 *   <tr><td>{@code reporadar.session.save}</td><td>timer per {@code outcome}: written, touched, touch-failed,
 *       unchanged, refused, retired</td></tr>
 *   <tr><td>{@code reporadar.session.redis.round.trips}</td><td>per {@code operation} (load, save): divide by the
 *       timers' counts for round trips per request</td></tr>
 *   <tr><td>{@code reporadar.session.decrypt.failures}</td><td>per {@code key.id} (never the key) and {@code reason}:
 *       unknown-key, tampered, format, type, json</td></tr>
 *   <tr><td>{@code reporadar.session.events}</td><td>per {@code event}: load-from-replica, write-fenced,
 *       write-unreplicated, readonly-reconnect, ... (see {@link SessionObserver.Event})</td></tr>
 *   <tr><td>{@code reporadar.session.write.conflicts}</td><td>saves refused because the session was invalidated
 *       meanwhile (a logout racing a request)</td></tr>
 *   <tr><td>{@code reporadar.session.size}, {@code reporadar.session.attribute.size}</td><td>bytes written, before
 *       encryption</td></tr>
 * </table>
 *
 * <p>Tag values are bounded: fixed outcomes and the ids of keys that ever encrypted stored data. Thread-safe.
 */
public final class SessionMetrics implements SessionObserver {

    private final MeterRegistry registry;
    private final Map<LoadOutcome, Timer> loads = new ConcurrentHashMap<>();
    private final Map<SaveOutcome, Timer> saves = new ConcurrentHashMap<>();
    private final Map<Event, Counter> events = new ConcurrentHashMap<>();
    private final Counter loadRoundTrips;
    private final Counter saveRoundTrips;
    private final Counter writeConflicts;
    private final DistributionSummary sessionSize;
    private final DistributionSummary attributeSize;

    public SessionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.loadRoundTrips = roundTrips("load");
        this.saveRoundTrips = roundTrips("save");
        this.writeConflicts = Counter.builder("reporadar.session.write.conflicts")
                .description("Saves refused because the session was invalidated while the request ran").register(registry);
        this.sessionSize = DistributionSummary.builder("reporadar.session.size").baseUnit("bytes")
                .description("Encoded size of a saved session's attributes").register(registry);
        this.attributeSize = DistributionSummary.builder("reporadar.session.attribute.size").baseUnit("bytes")
                .description("Encoded size of each attribute written").register(registry);
    }

    private Counter roundTrips(String operation) {
        return Counter.builder("reporadar.session.redis.round.trips").tag("operation", operation)
                .description("Redis round trips made by session loads and saves").register(registry);
    }

    @Override
    public void loaded(LoadOutcome outcome, long nanos, int roundTrips) {
        loads.computeIfAbsent(outcome, o -> timer("reporadar.session.load", o.tag())).record(nanos, TimeUnit.NANOSECONDS);
        loadRoundTrips.increment(roundTrips);
    }

    @Override
    public void saved(SaveOutcome outcome, long nanos, int roundTrips, int sessionBytes) {
        saves.computeIfAbsent(outcome, o -> timer("reporadar.session.save", o.tag())).record(nanos, TimeUnit.NANOSECONDS);
        saveRoundTrips.increment(roundTrips);
        if (outcome == SaveOutcome.REFUSED) {
            writeConflicts.increment();
        } else if (outcome == SaveOutcome.WRITTEN) {
            sessionSize.record(sessionBytes);
        }
    }

    @Override
    public void attributeWritten(int bytes) {
        attributeSize.record(bytes);
    }

    @Override
    public void unreadable(String keyId, Unreadable reason) {
        Counter.builder("reporadar.session.decrypt.failures").tag("key.id", keyId).tag("reason", reason.tag())
                .description("Stored session data that did not decrypt or decode").register(registry).increment();
    }

    @Override
    public void event(Event event) {
        events.computeIfAbsent(event, e -> Counter.builder("reporadar.session.events").tag("event", e.tag())
                .description("Failover handling, refusals and housekeeping of the session store").register(registry)).increment();
    }

    private Timer timer(String name, String outcome) {
        return Timer.builder(name).tag("outcome", outcome).register(registry);
    }

    @Override
    public String toString() {
        return "SessionMetrics[" + registry.getClass().getSimpleName() + "]";
    }
}
