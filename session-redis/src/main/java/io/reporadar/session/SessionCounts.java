package io.reporadar.session;

import io.reporadar.session.SessionObserver.Event;
import io.reporadar.session.SessionObserver.LoadOutcome;
import io.reporadar.session.SessionObserver.SaveOutcome;
import io.reporadar.session.SessionObserver.Unreadable;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.Objects;

/**
 * The store's one reporting channel: counts everything (for {@link SessionStore#counts()}), then passes it on to
 * the user's observer. One counter per enum constant, made up front (the maps are never written after):
 * counting allocates nothing. Thread-safe.
 */
final class SessionCounts implements SessionObserver {

    private final SessionObserver next;
    private final Map<LoadOutcome, LongAdder> loads = adders(LoadOutcome.class);
    private final Map<SaveOutcome, LongAdder> saves = adders(SaveOutcome.class);
    private final Map<Unreadable, LongAdder> unreadable = adders(Unreadable.class);
    private final Map<Event, LongAdder> events = adders(Event.class);

    SessionCounts(SessionObserver next) {
        this.next = next;
    }

    @Override
    public void loaded(LoadOutcome outcome, long nanos, int roundTrips) {
        increment(loads, outcome);
        next.loaded(outcome, nanos, roundTrips);
    }

    @Override
    public void saved(SaveOutcome outcome, long nanos, int roundTrips, int sessionBytes) {
        increment(saves, outcome);
        next.saved(outcome, nanos, roundTrips, sessionBytes);
    }

    @Override
    public void attributeWritten(int bytes) {
        next.attributeWritten(bytes);
    }

    @Override
    public void unreadable(String keyId, Unreadable reason) {
        increment(unreadable, reason);
        next.unreadable(keyId, reason);
    }

    @Override
    public void event(Event event) {
        increment(events, event);
        next.event(event);
    }

    /** Counts one more {@code key}; every constant has its counter (see {@link #adders}). */
    private static <E extends Enum<E>> void increment(Map<E, LongAdder> counters, E key) {
        Objects.requireNonNull(counters.get(key)).increment();
    }

    /** Every count above zero, by name. */
    Map<String, Long> snapshot() {
        Map<String, Long> snapshot = new TreeMap<>();
        loads.forEach((outcome, adder) -> put(snapshot, "load-" + outcome.tag(), adder));
        saves.forEach((outcome, adder) -> put(snapshot, "save-" + outcome.tag(), adder));
        unreadable.forEach((reason, adder) -> put(snapshot, "unreadable-" + reason.tag(), adder));
        events.forEach((event, adder) -> put(snapshot, event.tag(), adder));
        return snapshot;
    }

    private static void put(Map<String, Long> snapshot, String name, LongAdder adder) {
        long count = adder.sum();
        if (count > 0) {
            snapshot.put(name, count);
        }
    }

    /** A counter for each constant, made up front: the map is never written after. */
    private static <E extends Enum<E>> Map<E, LongAdder> adders(Class<E> type) {
        Map<E, LongAdder> adders = new EnumMap<>(type);
        for (E constant : EnumSet.allOf(type)) {
            adders.put(constant, new LongAdder());
        }
        return adders;
    }

    @Override
    public String toString() {
        return "SessionCounts" + snapshot();
    }
}
