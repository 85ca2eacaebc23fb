package io.reporadar.session;

import io.reporadar.session.SessionObserver.Event;
import io.reporadar.session.SessionObserver.LoadOutcome;
import io.reporadar.session.SessionObserver.SaveOutcome;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Sessions in this process's memory, for one instance only ({@code USE_REDIS_SESSIONS=false}): with several
 * instances behind a balancer, a session would exist on one of them and vanish on the others. Same contract as
 * {@link RedisSessionStore}: signed cookies, delta saves merged attribute by attribute, invalidation that a save
 * in flight cannot undo, idle and absolute timeouts; values are kept encoded, so the same allow-list applies.
 * Bounded: at most {@code maxSessions} sessions (default {@value #DEFAULT_MAX_SESSIONS}); expired ones are swept
 * at most once a minute as saves come, and at once when the store is full, after which a new session that still
 * finds no room is refused ({@link SessionStoreUnavailableException}, 503) rather than evicting a live one.
 *
 * <p>Thread-safe.
 */
public final class InMemorySessionStore extends SessionStore {

    private final Map<String, Stored> sessions = new ConcurrentHashMap<>();
    private final int maxSessions;
    private final AtomicLong lastSweepMillis = new AtomicLong(Long.MIN_VALUE / 2); // by the store's clock

    /** The most sessions an in-memory store holds unless told otherwise. */
    public static final int DEFAULT_MAX_SESSIONS = 100_000;
    private static final long SWEEP_INTERVAL_MILLIS = 60_000;
    private static final long FULL_SWEEP_INTERVAL_MILLIS = 100;

    /** One stored session; guarded by its own monitor. */
    private static final class Stored {
        final Instant created;
        Instant accessed;
        final Map<String, byte[]> values = new LinkedHashMap<>();

        Stored(Instant created, Instant accessed) {
            this.created = created;
            this.accessed = accessed;
        }
    }

    private InMemorySessionStore(Builder b) {
        super(b);
        this.maxSessions = b.maxSessions;
    }

    /** A store with the same defaults as {@link RedisSessionStore}'s, and at most {@value #DEFAULT_MAX_SESSIONS} sessions. */
    public static Builder builder(SessionSecrets secrets) {
        return new Builder(secrets);
    }

    @Override
    public Session create() {
        Instant now = clock.instant();
        return new Session(this, SessionSecrets.newSessionId(), null, now, now, true);
    }

    @Override
    public Session load(@Nullable String cookieValue) {
        long start = System.nanoTime();
        if (cookieValue == null || cookieValue.isEmpty()) {
            return loaded(create(), LoadOutcome.NONE, start);
        }
        String id = secrets.verify(cookieValue).orElse(null);
        if (id == null) {
            return loaded(create(), LoadOutcome.COOKIE_INVALID, start);
        }
        Stored stored = sessions.get(id);
        if (stored == null) {
            return loaded(create(), LoadOutcome.UNKNOWN, start);
        }
        synchronized (stored) {
            Instant now = clock.instant();
            if (expired(stored, now)) {
                sessions.remove(id, stored);
                return loaded(create(), LoadOutcome.EXPIRED, start);
            }
            Session session = new Session(this, id, null, stored.created, stored.accessed, false);
            for (byte[] plain : stored.values.values()) {
                session.loaded(nameOf(plain), valueOf(plain), plain, false);
            }
            stored.accessed = now;
            return loaded(session, LoadOutcome.FOUND, start);
        }
    }

    private Session loaded(Session session, LoadOutcome outcome, long start) {
        observer.loaded(outcome, System.nanoTime() - start, 0);
        return session;
    }

    @Override
    public void save(Session session) {
        long start = System.nanoTime();
        if (session.isInvalidated() || !session.hasChanges()) {
            observer.saved(SaveOutcome.UNCHANGED, System.nanoTime() - start, 0, 0);
            return;
        }
        int sessionBytes = checkSessionSize(session);
        Instant now = clock.instant();
        Stored stored;
        if (session.isNew()) {
            makeRoom(now);
            stored = new Stored(session.created(), now);
            if (sessions.putIfAbsent(session.id(), stored) != null) {
                throw new IllegalStateException("session id collision: 256 random bits repeated");
            }
        } else {
            stored = sessions.get(session.id());
            if (stored == null) {
                session.invalidated();
                observer.saved(SaveOutcome.REFUSED, System.nanoTime() - start, 0, 0);
                return;
            }
        }
        synchronized (stored) {
            for (String name : session.isNew() ? session.encodedValues().keySet() : session.changed()) {
                stored.values.put(name, session.encodedValues().get(name));
            }
            session.removed().forEach(stored.values::remove);
            stored.accessed = now;
        }
        session.saved(now);
        observer.saved(SaveOutcome.WRITTEN, System.nanoTime() - start, 0, sessionBytes);
    }

    private boolean expired(Stored stored, Instant now) {
        return expired(stored.created, stored.accessed, now);
    }

    /** Sweeps expired sessions once a minute, or now when full; refuses a new session when still full. */
    private void makeRoom(Instant now) {
        long last = lastSweepMillis.get();
        long since = now.toEpochMilli() - last;
        boolean full = sessions.size() >= maxSessions;
        // When full, at most every 100 ms: a flood of new sessions must not make every save walk the whole store.
        if ((since > SWEEP_INTERVAL_MILLIS || (full && since > FULL_SWEEP_INTERVAL_MILLIS)) && lastSweepMillis.compareAndSet(last, now.toEpochMilli())) {
            sessions.entrySet().removeIf(entry -> {
                synchronized (entry.getValue()) {
                    return expired(entry.getValue(), now);
                }
            });
        }
        if (sessions.size() >= maxSessions) {
            observer.event(Event.STORE_FULL);
            throw new SessionStoreUnavailableException("save", new IllegalStateException(
                    "the in-memory session store holds its maximum of " + maxSessions + " sessions"));
        }
    }

    /** How many sessions are held now, expired ones not swept yet included. */
    public int size() {
        return sessions.size();
    }

    @Override
    public void invalidate(Session session) {
        session.invalidated();
        sessions.remove(session.id());
        observer.event(Event.INVALIDATED);
    }

    @Override
    public void changeId(Session session) {
        session.requireValid();
        String old = session.id();
        session.renamed(SessionSecrets.newSessionId(), null);
        // Requests in flight with the old id find nothing from now on: memory needs no grace period across instances.
        sessions.remove(old);
        observer.event(Event.ID_CHANGED);
    }

    @Override
    public String toString() {
        return "InMemorySessionStore[" + sessions.size() + " session(s), idle " + idleTimeout + "]";
    }

    /** The in-memory store's one setting beyond those every store shares. Not thread-safe. */
    public static final class Builder extends SessionStore.Builder<Builder> {
        private int maxSessions = DEFAULT_MAX_SESSIONS;

        private Builder(SessionSecrets secrets) {
            super(secrets);
        }

        /** The most sessions held at once (default {@value #DEFAULT_MAX_SESSIONS}); a new one beyond is refused. */
        public Builder maxSessions(int maxSessions) {
            if (maxSessions < 1) {
                throw new IllegalArgumentException("maxSessions: " + maxSessions + " (expected: 1 or more)");
            }
            this.maxSessions = maxSessions;
            return this;
        }

        public InMemorySessionStore build() {
            validate();
            return new InMemorySessionStore(this);
        }
    }
}
