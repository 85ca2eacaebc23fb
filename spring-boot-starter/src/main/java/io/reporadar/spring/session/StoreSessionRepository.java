package io.reporadar.spring.session;

import io.reporadar.session.Session;
import io.reporadar.session.SessionStore;
import org.jspecify.annotations.Nullable;
import org.springframework.session.SessionRepository;

/**
 * Spring Session's repository backed by our {@link SessionStore}: values encrypted in Redis, only changed attributes
 * written (so two requests of one user changing different attributes both keep their change), a logout that a
 * save in flight cannot undo, cookies signed with {@code SESSION_SECRET}, and the store's Sentinel failover.
 * {@code HttpSession} and Spring Session's API work unchanged on top of it.
 *
 * <p>Thread-safe.
 */
public final class StoreSessionRepository implements SessionRepository<StoredSession> {

    private final SessionStore store;

    public StoreSessionRepository(SessionStore store) {
        this.store = store;
    }

    public SessionStore store() {
        return store;
    }

    @Override
    public StoredSession createSession() {
        return new StoredSession(store, store.create());
    }

    /** Writes what the request changed; nothing when nothing did. */
    @Override
    public void save(StoredSession session) {
        store.save(session.session());
    }

    /**
     * The session a signed cookie value names, or {@code null} when the signature is wrong, the session expired,
     * was ended or cannot be decrypted.
     */
    @Override
    public @Nullable StoredSession findById(String id) {
        Session session = store.load(id);
        return session.isNew() ? null : new StoredSession(store, session);
    }

    /** Ends the session for good, on every instance (the logout). */
    @Override
    public void deleteById(String id) {
        Session session = store.load(id);
        if (!session.isNew()) {
            store.invalidate(session);
        }
    }

    @Override
    public String toString() {
        return "StoreSessionRepository[" + store + "]";
    }
}
