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
    private static final ThreadLocal<RequestScope> SCOPE = new ThreadLocal<>();

    public StoreSessionRepository(SessionStore store) {
        this.store = store;
    }

    public SessionStore store() {
        return store;
    }

    /**
     * One request on this thread, opened and closed around Spring Session's filter ({@link SessionRequestFilter} does).
     * Within it, the filter's next look-up of the session it just saved is answered with that session: Spring Session
     * commits twice per request (when the response is committed and when its filter ends) and looks the requested
     * session up again before the second commit, which would cost a second load (a round trip and every value
     * decrypted) of what this thread has just written. Outside a scope every look-up reads Redis.
     */
    public static RequestScope openRequestScope() {
        RequestScope scope = new RequestScope();
        SCOPE.set(scope);
        return scope;
    }

    /** See {@link #openRequestScope()}; closing it forgets the request's sessions. */
    public static final class RequestScope implements AutoCloseable {
        private @Nullable StoredSession saved;

        private RequestScope() {
        }

        @Override
        public void close() {
            SCOPE.remove();
            CURRENT.remove();
        }
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
        RequestScope scope = SCOPE.get();
        if (scope != null && !session.session().isInvalidated()) {
            scope.saved = session;
        }
    }

    /**
     * The session a signed cookie value names, or {@code null} when the signature is wrong, the session expired,
     * was ended or cannot be decrypted.
     */
    @Override
    public @Nullable StoredSession findById(String id) {
        RequestScope scope = SCOPE.get();
        StoredSession saved = scope == null ? null : scope.saved;
        if (saved != null && saved.getId().equals(id)) {
            scope.saved = null; // once: a later look-up in the request reads Redis
            CURRENT.set(saved);
            return saved;
        }
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
        RequestScope scope = SCOPE.get();
        if (scope != null) {
            scope.saved = null;
        }
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
