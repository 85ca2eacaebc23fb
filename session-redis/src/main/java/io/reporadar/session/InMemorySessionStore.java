package io.reporadar.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions in this process's memory, for one instance only ({@code USE_REDIS_SESSIONS=false}): with several
 * instances behind a balancer, a session would exist on one of them and vanish on the others. Same contract as
 * {@link RedisSessionStore}: signed cookies, delta saves merged attribute by attribute, invalidation that a save
 * in flight cannot undo, idle and absolute timeouts; values are kept encoded, so the same allow-list applies.
 *
 * <p>Thread-safe.
 */
public final class InMemorySessionStore extends SessionStore {

    private final Duration idleTimeout;
    private final Duration absoluteTimeout;
    private final Clock clock;
    private final Map<String, Stored> sessions = new ConcurrentHashMap<>();

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

    public InMemorySessionStore(SessionSecrets secrets, SessionCodec codec, Duration idleTimeout, Duration absoluteTimeout, Clock clock) {
        super(secrets, codec, 64 * 1024, 512 * 1024);
        this.idleTimeout = idleTimeout;
        this.absoluteTimeout = absoluteTimeout;
        this.clock = clock;
    }

    @Override
    public Session create() {
        Instant now = clock.instant();
        return new Session(this, SessionSecrets.newSessionId(), null, now, now, true);
    }

    @Override
    public Session load(String cookieValue) {
        String id = cookieValue == null ? null : secrets.verify(cookieValue).orElse(null);
        if (id == null) {
            if (cookieValue != null) {
                count("cookie-invalid");
            }
            return create();
        }
        Stored stored = sessions.get(id);
        if (stored == null) {
            count("unknown");
            return create();
        }
        synchronized (stored) {
            Instant now = clock.instant();
            if (Duration.between(stored.accessed, now).compareTo(idleTimeout) > 0
                    || Duration.between(stored.created, now).compareTo(absoluteTimeout) > 0) {
                sessions.remove(id, stored);
                count("expired");
                return create();
            }
            Session session = new Session(this, id, null, stored.created, stored.accessed, false);
            for (byte[] plain : stored.values.values()) {
                session.loaded(nameOf(plain), valueOf(plain), plain, false);
            }
            stored.accessed = now;
            return session;
        }
    }

    @Override
    public void save(Session session) {
        if (session.isInvalidated() || !session.hasChanges()) {
            return;
        }
        checkSessionSize(session);
        Instant now = clock.instant();
        Stored stored;
        if (session.isNew()) {
            stored = new Stored(session.created(), now);
            if (sessions.putIfAbsent(session.id(), stored) != null) {
                throw new IllegalStateException("session id collision: 256 random bits repeated");
            }
        } else {
            stored = sessions.get(session.id());
            if (stored == null) {
                count("save-refused");
                session.invalidated();
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
        count("save");
    }

    @Override
    public void invalidate(Session session) {
        session.invalidated();
        sessions.remove(session.id());
        count("invalidate");
    }

    @Override
    public void changeId(Session session) {
        session.requireValid();
        String old = session.id();
        session.renamed(SessionSecrets.newSessionId(), null);
        // Requests in flight with the old id find nothing from now on: memory needs no grace period across instances.
        sessions.remove(old);
        count("change-id");
    }

    @Override
    public String toString() {
        return "InMemorySessionStore[" + sessions.size() + " session(s), idle " + idleTimeout + "]";
    }
}
