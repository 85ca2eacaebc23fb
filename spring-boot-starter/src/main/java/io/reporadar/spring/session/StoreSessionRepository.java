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
    /**
     * The session this thread's request found or created: Spring Session deletes by the session's current id, which
     * after {@code changeSessionId} names a key not written yet, while the session object also knows the old key.
     */
    private static final ThreadLocal<StoredSession> CURRENT = new ThreadLocal<>();

    public StoreSessionRepository(SessionStore store) {
        this.store = store;
    }

    public SessionStore store() {
        return store;
    }

    @Override
    public StoredSession createSession() {
        StoredSession created = new StoredSession(store, store.create());
        CURRENT.set(created);
        return created;
    }

    /** Writes what the request changed (a new session at least its creation); nothing when nothing did. */
    @Override
    public void save(StoredSession session) {
        CURRENT.remove();
        session.markCreatedIfEmpty();
        store.save(session.session());
    }

    /**
     * The session a signed cookie value names, or {@code null} when the signature is wrong, the session expired,
     * was ended or cannot be decrypted.
     */
    @Override
    public @Nullable StoredSession findById(String id) {
        Session session = store.load(id);
        if (session.isNew()) {
            return null;
        }
        StoredSession found = new StoredSession(store, session);
        CURRENT.set(found);
        return found;
    }

    /** Ends the session for good, on every instance (the logout), under its old id too when it changed in this request. */
    @Override
    public void deleteById(String id) {
        StoredSession inRequest = CURRENT.get();
        CURRENT.remove();
        if (inRequest != null && inRequest.getId().equals(id)) {
            store.invalidate(inRequest.session());
            return;
        }
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
